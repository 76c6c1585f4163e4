"""When a workspace removes kneebot, or revokes access: what was held there goes at once.

`app_uninstalled` deletes every conversation held for the workspace (and, serving many
workspaces, its installation, through Bolt's own revocation listeners); `tokens_revoked`
deletes what is held for the people whose access was revoked, and everything for the workspace
when it is kneebot's own bot token, since kneebot can never answer there again. Bolt delivers
both events without authorising them (the token may already be gone).
"""

from __future__ import annotations

import asyncio
from typing import Any

from slack_bolt.async_app import AsyncBoltContext
from slack_bolt.listener.async_builtins import AsyncTokenRevocationListeners
from slack_sdk.oauth.installation_store.async_installation_store import AsyncInstallationStore
from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack.ids import PLATFORM, team_of
from bot.engine import Engine
from bot.keys import person_ref, place_ref


class Removal:
    """The uninstall listeners; `installations`: the store of many workspaces, if any."""

    def __init__(self, engine: Engine, installations: AsyncInstallationStore | None = None) -> None:
        self.engine = engine
        self.revocations = AsyncTokenRevocationListeners(installations) if installations else None

    async def on_uninstalled(
        self, event: dict[str, Any], context: AsyncBoltContext, client: AsyncWebClient
    ) -> None:
        await asyncio.to_thread(self.engine.forget_place, place_ref(PLATFORM, team_of(context)))
        if self.revocations is not None:
            await self.revocations.handle_app_uninstalled_events(context)

    async def on_tokens_revoked(
        self, event: dict[str, Any], context: AsyncBoltContext, client: AsyncWebClient
    ) -> None:
        tokens = event.get("tokens") or {}
        team = team_of(context)
        for user in [*(tokens.get("oauth") or []), *(tokens.get("bot") or [])]:
            await asyncio.to_thread(self.engine.forget_person, person_ref(PLATFORM, team, user))
        if tokens.get("bot"):
            await asyncio.to_thread(self.engine.forget_place, place_ref(PLATFORM, team))
        if self.revocations is not None:
            await self.revocations.handle_tokens_revoked_events(event, context)

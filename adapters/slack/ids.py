"""Who and where a Slack request is about, as the engine names it (keys from `bot.keys` only).

The workspace is the request's own (`context.team_id`, or the organisation's for an org-wide
install), which is what lets one kneebot serve many workspaces without mixing them up.
"""

from __future__ import annotations

from typing import Any

from slack_bolt.async_app import AsyncBoltContext

from bot.keys import conversation_key, person_ref

PLATFORM = "slack"


def team_of(context: AsyncBoltContext) -> str | None:
    return context.team_id or context.enterprise_id


def key_of(context: AsyncBoltContext, channel: str, user: str) -> str:
    """The conversation: one per person and DM channel in a workspace."""
    return conversation_key(PLATFORM, team_of(context), channel, user)


def person_of(context: AsyncBoltContext, user: str) -> str:
    """The person, across their conversations in the workspace: what `forget` deletes by."""
    return person_ref(PLATFORM, team_of(context), user)


def action_event(context: AsyncBoltContext, body: dict[str, Any], action: dict[str, Any]) -> str:
    """A click's delivery id: where it was (a message or a view), and when."""
    container = body.get("container") or {}
    where = container.get("channel_id") or container.get("view_id") or "-"
    when = container.get("message_ts") or "-"
    return f"{PLATFORM}:{context.team_id}:action:{where}:{when}:{action.get('action_ts')}"

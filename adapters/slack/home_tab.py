"""Onboarding: the App Home tab, its buttons, and the one-time welcome in the Messages tab.

`app_home_opened` for the Home tab publishes the view (`adapters.slack.home`); "Start a check"
opens the check in the DM (a new one, or the one in progress); "Forget me" deletes everything
held about the person, after Slack's own confirmation, and the tab then says so. The first time
someone opens the Messages tab while the DM is still empty, the welcome is posted; Slack's own
history of the DM tells whether it is, so nothing is stored to know it.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp, AsyncBoltContext
from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack import home
from adapters.slack.ids import action_event, key_of, person_of
from adapters.slack.locales import Locales
from adapters.slack.send import Outbox
from bot.engine import Engine

Words = Callable[[AsyncWebClient, str | None, str], Awaitable[Mapping[str, str]]]
"""The dialog's sentences in a person's Slack language: (client, team, user) -> messages."""


class HomeTab:
    """The listeners of the Home tab and the welcome, in each person's Slack language; `done`
    counts a delivery handled."""

    def __init__(
        self,
        engine: Engine,
        outbox: Outbox,
        locales: Locales,
        words: Words,
        *,
        docs_url: str | None,
        done: Callable[[], None],
    ) -> None:
        self.engine = engine
        self.outbox = outbox
        self.locales = locales
        self.words = words
        self.docs_url = docs_url
        self.done = done

    def register(self, app: AsyncApp) -> None:
        app.action(home.START_ACTION)(self.on_start)
        app.action(home.FORGET_ACTION)(self.on_forget)
        app.action(home.DOCS_ACTION)(self.on_docs_link)

    async def on_opened(
        self, event: dict[str, Any], context: AsyncBoltContext, client: AsyncWebClient
    ) -> None:
        user = event.get("user")
        if not user:
            return
        if event.get("tab") == "home":
            await self.publish(client, context.team_id, user)
        elif event.get("tab") == "messages" and event.get("channel"):
            await self.welcome_once(client, event["channel"], await self.words(client, context.team_id, user))

    async def on_start(
        self,
        ack: AsyncAck,
        body: dict[str, Any],
        action: dict[str, Any],
        context: AsyncBoltContext,
        client: AsyncWebClient,
    ) -> None:
        """ "Start a check" on the Home tab or under the welcome: the check, in the DM."""
        await ack()
        try:
            user = body["user"]["id"]
            team = context.team_id
            dm = await self.outbox.open_dm(client, user)
            if dm is None:
                if body.get("view"):
                    words = await self.words(client, team, user)
                    await self.publish(client, team, user, note=words["slack_dm_failed"])
                return
            key = key_of(context, dm, user)
            replies = await asyncio.to_thread(
                self.engine.open,
                key,
                person_of(context, user),
                event_id=action_event(context, body, action),
                locale=await self.locales.of(client, team, user),
            )
            await self.outbox.replies(client, dm, user, replies, key=key)
            if body.get("view"):  # clicked on the Home tab: say where the check went
                words = await self.words(client, team, user)
                await self.publish(client, team, user, note=words["slack_home_started"])
        finally:
            self.done()

    async def on_forget(
        self,
        ack: AsyncAck,
        body: dict[str, Any],
        action: dict[str, Any],
        context: AsyncBoltContext,
        client: AsyncWebClient,
    ) -> None:
        """ "Forget me" (after Slack's own confirmation dialog): the same as typing forget,
        and the Home tab then says it is done."""
        await ack()
        try:
            user = body["user"]["id"]
            replies = await asyncio.to_thread(
                self.engine.command,
                key_of(context, "home", user),
                person_of(context, user),
                "forget",
                event_id=action_event(context, body, action),
                locale=await self.locales.of(client, context.team_id, user),
            )
            if replies:
                note = " ".join(reply.text for reply in replies)
                await self.publish(client, context.team_id, user, note=note)
        finally:
            self.done()

    async def on_docs_link(self, ack: AsyncAck) -> None:
        """A link button: Slack opens the page itself and still sends the click, which only
        needs acknowledging (otherwise Slack shows a warning next to the button)."""
        await ack()
        self.done()

    async def publish(
        self, client: AsyncWebClient, team: str | None, user: str, *, note: str | None = None
    ) -> None:
        words = await self.words(client, team, user)
        view = home.home_view(words, docs_url=self.docs_url, note=note)
        await self.outbox.call(client.views_publish, user_id=user, view=view)

    async def welcome_once(self, client: AsyncWebClient, channel: str, words: Mapping[str, str]) -> None:
        """The welcome, while the DM is still empty (one message of history is enough to know)."""
        history = await self.outbox.call(client.conversations_history, channel=channel, limit=1)
        if history is not None and not history.get("messages"):
            await self.outbox.call(client.chat_postMessage, channel=channel, **home.welcome_message(words))

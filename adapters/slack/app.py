"""The Bolt app: Slack events, the slash command and button clicks in, engine replies out.

Translation only. Each listener acknowledges first (Bolt acknowledges events itself before the
listener runs; commands and clicks call `ack()` as their first step), then builds an
`Incoming`, runs the synchronous engine in a worker thread so SQLite or Redis never block the
event loop, and posts the replies as Block Kit messages.

Where kneebot talks:
- direct messages (`message.im`): the conversation itself;
- a mention in a channel or group DM (`app_mention`): a short note in a thread, and the
  conversation continues in a DM with that person, so health details stay out of shared places;
- `/kneepain`: an ephemeral note where it was typed (unless typed in the bot's DM) and the
  conversation in the DM.
Group DM messages are not read at all (no `message.mpim` subscription): only a mention there
reaches the bot, and it is handled like a channel mention.
"""

from __future__ import annotations

import asyncio
import logging
import re
from typing import Any

import aiohttp
from slack_bolt.async_app import AsyncAck, AsyncApp, AsyncBoltContext, AsyncRespond
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack import blocks
from bot.dialog import sentence_problems
from bot.engine import Engine, conversation_id
from bot.keys import conversation_key, person_ref
from bot.logs import quiet
from bot.messages import Incoming, Reply

log = logging.getLogger(__name__)

PLATFORM = "slack"
SLASH_COMMAND = "/kneepain"
BOT_EVENTS = ("message.im", "app_mention")
"""The Events API subscriptions the listeners below need (deploy/slack/manifest.yaml)."""
BOT_SCOPES = ("app_mentions:read", "chat:write", "commands", "im:history", "im:write")
"""chat:write posts, updates and ephemerals; im:write opens the DM; im:history receives DMs."""
SENTENCES: dict[str, frozenset[str]] = {
    "slack_moved_to_dm": frozenset(),
    "slack_not_yours": frozenset(),
    "slack_answered": frozenset({"answer"}),
    "slack_dm_failed": frozenset(),
    "slack_unauthorized": frozenset(),
}
"""The dialog messages the Slack adapter reads, with the placeholders each may use."""
DEFAULT_API_URL = "https://slack.com/api/"
NOISY_LOGGERS = ("slack_bolt", "slack_sdk", "aiohttp.access")
"""At DEBUG these print whole request and message bodies: health details must not reach logs."""


class SlackBot:
    """One Bolt `AsyncApp` wired to one engine; serve it over HTTP or Socket Mode."""

    def __init__(
        self,
        engine: Engine,
        *,
        token: str,
        signing_secret: str | None = None,
        api_url: str | None = None,
    ) -> None:
        problems = sentence_problems(engine.dialog.messages, SENTENCES)
        if problems:
            from bot.config import ConfigError

            raise ConfigError(f"the dialog file is not ready for Slack: {'; '.join(problems)}")
        self.engine = engine
        self.sentences = {name: engine.dialog.messages[name] for name in SENTENCES}
        base_url = (api_url or DEFAULT_API_URL).rstrip("/") + "/"
        client = AsyncWebClient(token=token, base_url=base_url)
        quiet(*NOISY_LOGGERS)
        # Bolt copies its base logger's level onto every logger it makes (per request, too),
        # so one WARNING logger here keeps all of Bolt from printing payloads at DEBUG.
        bolt_logger = logging.getLogger("slack_bolt.kneebot")
        bolt_logger.setLevel(logging.WARNING)
        bolt_logger.addFilter(_drop_token_skipped_warning)
        self.app = AsyncApp(
            name="kneebot",
            logger=bolt_logger,
            client=client,
            signing_secret=signing_secret or "",
            request_verification_enabled=signing_secret is not None,
            user_facing_authorize_error_message=self.sentences["slack_unauthorized"],
        )
        self.handled = 0
        """Deliveries fully processed (ignored ones included): tests wait on it, with a deadline."""
        self._session: aiohttp.ClientSession | None = None
        self.app.event("message")(self.on_message)
        self.app.event("app_mention")(self.on_mention)
        self.app.command(SLASH_COMMAND)(self.on_command)
        self.app.action(re.compile(blocks.ACTION_PATTERN))(self.on_choice)

    async def open_session(self) -> None:
        """One pooled HTTP session for every Web API call, made inside the running loop. Without
        it slack_sdk opens a new connection to Slack for each call (measured: a third of a
        turn's CPU); Bolt hands this session to every request's client."""
        if self._session is None:
            self._session = aiohttp.ClientSession()
            self.app.client.session = self._session

    async def close_session(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None
            self.app.client.session = None

    # ----- listeners -----------------------------------------------------------------------
    async def on_message(
        self, event: dict[str, Any], context: AsyncBoltContext, client: AsyncWebClient
    ) -> None:
        try:
            if event.get("channel_type") != "im" or _from_bot(event) or not event.get("user"):
                return
            await self._converse(client, context, event["channel"], event["user"], event)
        finally:
            self.handled += 1

    async def on_mention(
        self, event: dict[str, Any], context: AsyncBoltContext, client: AsyncWebClient
    ) -> None:
        try:
            user = event.get("user")
            if _from_bot(event) or not user:
                return
            channel = event["channel"]
            if channel.startswith("D"):  # a DM: the conversation is right here
                await self._converse(client, context, channel, user, event)
                return
            dm = await self._open_dm(client, user)
            if dm is None:
                await self._post(client, channel, self.sentences["slack_dm_failed"], thread=_thread(event))
                return
            replies = await self._turn(context, dm, user, event, text=self._without_mention(event, context))
            if replies:  # empty: a duplicate delivery, already answered
                await self._post(client, channel, self.sentences["slack_moved_to_dm"], thread=_thread(event))
                await self._send(client, dm, user, replies)
        finally:
            self.handled += 1

    async def on_command(
        self,
        ack: AsyncAck,
        body: dict[str, Any],
        context: AsyncBoltContext,
        client: AsyncWebClient,
        respond: AsyncRespond,
    ) -> None:
        await ack()
        try:
            user = body["user_id"]
            dm = await self._open_dm(client, user)
            if dm is None:
                await respond(
                    text=blocks.escape(self.sentences["slack_dm_failed"]), response_type="ephemeral"
                )
                return
            if dm != body.get("channel_id"):
                await respond(
                    text=blocks.escape(self.sentences["slack_moved_to_dm"]), response_type="ephemeral"
                )
            text = (body.get("text") or "").strip()
            key = self._key(context, dm, user)
            person = self._person(context, user)
            if text:  # "/kneepain I'm a runner": a first message like any other
                replies = await asyncio.to_thread(
                    self.engine.handle, Incoming(key=key, user=person, text=text)
                )
            else:  # a bare /kneepain: carry on with a check in progress, else start a new one
                replies = await asyncio.to_thread(self.engine.open, key, person)
            await self._send(client, dm, user, replies)
        finally:
            self.handled += 1

    async def on_choice(
        self,
        ack: AsyncAck,
        body: dict[str, Any],
        action: dict[str, Any],
        context: AsyncBoltContext,
        client: AsyncWebClient,
    ) -> None:
        await ack()
        try:
            await self._choice(body, action, context, client)
        finally:
            self.handled += 1

    # ----- steps ---------------------------------------------------------------------------
    async def _choice(
        self, body: dict[str, Any], action: dict[str, Any], context: AsyncBoltContext, client: AsyncWebClient
    ) -> None:
        user = body["user"]["id"]
        channel = (body.get("channel") or {}).get("id") or body["container"]["channel_id"]
        owner = blocks.owner_of(action.get("block_id"))
        if owner is not None and owner != user:
            await self._ephemeral(client, channel, user, self.sentences["slack_not_yours"])
            return
        message = body.get("message") or {}
        incoming = Incoming(
            key=self._key(context, channel, user),
            user=self._person(context, user),
            button=action.get("value") or "",
            event_id=f"{PLATFORM}:{context.team_id}:action:{channel}:{message.get('ts')}:{action.get('action_ts')}",
        )
        replies = await asyncio.to_thread(self.engine.handle, incoming)
        if not replies:
            return
        if replies[0].name == "stale_button":
            # The engine kept the answers as they were; say so privately and leave the old
            # question untouched. The current question follows as a normal message.
            await self._ephemeral(client, channel, user, replies[0].text)
            await self._send(client, channel, user, replies[1:])
            return
        if message.get("ts") and not body.get("container", {}).get("is_ephemeral"):
            label = (action.get("text") or {}).get("text", "")
            note = self.sentences["slack_answered"].format(answer=label)
            await self._call(
                client.chat_update,
                channel=channel,
                ts=message["ts"],
                text=message.get("text") or blocks.fallback(note),
                blocks=blocks.answered(message.get("blocks") or [], note),
            )
        await self._send(client, channel, user, replies)

    async def _converse(
        self,
        client: AsyncWebClient,
        context: AsyncBoltContext,
        channel: str,
        user: str,
        event: dict[str, Any],
    ) -> None:
        replies = await self._turn(context, channel, user, event, text=self._without_mention(event, context))
        await self._send(client, channel, user, replies)

    async def _turn(
        self, context: AsyncBoltContext, channel: str, user: str, event: dict[str, Any], *, text: str
    ) -> list[Reply]:
        """One engine turn. The delivery id is the message's channel and ts, which a retry and
        a mention also delivered as a message event share, so the store answers it once."""
        incoming = Incoming(
            key=self._key(context, channel, user),
            user=self._person(context, user),
            text=text,
            event_id=f"{PLATFORM}:{context.team_id}:{event.get('channel')}:{event.get('ts')}",
        )
        return await asyncio.to_thread(self.engine.handle, incoming)

    def _key(self, context: AsyncBoltContext, channel: str, user: str) -> str:
        return conversation_key(PLATFORM, context.team_id or context.enterprise_id, channel, user)

    def _person(self, context: AsyncBoltContext, user: str) -> str:
        return person_ref(PLATFORM, context.team_id or context.enterprise_id, user)

    @staticmethod
    def _without_mention(event: dict[str, Any], context: AsyncBoltContext) -> str:
        text = event.get("text") or ""
        if context.bot_user_id:
            text = re.sub(rf"<@{re.escape(context.bot_user_id)}(\|[^>]*)?>", " ", text)
        return text.strip()

    async def _open_dm(self, client: AsyncWebClient, user: str) -> str | None:
        response = await self._call(client.conversations_open, users=user)
        channel = (response or {}).get("channel") or {}
        return channel.get("id")

    async def _send(self, client: AsyncWebClient, channel: str, owner: str, replies: list[Reply]) -> None:
        for message in blocks.turn_messages(replies, owner=owner):
            await self._call(client.chat_postMessage, channel=channel, unfurl_links=False, **message)

    async def _post(
        self, client: AsyncWebClient, channel: str, sentence: str, *, thread: str | None = None
    ) -> None:
        message = {"text": blocks.fallback(sentence), "blocks": [blocks.section(blocks.escape(sentence))]}
        await self._call(client.chat_postMessage, channel=channel, thread_ts=thread, **message)

    async def _ephemeral(self, client: AsyncWebClient, channel: str, user: str, sentence: str) -> None:
        await self._call(
            client.chat_postEphemeral,
            channel=channel,
            user=user,
            text=blocks.fallback(sentence),
            blocks=[blocks.section(blocks.escape(sentence))],
        )

    async def _call(self, method: Any, **kwargs: Any) -> Any:
        """A Web API call whose failure is logged by method and error code, never by content."""
        try:
            return await method(**kwargs)
        except SlackApiError as exc:
            error = exc.response.get("error") if exc.response is not None else "unknown"
            where = kwargs.get("channel") or "-"
            log.error("slack %s failed: %s (channel %s)", method.__name__, error, conversation_id(str(where)))
            return None


def _drop_token_skipped_warning(record: logging.LogRecord) -> bool:
    """Bolt reads SLACK_BOT_TOKEN from the environment by itself and then warns that the client
    we built (with the token, and SLACK_API_URL) wins over it: true, intended, and only noise."""
    return "`token` will be unused" not in record.getMessage()


_PERSON_SUBTYPES = (None, "file_share", "thread_broadcast")
"""Message subtypes a person writes (with a photo attached, or a thread reply also sent to the
conversation); every other subtype is an edit, a deletion, a join or a bot's message."""


def _from_bot(event: dict[str, Any]) -> bool:
    """Other bots' and apps' messages, and edits, deletions, joins and the like."""
    return (
        bool(event.get("bot_id") or event.get("bot_profile")) or event.get("subtype") not in _PERSON_SUBTYPES
    )


def _thread(event: dict[str, Any]) -> str | None:
    return event.get("thread_ts") or event.get("ts")

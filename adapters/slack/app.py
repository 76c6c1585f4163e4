"""The Bolt app: Slack events, the slash command and button clicks in, engine replies out.

Translation only. Each listener acknowledges first (Bolt acknowledges events itself before the
listener runs; commands and clicks call `ack()` as their first step), then builds an
`Incoming`, runs the synchronous engine in a worker thread so SQLite or Redis never block the
event loop, and hands the replies to the `Outbox` (which never loses one quietly).

Where kneebot talks:
- direct messages (`message.im`): the conversation itself; a message written in a thread of
  the DM is answered in that thread;
- a mention in a channel or group DM (`app_mention`): a note only that person sees, and the
  conversation continues in a DM with them, so health details stay out of shared places;
- `/kneepain`: an ephemeral note where it was typed (unless typed in the bot's DM) and the
  conversation in the DM;
- the App Home (`app_home_opened`): the Home tab with "Start a check" and "Forget me", and a
  one-time welcome the first time someone opens the Messages tab (`adapters.slack.home_tab`).
Group DM messages are not read at all (no `message.mpim` subscription): only a mention there
reaches the bot, and it is handled like a channel mention. When a workspace uninstalls kneebot
or revokes access, what was held there goes (`adapters.slack.removal`).

One workspace with `SLACK_BOT_TOKEN`, or any number through Slack's OAuth install flow
(`adapters.slack.installs`): every listener works from the request's own workspace either way.
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Mapping
from typing import Any

import aiohttp
from slack_bolt.async_app import AsyncAck, AsyncApp, AsyncBoltContext, AsyncRespond
from slack_bolt.authorization.async_authorize import AsyncInstallationStoreAuthorize
from slack_bolt.oauth.async_oauth_settings import AsyncOAuthSettings
from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack import blocks, home
from adapters.slack.home_tab import HomeTab
from adapters.slack.ids import PLATFORM, action_event, key_of, person_of
from adapters.slack.locales import Locales
from adapters.slack.removal import Removal
from adapters.slack.send import Outbox, retry_handlers
from bot.dialog import sentence_problems
from bot.engine import Engine
from bot.logs import quiet
from bot.messages import Incoming, Reply
from bot.replies import picks_token

log = logging.getLogger(__name__)

SLASH_COMMAND = "/kneepain"
BOT_EVENTS = ("message.im", "app_mention", "app_home_opened", "app_uninstalled", "tokens_revoked")
"""The Events API subscriptions the listeners below need (deploy/slack/manifest.yaml)."""
BOT_SCOPES = ("app_mentions:read", "chat:write", "commands", "im:history", "im:write", "users:read")
"""chat:write posts, updates and ephemerals; im:write opens the DM; im:history receives DMs and
shows whether the Messages tab was ever used (for the welcome); users:read gives a person's
locale. The Home tab (views.publish) and the uninstall events need no scope."""
SENTENCES: dict[str, frozenset[str]] = {
    "slack_moved_to_dm": frozenset(),
    "slack_not_yours": frozenset(),
    "slack_answered": frozenset({"answer"}),
    "slack_dm_failed": frozenset(),
    "slack_unauthorized": frozenset(),
    **{name: frozenset() for name in home.SENTENCES},
}
"""The dialog messages the Slack adapter reads, with the placeholders each may use."""
DEFAULT_API_URL = "https://slack.com/api/"
NOISY_LOGGERS = ("slack_bolt", "slack_sdk", "aiohttp.access")
"""At DEBUG these print whole request and message bodies: health details must not reach logs."""


class SlackBot:
    """One Bolt `AsyncApp` wired to one engine; serve it over HTTP or Socket Mode.

    `token` serves the one workspace it belongs to; `oauth` (see `adapters.slack.installs`)
    serves every workspace that installs the app instead. `docs_url` is the Home tab's link."""

    def __init__(
        self,
        engine: Engine,
        *,
        token: str | None = None,
        signing_secret: str | None = None,
        api_url: str | None = None,
        oauth: AsyncOAuthSettings | None = None,
        docs_url: str | None = None,
    ) -> None:
        engine.languages.settle()  # every language's Slack sentences are checked before a start
        problems = [
            f"{code}: {problem}" if code != engine.languages.default else problem
            for code, dialogue in engine.languages.dialogues.items()
            for problem in sentence_problems(dialogue.dialog.messages, SENTENCES)
        ]
        if problems:
            from bot.config import ConfigError

            raise ConfigError(f"the dialog file is not ready for Slack: {'; '.join(problems)}")
        self.engine = engine
        self.signing_secret = signing_secret
        self.sentences = {name: engine.dialog.messages[name] for name in SENTENCES}
        self.outbox = Outbox(engine)
        self.locales = Locales()
        base_url = (api_url or DEFAULT_API_URL).rstrip("/") + "/"
        client = AsyncWebClient(token=token, base_url=base_url, retry_handlers=retry_handlers())
        quiet(*NOISY_LOGGERS)
        # Bolt copies its base logger's level onto every logger it makes (per request, too),
        # so one WARNING logger here keeps all of Bolt from printing payloads at DEBUG.
        bolt_logger = logging.getLogger("slack_bolt.kneebot")
        bolt_logger.setLevel(logging.WARNING)
        bolt_logger.addFilter(_drop_token_skipped_warning)
        many: dict[str, Any] = {}
        if oauth is not None:
            # auth.test once per workspace token and process, not on every request; no token is
            # cached, so an uninstall or a reinstall holds at once.
            many["oauth_settings"] = oauth
            many["authorize"] = AsyncInstallationStoreAuthorize(
                installation_store=oauth.installation_store,
                client_id=oauth.client_id,
                client_secret=oauth.client_secret,
                bot_only=True,
                cache_enabled=True,
                client=client,
                logger=bolt_logger,
            )
        self.app = AsyncApp(
            name="kneebot",
            logger=bolt_logger,
            client=client,
            signing_secret=signing_secret or "",
            request_verification_enabled=signing_secret is not None,
            user_facing_authorize_error_message=self.sentences["slack_unauthorized"],
            **many,
        )
        self.handled = 0
        """Deliveries fully processed (ignored ones included): tests wait on it, with a deadline."""
        self._session: aiohttp.ClientSession | None = None
        self.app.event("message")(self._counted(self.on_message))
        self.app.event("app_mention")(self._counted(self.on_mention))
        self.home_tab = HomeTab(
            engine, self.outbox, self.locales, self.words, docs_url=docs_url, done=self._done
        )
        self.app.event("app_home_opened")(self._counted(self.home_tab.on_opened))
        self.removal = Removal(engine, oauth.installation_store if oauth is not None else None)
        self.app.event("app_uninstalled")(self._counted(self.removal.on_uninstalled))
        self.app.event("tokens_revoked")(self._counted(self.removal.on_tokens_revoked))
        self.app.command(SLASH_COMMAND)(self.on_command)
        self.app.action(re.compile(blocks.ACTION_PATTERN))(self.on_choice)
        self.app.action(blocks.PICKS_ACTION)(self.on_tick)
        self.app.action(blocks.DONE_ACTION)(self.on_done)
        self.home_tab.register(self.app)

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

    def _done(self) -> None:
        self.handled += 1

    def _counted(self, listener: Any) -> Any:
        """An event listener that counts itself handled, however it ends."""

        async def counted(event: dict[str, Any], context: AsyncBoltContext, client: AsyncWebClient) -> None:
            try:
                await listener(event, context, client)
            finally:
                self.handled += 1

        counted.__name__ = listener.__name__
        return counted

    # ----- events --------------------------------------------------------------------------
    async def on_message(
        self, event: dict[str, Any], context: AsyncBoltContext, client: AsyncWebClient
    ) -> None:
        if event.get("channel_type") != "im" or _from_bot(event) or not event.get("user"):
            return
        channel, user = event["channel"], event["user"]
        replies = await self._turn(client, context, channel, user, event)
        await self.outbox.replies(
            client,
            channel,
            user,
            replies,
            key=key_of(context, channel, user),
            thread=event.get("thread_ts"),
        )

    async def on_mention(
        self, event: dict[str, Any], context: AsyncBoltContext, client: AsyncWebClient
    ) -> None:
        user = event.get("user")
        if _from_bot(event) or not user:
            return
        channel = event["channel"]
        if channel.startswith("D"):  # a DM: the conversation is right here
            replies = await self._turn(client, context, channel, user, event)
            key = key_of(context, channel, user)
            await self.outbox.replies(client, channel, user, replies, key=key, thread=event.get("thread_ts"))
            return
        # Said only to the person (ephemeral), under their mention if it was in a thread.
        thread = event.get("thread_ts")
        words = await self.words(client, context.team_id, user)
        dm = await self.outbox.open_dm(client, user)
        if dm is None:
            await self.outbox.note(client, channel, words["slack_dm_failed"], only_for=user, thread=thread)
            return
        replies = await self._turn(client, context, dm, user, event)
        if replies:  # empty: a duplicate delivery, already answered
            await self.outbox.note(client, channel, words["slack_moved_to_dm"], only_for=user, thread=thread)
            await self.outbox.replies(client, dm, user, replies, key=key_of(context, dm, user))

    async def words(self, client: AsyncWebClient, team: str | None, user: str) -> Mapping[str, str]:
        """The dialog's sentences in the person's Slack language when kneebot speaks it, else
        the main dialog's (the locale is looked up once and cached, as for their turns)."""
        languages = self.engine.languages
        code = languages.of_locale(await self.locales.of(client, team, user)) or languages.default
        return languages[code].dialog.messages

    # ----- the slash command ------------------------------------------------------------------
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
            words = await self.words(client, context.team_id, user)
            dm = await self.outbox.open_dm(client, user)
            if dm is None:
                await respond(text=blocks.escape(words["slack_dm_failed"]), response_type="ephemeral")
                return
            if dm != body.get("channel_id"):
                await respond(text=blocks.escape(words["slack_moved_to_dm"]), response_type="ephemeral")
            text = (body.get("text") or "").strip()
            key = key_of(context, dm, user)
            person = person_of(context, user)
            locale = await self.locales.of(client, context.team_id, user)
            if text:  # "/kneepain I'm a runner": a first message like any other
                incoming = Incoming(key=key, user=person, text=text, locale=locale)
                replies = await asyncio.to_thread(self.engine.handle, incoming)
            else:  # a bare /kneepain: carry on with a check in progress, else start a new one
                replies = await asyncio.to_thread(self.engine.open, key, person, locale=locale)
            await self.outbox.replies(client, dm, user, replies, key=key)
        finally:
            self.handled += 1

    # ----- buttons ----------------------------------------------------------------------------
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

    async def on_tick(self, ack: AsyncAck) -> None:
        """A box ticked or unticked: nothing to do until Done sends them all."""
        await ack()
        self.handled += 1

    async def on_done(
        self,
        ack: AsyncAck,
        body: dict[str, Any],
        action: dict[str, Any],
        context: AsyncBoltContext,
        client: AsyncWebClient,
    ) -> None:
        """Done under a multi-select question: one answer carrying every ticked option (the
        boxes' state comes with the click), or "none of these" when nothing is ticked."""
        await ack()
        try:
            chosen = blocks.ticked(body, action.get("block_id") or "")
            if chosen:
                try:
                    token = picks_token([value for value, _ in chosen])
                except ValueError:  # not boxes we drew for one question: a stale answer
                    token = ""
                label = ", ".join(label for _, label in chosen)
            else:
                token = action.get("value") or ""
                label = blocks.label_of((body.get("message") or {}).get("blocks") or [], token)
            await self._choice(body, {**action, "value": token, "text": {"text": label}}, context, client)
        finally:
            self.handled += 1

    # ----- steps ---------------------------------------------------------------------------
    async def _choice(
        self, body: dict[str, Any], action: dict[str, Any], context: AsyncBoltContext, client: AsyncWebClient
    ) -> None:
        user = body["user"]["id"]
        channel = (body.get("channel") or {}).get("id") or body["container"]["channel_id"]
        owner = blocks.owner_of(action.get("block_id"))
        words = await self.words(client, context.team_id, user)
        if owner is not None and owner != user:
            await self.outbox.note(client, channel, words["slack_not_yours"], only_for=user)
            return
        message = body.get("message") or {}
        thread = message.get("thread_ts") or (body.get("container") or {}).get("thread_ts")
        key = key_of(context, channel, user)
        incoming = Incoming(
            key=key,
            user=person_of(context, user),
            button=action.get("value") or "",
            event_id=action_event(context, body, action),
            locale=await self.locales.of(client, context.team_id, user),  # cached by `words`
        )
        replies = await asyncio.to_thread(self.engine.handle, incoming)
        if not replies:
            return
        if replies[0].name == "stale_button":
            # The engine kept the answers as they were; say so privately and leave the old
            # question untouched. The current question follows as a normal message.
            await self.outbox.note(client, channel, replies[0].text, only_for=user, thread=thread)
            await self.outbox.replies(client, channel, user, replies[1:], key=key, thread=thread)
            return
        if message.get("ts") and not body.get("container", {}).get("is_ephemeral"):
            label = (action.get("text") or {}).get("text", "")
            note = words["slack_answered"].format(answer=label)
            await self.outbox.call(
                client.chat_update,
                channel=channel,
                ts=message["ts"],
                text=message.get("text") or blocks.fallback(note),
                blocks=blocks.answered(message.get("blocks") or [], note),
            )
        await self.outbox.replies(client, channel, user, replies, key=key, thread=thread)

    async def _turn(
        self,
        client: AsyncWebClient,
        context: AsyncBoltContext,
        channel: str,
        user: str,
        event: dict[str, Any],
    ) -> list[Reply]:
        """One engine turn for a message. The delivery id is the message's channel and ts,
        which a retry and a mention also delivered as a message event share, so the store
        answers it once."""
        incoming = Incoming(
            key=key_of(context, channel, user),
            user=person_of(context, user),
            text=self._without_mention(event, context),
            event_id=f"{PLATFORM}:{context.team_id}:{event.get('channel')}:{event.get('ts')}",
            locale=await self.locales.of(client, context.team_id, user),
        )
        return await asyncio.to_thread(self.engine.handle, incoming)

    @staticmethod
    def _without_mention(event: dict[str, Any], context: AsyncBoltContext) -> str:
        text = event.get("text") or ""
        if context.bot_user_id:
            text = re.sub(rf"<@{re.escape(context.bot_user_id)}(\|[^>]*)?>", " ", text)
        return text.strip()


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

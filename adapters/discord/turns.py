"""Discord activity to engine turns and back: the /kneepain command, button clicks, typed DMs.

Where a conversation happens is decided here. A check holds health details, so it never runs in
a server channel for others to see: `/kneepain` in a server answers with a private (ephemeral)
note and carries on in a direct message, which persists and survives restarts; only when the
person's privacy settings refuse the DM does it carry on with ephemeral messages in the server
(those vanish on reload and cannot be edited after the interaction token's 15 minutes, which is
why they are the fallback and not the rule). In the DM, typed answers work as well as buttons.

Every interaction is acknowledged (deferred) before the engine runs, and the engine, which is
synchronous and may wait on SQLite or Redis, runs in a worker thread off the event loop. A
duplicate delivery is left to the first: one Discord refuses to have acknowledged twice is
dropped quietly, and one the engine answers with nothing has its "thinking…" deleted.

`/kneepain` offers two options besides opening the check: help (answered where the check is)
and forget (answered privately right where it was asked). Each interaction's locale goes to the
engine (`Incoming.locale`); a DM message has none of its own, so it gets the locale of the
person's latest interaction, when there was one recently. A check opened from a server
remembers that server (`Incoming.origin`), so the server removing kneebot deletes it.
"""

from __future__ import annotations

import asyncio
import functools
import logging
from collections.abc import Awaitable, Mapping
from typing import Any, Literal

import discord
from cachetools import TTLCache

from adapters.discord.deliver import Send, Sender
from adapters.discord.layout import NO_MENTIONS, answered_text
from bot.engine import Engine, conversation_id
from bot.keys import conversation_key, person_ref, place_ref
from bot.messages import Incoming, Reply

log = logging.getLogger(__name__)

PLATFORM = "discord"

Option = Literal["open", "help", "forget"]
"""What `/kneepain` was asked for: open the check (no option), help, or forget."""

LOCALE_SECONDS = 24 * 60 * 60
MAX_PEOPLE = 10_000

ALREADY_ACKNOWLEDGED = 40060
"""Discord's error code for a second response to one interaction."""


def person(user_id: int) -> str:
    """One person across every server and DM: `forget` in one place forgets them everywhere."""
    return person_ref(PLATFORM, "-", user_id)


def key_for(guild_id: int | None, channel_id: int | None, user_id: int) -> str:
    """A DM conversation is keyed by its DM channel; an ephemeral one by server and channel."""
    return conversation_key(PLATFORM, guild_id or "dm", channel_id, user_id)


def event_id(snowflake: int) -> str:
    return f"{PLATFORM}:{snowflake}"


def place_of(guild_id: int | None) -> str | None:
    """The server a conversation is opened from, so it is deleted when that server removes kneebot."""
    return place_ref(PLATFORM, guild_id) if guild_id else None


class Turns:
    """Runs the engine for Discord events and sends the replies back. One per client."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.sender = Sender(engine)
        self._locales: TTLCache[int, str] = TTLCache(maxsize=MAX_PEOPLE, ttl=LOCALE_SECONDS)
        """Each person's locale from their latest interaction, for their DM messages."""

    @property
    def messages(self) -> Mapping[str, str]:
        return self.engine.dialog.messages

    def words(self, interaction: discord.Interaction) -> Mapping[str, str]:
        """The dialog's sentences in the person's Discord language, when kneebot speaks it."""
        languages = self.engine.languages
        code = languages.of_locale(getattr(interaction.locale, "value", None)) or languages.default
        return languages[code].dialog.messages

    # ----- the engine, off the event loop ---------------------------------------------------
    async def _handle(self, incoming: Incoming) -> list[Reply]:
        return await asyncio.to_thread(self.engine.handle, incoming)

    def _locale(self, interaction: discord.Interaction) -> str | None:
        """The locale of the person's Discord client ("en-US", "es-ES"), remembered for a while."""
        locale = getattr(interaction.locale, "value", None)
        if isinstance(locale, str) and locale:
            self._locales[interaction.user.id] = locale
            return locale
        return None

    async def _opening(
        self, interaction: discord.Interaction, key: str, event: str, option: Option = "open"
    ) -> tuple[list[Reply], bool]:
        """Open kneebot for /kneepain (or its help or forget): carry on with a check in
        progress, or start one. The flag says whether a new check was started (and may be
        discarded if never shown)."""
        replies = await asyncio.to_thread(
            self.engine.command,
            key,
            person(interaction.user.id),
            option,
            event_id=event,
            locale=self._locale(interaction),
            origin=place_of(interaction.guild_id),
        )
        return replies, any(reply.name == "greeting" for reply in replies)

    async def _send_all(self, send: Send, replies: list[Reply], key: str) -> list[Any]:
        return await self.sender.replies(send, replies, key=key)

    async def left(self, guild_id: int) -> None:
        """kneebot was removed from a server (or the server deleted): everything held for it
        goes, and what was started there and carried on in DMs."""
        await asyncio.to_thread(self.engine.forget_place, place_ref(PLATFORM, guild_id))

    async def _acknowledge(self, interaction: discord.Interaction, **defer: Any) -> bool:
        """Defer before the engine runs. False when this interaction was already acknowledged
        (Discord delivered it twice, say to two processes during a deploy): the delivery that
        acknowledged it answers, and this one has nothing to do."""
        try:
            await interaction.response.defer(**defer)
        except discord.HTTPException as exc:
            if exc.code != ALREADY_ACKNOWLEDGED:
                raise
            log.info("discord interaction %s was already acknowledged: a duplicate delivery", interaction.id)
            return False
        return True

    async def _duplicate(self, interaction: discord.Interaction, key: str) -> None:
        """The engine answered this event already (it returned nothing): take this delivery's
        "thinking…" away rather than leave it spinning."""
        await self._guarded("command", key, interaction.delete_original_response())

    # ----- /kneepain ----------------------------------------------------------------------
    async def command(self, interaction: discord.Interaction, option: Option = "open") -> None:
        if option == "forget":
            await self._forget(interaction)
            return
        user_id = interaction.user.id
        if interaction.context.dm_channel:  # already private: answer right here
            if not await self._acknowledge(interaction, thinking=True):
                return
            key = key_for(None, interaction.channel_id, user_id)
            replies, _ = await self._opening(interaction, key, event_id(interaction.id), option)
            if not replies:
                await self._duplicate(interaction, key)
                return
            followup = functools.partial(interaction.followup.send, wait=True)
            await self._guarded("command", key, self._send_all(followup, replies, key))
            return
        if not await self._acknowledge(interaction, ephemeral=True, thinking=True):
            return
        try:
            channel = await interaction.user.create_dm()
            key = key_for(None, channel.id, user_id)
            replies, started = await self._opening(interaction, key, event_id(interaction.id), option)
            if not replies:
                await self._duplicate(interaction, key)
                return
            try:
                sent = await self._send_all(channel.send, replies, key)
            except discord.Forbidden:  # the person's privacy settings refuse DMs from apps
                if started:
                    await asyncio.to_thread(self.engine.discard, key)
                await self._carry_on_here(interaction, option)
                return
        except discord.HTTPException as exc:
            log.warning("discord DM failed: HTTP %s, code %s", exc.status, exc.code)
            apology = self.words(interaction)["error"]
            await interaction.edit_original_response(content=apology, allowed_mentions=NO_MENTIONS)
            return
        note = self.words(interaction)["discord_moved_to_dm"].format(link=sent[0].jump_url if sent else "")
        await self._guarded(
            "command", key, interaction.edit_original_response(content=note, allowed_mentions=NO_MENTIONS)
        )

    async def _forget(self, interaction: discord.Interaction) -> None:
        """`/kneepain forget`: everything held about the person goes, and only they are told,
        right where they asked (nothing of a check is shown, so no DM is needed)."""
        private = not interaction.context.dm_channel
        if not await self._acknowledge(interaction, ephemeral=private, thinking=True):
            return
        key = key_for(interaction.guild_id, interaction.channel_id, interaction.user.id)
        replies, _ = await self._opening(interaction, key, event_id(interaction.id), "forget")
        if not replies:
            await self._duplicate(interaction, key)
            return
        answer = functools.partial(interaction.followup.send, ephemeral=private, wait=True)
        await self._guarded("command", key, self._send_all(answer, replies, key))

    async def _carry_on_here(self, interaction: discord.Interaction, option: Option) -> None:
        """Ephemeral messages in the server channel: private, but gone on reload."""
        key = key_for(interaction.guild_id, interaction.channel_id, interaction.user.id)
        replies, _ = await self._opening(interaction, key, event_id(interaction.id) + ":here", option)
        note = self.words(interaction)["discord_dm_closed"]
        await interaction.edit_original_response(content=note, allowed_mentions=NO_MENTIONS)
        private = functools.partial(interaction.followup.send, ephemeral=True, wait=True)
        await self._guarded("command", key, self._send_all(private, replies, key))

    # ----- a button -----------------------------------------------------------------------
    async def click(self, interaction: discord.Interaction, token: str, label: str) -> None:
        if not await self._acknowledge(interaction):  # acknowledged; nothing changes on screen yet
            return
        key = key_for(interaction.guild_id, interaction.channel_id, interaction.user.id)
        incoming = Incoming(
            key=key,
            user=person(interaction.user.id),
            button=token,
            event_id=event_id(interaction.id),
            locale=self._locale(interaction),
        )
        replies = await self._handle(incoming)
        if not replies:  # a duplicate delivery: the first one answered
            return
        message = interaction.message
        in_private = message is not None and message.flags.ephemeral
        if any(reply.name == "stale_button" for reply in replies):
            # An old question: a gentle note only the clicker sees; the old message stays as it was.
            in_private = True
        elif message is not None:
            shown = answered_text(self.words(interaction)["discord_answered"], message.content, label)
            await self._guarded(
                "click",
                key,
                interaction.edit_original_response(content=shown, view=None, allowed_mentions=NO_MENTIONS),
            )
        channel = interaction.channel
        send: Send
        if in_private or not isinstance(channel, discord.abc.Messageable):
            send = functools.partial(interaction.followup.send, ephemeral=in_private, wait=True)
        else:
            send = channel.send
        await self._guarded("click", key, self._send_all(send, replies, key))

    # ----- a typed message in a DM ----------------------------------------------------------
    async def typed(self, message: discord.Message) -> None:
        if message.author.bot or message.webhook_id is not None:
            return  # never answer a bot, ourselves included
        if message.guild is not None or not isinstance(message.channel, discord.DMChannel):
            return  # server channels are public; there the check is /kneepain
        if message.type not in (discord.MessageType.default, discord.MessageType.reply):
            return
        key = key_for(None, message.channel.id, message.author.id)
        incoming = Incoming(
            key=key,
            user=person(message.author.id),
            text=message.content,
            event_id=event_id(message.id),
            locale=self._locales.get(message.author.id),  # a message has no locale of its own
        )
        replies = await self._handle(incoming)
        await self._guarded("message", key, self._send_all(message.channel.send, replies, key))

    # ----- failures -------------------------------------------------------------------------
    async def _guarded(self, what: str, key: str, sending: Awaitable[Any]) -> None:
        """A refused send is logged with ids and Discord's error code, never the text."""
        try:
            await sending
        except discord.HTTPException as exc:
            log.warning(
                "discord %s reply failed for conversation %s: HTTP %s, code %s",
                what,
                conversation_id(key),
                exc.status,
                exc.code,
            )

"""`kneebot discord`: the discord.py client, its `/kneepain` command, and start-up.

The client asks for no privileged intent: slash commands and buttons arrive as interactions,
and Discord delivers the text of direct messages to a bot without the message-content intent.
It caches no messages (they may hold health details) and allows no mentions in anything it
sends. The command is synced once, in `setup_hook`, which discord.py calls once per login; a
gateway reconnect (which fires `on_ready` again) never re-syncs. Removed from a server
(`on_guild_remove`), it deletes every conversation started there.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from typing import Any

import aiohttp
import discord
import discord.http
from discord import app_commands

from adapters.discord.layout import NO_MENTIONS, ChoiceButton, PicksSelect
from adapters.discord.turns import Option, Turns
from bot.config import ConfigError, Settings
from bot.dialog import sentence_problems
from bot.engine import Engine
from bot.logs import quiet

log = logging.getLogger(__name__)

COMMAND_NAME = "kneepain"
SENTENCES: dict[str, frozenset[str]] = {
    "discord_command_description": frozenset(),
    "discord_moved_to_dm": frozenset({"link"}),
    "discord_dm_closed": frozenset(),
    "discord_answered": frozenset({"question", "answer"}),
    "discord_option_name": frozenset(),
    "discord_option_description": frozenset(),
    "discord_option_help": frozenset(),
    "discord_option_forget": frozenset(),
}
"""The dialog messages the Discord adapter reads, with the placeholders each may use."""
OPTIONS: dict[str, Option] = {"help": "help", "forget": "forget"}
"""The values of /kneepain's option; anything else opens the check."""
OPTION_NAME = re.compile(r"[-_\w]{1,32}")
"""Discord's rule for an option's name (lowercase too); a description or choice: 1-100 characters."""


def check_sentences(messages: Mapping[str, str]) -> None:
    """Fail at start, naming every problem, rather than in the middle of someone's turn."""
    problems = sentence_problems(messages, SENTENCES)
    name = messages.get("discord_option_name", "")
    if name and not (OPTION_NAME.fullmatch(name) and name == name.lower()):
        problems.append(f"discord_option_name {name!r} must be one lowercase word of at most 32 characters")
    for key in ("discord_option_description", "discord_option_help", "discord_option_forget"):
        if len(messages.get(key, "")) > 100:
            problems.append(f"{key} is longer than Discord's 100 characters")
    if problems:
        raise ConfigError(f"the dialog file is not ready for Discord: {'; '.join(problems)}")


def intents() -> discord.Intents:
    """Server and DM events only; nothing privileged (no members, presences or message content)."""
    wanted = discord.Intents.none()
    wanted.guilds = True
    wanted.dm_messages = True
    return wanted


class DialogTranslator(app_commands.Translator):
    """`/kneepain` in every language kneebot speaks: Discord shows each person the command's
    description and option in their client's language, from that language's dialog file
    (each text is marked with the dialog message it comes from)."""

    def __init__(self, messages: Mapping[str, Mapping[str, str]]) -> None:
        self.messages = messages  # language code -> that dialog's messages

    async def translate(
        self,
        string: app_commands.locale_str,
        locale: discord.Locale,
        context: app_commands.TranslationContextTypes,
    ) -> str | None:
        name = string.extras.get("message")
        words = self.messages.get(locale.value.split("-", 1)[0])
        if not name or words is None or name not in words:
            return None
        text = words[name]
        return text[:100] if name != "discord_option_name" else text.lower().replace(" ", "_")[:32]


def _said(words: Mapping[str, str], name: str, limit: int = 100) -> app_commands.locale_str:
    return app_commands.locale_str(words[name][:limit], message=name)


def kneepain_command(turns: Turns, words: Mapping[str, str]) -> app_commands.Command[Any, ..., None]:
    """`/kneepain`, usable in servers, in the bot's DMs, and (user-installed) in other DMs; its
    one optional option offers help and forget (names and wording from the dialog, in every
    language it has: see `DialogTranslator`)."""

    async def kneepain(
        interaction: discord.Interaction, what: app_commands.Choice[str] | None = None
    ) -> None:
        await turns.command(interaction, OPTIONS.get(what.value, "open") if what else "open")

    kneepain = app_commands.choices(
        what=[
            app_commands.Choice(name=_said(words, "discord_option_help"), value="help"),
            app_commands.Choice(name=_said(words, "discord_option_forget"), value="forget"),
        ]
    )(kneepain)
    kneepain = app_commands.describe(what=_said(words, "discord_option_description"))(kneepain)
    kneepain = app_commands.rename(what=_said(words, "discord_option_name", 32))(kneepain)
    return app_commands.Command(
        name=COMMAND_NAME,
        description=_said(words, "discord_command_description"),
        callback=kneepain,
        allowed_contexts=app_commands.AppCommandContext(guild=True, dm_channel=True, private_channel=True),
        allowed_installs=app_commands.AppInstallationType(guild=True, user=True),
    )


class KneeClient(discord.Client):
    """A discord.py client that turns interactions and DMs into engine turns."""

    def __init__(self, engine: Engine, *, sync_guild: int | None = None, **options: Any) -> None:
        for dialogue in engine.languages.dialogues.values():
            check_sentences(dialogue.dialog.messages)
        options.setdefault("intents", intents())
        options.setdefault("max_messages", None)
        super().__init__(allowed_mentions=NO_MENTIONS, **options)
        self.turns = Turns(engine)
        self.sync_guild = sync_guild
        self.was_ready = False
        """Set on the first READY: a failure before it is a start that could not reach Discord."""
        self.tree = app_commands.CommandTree(self)
        self.tree.add_command(kneepain_command(self.turns, engine.dialog.messages))

    @property
    def syncs_commands(self) -> bool:
        """With several shard processes, only shard 0 syncs: the command list is global."""
        return self.shard_id in (None, 0)

    async def setup_hook(self) -> None:
        """Once per login: route our buttons by custom id, then sync the command."""
        self.add_dynamic_items(ChoiceButton, PicksSelect)
        if not self.syncs_commands:
            return
        languages = self.turns.engine.languages.dialogues
        await self.tree.set_translator(
            DialogTranslator({code: dialogue.dialog.messages for code, dialogue in languages.items()})
        )
        guild = discord.Object(id=self.sync_guild) if self.sync_guild else None
        if guild is not None:
            self.tree.copy_global_to(guild=guild)
        synced = await self.tree.sync(guild=guild)
        where = f"server {self.sync_guild}" if guild is not None else "all servers and DMs (global)"
        log.info("synced %d slash command(s) to %s", len(synced), where)

    async def on_ready(self) -> None:
        self.was_ready = True
        log.info(
            "connected to Discord as %s (id %s) in %d server(s)",
            self.user,
            self.application_id,
            len(self.guilds),
        )

    async def on_message(self, message: discord.Message) -> None:
        await self.turns.typed(message)

    async def on_guild_remove(self, guild: discord.Guild) -> None:
        """Kicked, banned, or the server deleted: nothing held for it is kept."""
        await self.turns.left(guild.id)
        log.info("left a server: its conversations were deleted")


def quiet_discord_logs() -> None:
    """discord.py logs request bodies and gateway events (message text) at DEBUG: never let
    them through, whatever LOG_LEVEL says; keep its connection news at INFO. Its warnings that
    voice support is missing (PyNaCl, davey) are about a feature kneebot never uses: dropped."""
    quiet("discord", level=max(logging.INFO, logging.getLogger().getEffectiveLevel()))
    client_log = logging.getLogger("discord.client")
    if _no_voice_warnings not in client_log.filters:
        client_log.addFilter(_no_voice_warnings)


def _no_voice_warnings(record: logging.LogRecord) -> bool:
    return "voice will NOT be supported" not in record.getMessage()


def run_discord(settings: Settings, engine: Engine) -> int:
    settings.require("discord_token")
    quiet_discord_logs()
    client = KneeClient(
        engine,
        sync_guild=settings.discord_guild_id,
        shard_id=settings.discord_shard_id,
        shard_count=settings.discord_shard_count,
    )
    ops = None
    if settings.health_port is not None:
        from adapters.ops import start_ops_server
        from bot.metrics import metrics_for

        ops = start_ops_server(
            settings,
            engine,
            metrics_for(engine),
            platform_ready=lambda: client.is_ready() and not client.is_closed(),
        )
    try:
        client.run(settings.discord_token or "", log_handler=None)
    except discord.LoginFailure:
        raise ConfigError(
            "Discord refused DISCORD_TOKEN: copy the bot token again from the Developer Portal "
            "(your application > Bot > Reset Token)"
        ) from None
    except (aiohttp.ClientError, OSError, discord.GatewayNotFound, discord.HTTPException) as exc:
        if client.was_ready:
            raise  # it ran, then failed: not a start-up problem; let it be seen (and restarted)
        raise ConfigError(
            f"cannot reach Discord at {discord.http.Route.BASE} ({_reason(exc)}): check this "
            "machine's network and DNS, then start again"
        ) from None
    finally:
        if ops is not None:
            ops.stop()
    return 0


def _reason(exc: BaseException) -> str:
    """A short reason: the OS's words when there are some, else the error's own."""
    cause = getattr(exc, "os_error", None) or exc
    return getattr(cause, "strerror", None) or str(exc) or type(exc).__name__

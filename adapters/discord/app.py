"""`kneebot discord`: the discord.py client, its `/kneepain` command, and start-up.

The client asks for no privileged intent: slash commands and buttons arrive as interactions,
and Discord delivers the text of direct messages to a bot without the message-content intent.
It caches no messages (they may hold health details) and allows no mentions in anything it
sends. The command is synced once, in `setup_hook`, which discord.py calls once per login; a
gateway reconnect (which fires `on_ready` again) never re-syncs.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

import discord
from discord import app_commands

from adapters.discord.layout import NO_MENTIONS, ChoiceButton
from adapters.discord.turns import Turns
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
}
"""The dialog messages the Discord adapter reads, with the placeholders each may use."""


def check_sentences(messages: Mapping[str, str]) -> None:
    """Fail at start, naming every problem, rather than in the middle of someone's turn."""
    problems = sentence_problems(messages, SENTENCES)
    if problems:
        raise ConfigError(f"the dialog file is not ready for Discord: {'; '.join(problems)}")


def intents() -> discord.Intents:
    """Server and DM events only; nothing privileged (no members, presences or message content)."""
    wanted = discord.Intents.none()
    wanted.guilds = True
    wanted.dm_messages = True
    return wanted


def kneepain_command(turns: Turns, description: str) -> app_commands.Command[Any, ..., None]:
    """`/kneepain`, usable in servers, in the bot's DMs, and (user-installed) in other DMs."""

    async def kneepain(interaction: discord.Interaction) -> None:
        await turns.command(interaction)

    return app_commands.Command(
        name=COMMAND_NAME,
        description=description[:100],
        callback=kneepain,
        allowed_contexts=app_commands.AppCommandContext(guild=True, dm_channel=True, private_channel=True),
        allowed_installs=app_commands.AppInstallationType(guild=True, user=True),
    )


class KneeClient(discord.Client):
    """A discord.py client that turns interactions and DMs into engine turns."""

    def __init__(self, engine: Engine, *, sync_guild: int | None = None, **options: Any) -> None:
        check_sentences(engine.dialog.messages)
        options.setdefault("intents", intents())
        options.setdefault("max_messages", None)
        super().__init__(allowed_mentions=NO_MENTIONS, **options)
        self.turns = Turns(engine)
        self.sync_guild = sync_guild
        self.tree = app_commands.CommandTree(self)
        self.tree.add_command(
            kneepain_command(self.turns, engine.dialog.messages["discord_command_description"])
        )

    @property
    def syncs_commands(self) -> bool:
        """With several shard processes, only shard 0 syncs: the command list is global."""
        return self.shard_id in (None, 0)

    async def setup_hook(self) -> None:
        """Once per login: route our buttons by custom id, then sync the command."""
        self.add_dynamic_items(ChoiceButton)
        if not self.syncs_commands:
            return
        guild = discord.Object(id=self.sync_guild) if self.sync_guild else None
        if guild is not None:
            self.tree.copy_global_to(guild=guild)
        synced = await self.tree.sync(guild=guild)
        where = f"server {self.sync_guild}" if guild is not None else "all servers and DMs (global)"
        log.info("synced %d slash command(s) to %s", len(synced), where)

    async def on_ready(self) -> None:
        log.info(
            "connected to Discord as %s (id %s) in %d server(s)",
            self.user,
            self.application_id,
            len(self.guilds),
        )

    async def on_message(self, message: discord.Message) -> None:
        await self.turns.typed(message)


def quiet_discord_logs() -> None:
    """discord.py logs request bodies and gateway events (message text) at DEBUG: never let
    them through, whatever LOG_LEVEL says; keep its connection news at INFO."""
    quiet("discord", level=max(logging.INFO, logging.getLogger().getEffectiveLevel()))


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
    finally:
        if ops is not None:
            ops.stop()
    return 0

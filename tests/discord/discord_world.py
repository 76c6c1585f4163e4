"""The real adapter (discord.py client, engine, SQLite) against the fake Discord, driven step by
step from synchronous tests.

Everything runs in one private event loop: the fake's HTTP server and gateway, and the bot.
Each step (someone types, runs /kneepain, clicks) sends the event over the gateway, waits until
the bot has read it and finished every handler it started, and returns the messages that
person can now see that are new. No sleeps: "finished" is known, not guessed.
"""

from __future__ import annotations

import asyncio
import contextlib
import copy
import threading
from collections.abc import Coroutine, Iterator
from pathlib import Path
from typing import Any, TypeVar

import discord
import discord.gateway
import discord.http
import yarl
from discord_fake import FakeDiscord, Shown, payload

from adapters.discord import KneeClient
from bot.engine import Engine, build_engine
from bot.store import SQLiteStore

T = TypeVar("T")

TOKEN = "MTE4MDAwMDAwMDAwMDAwMDAwMQ.Gx1abc.fake-token-for-tests"
STEP_TIMEOUT = 20.0
"""A safety net so a broken step fails instead of hanging; steps take milliseconds."""

MASON: dict[str, Any] = payload("command_in_dm")["user"]
SERVER_CHANNEL = int(payload("command_in_server")["channel_id"])
GUILD = int(payload("command_in_server")["guild_id"])

_HANDLER_TASKS = ("discord.py: on_", "CommandTree-invoker", "discord-ui-")


def another_person(user_id: int, name: str) -> dict[str, Any]:
    user = copy.deepcopy(MASON)
    user.update(id=str(user_id), username=name, global_name=name.title())
    return user


def buttons(shown: Shown | dict[str, Any]) -> list[tuple[str, str]]:
    """(label, custom_id) of every button on a message, in order."""
    data = shown.data if isinstance(shown, Shown) else shown
    return [
        (button.get("label", ""), button.get("custom_id", ""))
        for row in data.get("components", [])
        for button in row.get("components", [])
        if button.get("type") == 2
    ]


def menus(shown: Shown | dict[str, Any]) -> list[dict[str, Any]]:
    """Every select menu on a message (a multi-select question's options)."""
    data = shown.data if isinstance(shown, Shown) else shown
    return [c for row in data.get("components", []) for c in row.get("components", []) if c.get("type") == 3]


def choices(shown: Shown | dict[str, Any]) -> tuple[str, ...]:
    """What the person can choose on a message, in order: a menu's options, then the buttons."""
    in_menus = [option["label"] for menu in menus(shown) for option in menu.get("options", [])]
    return (*in_menus, *(label for label, _ in buttons(shown)))


class DiscordWorld:
    def __init__(
        self,
        db_path: Path,
        *,
        dialog_path: Path | None = None,
        sync_guild: int | None = None,
        engine_factory: Any = None,
        store_factory: Any = None,
    ) -> None:
        """`store_factory`: makes the store each start of the bot uses (default: SQLite at
        `db_path`); called again on a restart, as a new process would open it."""
        self.db_path = db_path
        self.dialog_path = dialog_path
        self.sync_guild = sync_guild
        self.store_factory = store_factory or (lambda: SQLiteStore(db_path))
        self.loop = asyncio.new_event_loop()
        self.fake = FakeDiscord(TOKEN)
        self.run(self.fake.start())
        self._saved = (discord.http.Route.BASE, discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY)
        discord.http.Route.BASE = self.fake.api_url
        discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(self.fake.gateway_url)
        self.client: KneeClient | None = None
        self.engine: Engine | None = None
        self._task: asyncio.Task[None] | None = None

    # ----- running ------------------------------------------------------------------------
    def run(self, coro: Coroutine[Any, Any, T]) -> T:
        return self.loop.run_until_complete(asyncio.wait_for(coro, STEP_TIMEOUT))

    def start_bot(self) -> KneeClient:
        """A new engine on the same SQLite file and a new client: what a process restart does."""
        self.engine = build_engine(self.store_factory(), dialog_path=self.dialog_path)
        self.client = KneeClient(
            self.engine, sync_guild=self.sync_guild, guild_ready_timeout=0.01, heartbeat_timeout=600.0
        )
        self.fake.gateway.ready.clear()
        self._task = self.loop.create_task(self.client.start(TOKEN), name="kneebot-under-test")
        self.run(self._until_ready())
        return self.client

    async def _until_ready(self) -> None:
        await self.fake.gateway.ready.wait()
        assert self.client is not None
        await self.client.wait_until_ready()

    def stop_bot(self) -> None:
        if self.client is not None:
            self.run(self.client.close())
            assert self._task is not None
            self.run(self._task)
            assert self.engine is not None
            self.engine.store.close()
        self.client = None

    def restart_bot(self) -> KneeClient:
        self.stop_bot()
        return self.start_bot()

    def close(self) -> None:
        try:
            self.stop_bot()
            self.run(self.fake.stop())
        finally:
            discord.http.Route.BASE, discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = self._saved
            self.loop.close()

    @contextlib.contextmanager
    def serving_in_background(self) -> Iterator[None]:
        """Serve the fake from a thread, for code that runs its own event loop (`kneebot discord`)."""
        thread = threading.Thread(target=self.loop.run_forever, name="fake-discord", daemon=True)
        thread.start()
        try:
            yield
        finally:
            self.loop.call_soon_threadsafe(self.loop.stop)
            thread.join()

    async def _settle(self) -> None:
        """Until the bot has read every gateway frame and finished every handler it started
        (handlers may make Discord send more frames, such as the bot's own DMs)."""
        while True:
            seq = self.fake.gateway.seq
            await self.fake.gateway.caught_up()
            pending = [
                task
                for task in asyncio.all_tasks()
                if task.get_name().startswith(_HANDLER_TASKS) and not task.done()
            ]
            if pending:
                await asyncio.gather(*pending, return_exceptions=True)
            elif self.fake.gateway.seq == seq:
                return

    def deliver(self, event: str, data: dict[str, Any], viewer: dict[str, Any]) -> list[Shown]:
        """Send a gateway event; return the messages `viewer` can see that are new since."""
        before = self.fake.new_id()
        self.run(self.fake.gateway.dispatch(event, data))
        self.run(self._settle())
        return [shown for shown in self.fake.visible_to(int(viewer["id"])) if shown.id > before]

    # ----- what people do ---------------------------------------------------------------------
    def type(
        self,
        text: str,
        *,
        user: dict[str, Any] = MASON,
        author: dict[str, Any] | None = None,
        message_id: str | None = None,
    ) -> list[Shown]:
        """`author` (default: the person) writes `text` in the person's DM with the bot."""
        message = payload("message_in_dm")
        message.update(
            id=message_id or str(self.fake.new_id()),
            channel_id=self.fake.dm_channel(user)["id"],
            content=text,
            author=author or user,
        )
        return self.deliver("MESSAGE_CREATE", message, user)

    def slash(
        self,
        *,
        user: dict[str, Any] = MASON,
        where: str = "server",
        guild: int | None = None,
        locale: str | None = None,
    ) -> list[Shown]:
        """`/kneepain` in the server channel (of `guild`, default the fixtures' server), or in
        the person's DM with the bot; `locale` is the person's Discord language."""
        data = self._interaction("command_in_server" if where == "server" else "command_in_dm", user)
        if guild is not None and where == "server":
            data["guild_id"] = data["channel"]["guild_id"] = data["guild"]["id"] = str(guild)
        if locale is not None:
            data["locale"] = locale
        return self.deliver("INTERACTION_CREATE", data, user)

    def click(
        self,
        shown: Shown,
        label: str,
        *,
        user: dict[str, Any] = MASON,
        as_seen: dict[str, Any] | None = None,
        locale: str | None = None,
    ) -> list[Shown]:
        """Click the button labelled `label` on a message; `as_seen` is the message as the
        person's screen shows it, when that is an older version (another device, a double click)."""
        seen = copy.deepcopy(as_seen or shown.data)
        custom_id = dict(buttons(seen))[label]
        in_dm = seen["channel_id"] == self.fake.dm_channel(user)["id"]
        fixture = "button_in_dm" if in_dm else "button_in_server"
        data = self._interaction(fixture, user, message=seen)
        data["data"]["custom_id"] = custom_id
        if locale is not None:
            data["locale"] = locale
        return self.deliver("INTERACTION_CREATE", data, user)

    def speaks(self, locale: str, user: dict[str, Any] = MASON) -> None:
        """The person's Discord language is `locale`: Discord tells a bot that only with an
        interaction, and the adapter remembers it for the person's DM messages, as if they
        had used /kneepain or a button before."""
        assert self.client is not None
        self.client.turns._locales[int(user["id"])] = locale

    def pick(self, shown: Shown, labels: tuple[str, ...], *, user: dict[str, Any] = MASON) -> list[Shown]:
        """Choose the options labelled `labels` in a message's menu; Discord sends them when
        the menu closes, as one interaction (component type 3, with the chosen values)."""
        seen = copy.deepcopy(shown.data)
        (menu,) = menus(seen)
        values = {option["label"]: option["value"] for option in menu["options"]}
        in_dm = seen["channel_id"] == self.fake.dm_channel(user)["id"]
        data = self._interaction("button_in_dm" if in_dm else "button_in_server", user, message=seen)
        data["data"] = {
            "custom_id": menu["custom_id"],
            "component_type": 3,
            "values": [values[label] for label in labels],
        }
        return self.deliver("INTERACTION_CREATE", data, user)

    def _interaction(
        self, fixture: str, user: dict[str, Any], *, message: dict[str, Any] | None = None
    ) -> dict[str, Any]:
        data = payload(fixture)
        data["id"] = str(self.fake.new_id())
        data["token"] = f"interaction-token-{data['id']}"
        if "member" in data:
            data["member"]["user"] = user
        else:
            data["user"] = user
            channel = self.fake.dm_channel(user)
            data["channel"] = copy.deepcopy(channel)
            data["channel_id"] = channel["id"]
        if message is not None:
            data["message"] = message
        self.fake.interactions[data["token"]] = data
        return data

    def join_guild(self, guild_id: int = GUILD) -> None:
        """Discord tells the bot about a server it is in (GUILD_CREATE)."""
        guild = payload("guild_create")
        guild["id"] = str(guild_id)
        guild["roles"][0]["id"] = str(guild_id)  # @everyone has the server's id
        for channel in guild["channels"]:
            channel["guild_id"] = str(guild_id)
        self.run(self.fake.gateway.dispatch("GUILD_CREATE", guild))
        self.run(self._settle())

    def leave_guild(self, guild_id: int = GUILD) -> None:
        """The bot was removed from the server (kicked, banned, or the server deleted): GUILD_DELETE
        without `unavailable`, which is what tells a removal from an outage."""
        self.run(self.fake.gateway.dispatch("GUILD_DELETE", {"id": str(guild_id)}))
        self.run(self._settle())

    def slash_with(
        self, option: str, value: str, *, user: dict[str, Any] = MASON, where: str = "server"
    ) -> list[Shown]:
        """`/kneepain` with its option set, say `what: help`."""
        data = self._interaction("command_in_server" if where == "server" else "command_in_dm", user)
        data["data"]["options"] = [{"name": option, "type": 3, "value": value}]
        return self.deliver("INTERACTION_CREATE", data, user)

    # ----- reading ----------------------------------------------------------------------------
    def seen(self, user: dict[str, Any] = MASON) -> list[Shown]:
        return self.fake.visible_to(int(user["id"]))

    def newest_offering(self, label: str, user: dict[str, Any] = MASON) -> Shown:
        offering = [s for s in self.seen(user) if label in choices(s)]
        assert offering, f"no message offers a button labelled {label!r}"
        return offering[-1]

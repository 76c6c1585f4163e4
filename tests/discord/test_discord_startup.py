"""`kneebot discord` itself: a clear sentence when the token is missing or refused, a real run
from the command line, and the slash command synced once per start, never per reconnect."""

from __future__ import annotations

import asyncio
import re
import shutil
import signal
import socket
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from discord_world import GUILD, STEP_TIMEOUT, TOKEN, DiscordWorld

from adapters import cli
from bot.engine import default_dialog_path

DISCORD_VARIABLES = ("DISCORD_TOKEN", "DISCORD_GUILD_ID", "HEALTH_PORT", "REDIS_URL", "LOG_LEVEL")


@pytest.fixture
def clean_env(monkeypatch: pytest.MonkeyPatch, restore_logging: None) -> Iterator[pytest.MonkeyPatch]:
    """No Discord settings from the machine; loggers put back after `kneebot` set them."""
    for name in DISCORD_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    yield monkeypatch


def test_a_missing_token_is_named(clean_env: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["discord", "--memory"]) == 2
    assert "kneebot: missing DISCORD_TOKEN: set it in the environment" in capsys.readouterr().err


def test_a_token_discord_refuses_is_explained_without_showing_it(
    clean_env: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    caplog: pytest.LogCaptureFixture,
    make_world: Callable[..., DiscordWorld],
) -> None:
    world = make_world(start=False)
    clean_env.setenv("DISCORD_TOKEN", "MTE4.revoked.token-from-last-year")
    with world.serving_in_background():
        status = cli.main(["discord", "--memory"])
    err = capsys.readouterr().err
    assert status == 2
    assert "kneebot: Discord refused DISCORD_TOKEN" in err
    assert "revoked" not in err + caplog.text
    assert [call.path for call in world.fake.calls] == ["/users/@me"]


def test_a_dialog_missing_discord_sentences_stops_the_start_naming_each_problem(
    clean_env: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    make_world: Callable[..., DiscordWorld],
    tmp_path: Path,
) -> None:
    """Checked when the client is built, before connecting, not as a KeyError in someone's turn."""
    shipped = default_dialog_path().read_text(encoding="utf-8")
    broken, removed = re.subn(r"(?m)^  discord_answered:.*\n", "", shipped)
    broken, renamed = re.subn(r"(?m)^(  discord_moved_to_dm:.*)\{link\}", r"\1{url}", broken)
    assert (removed, renamed) == (1, 1)
    dialog = tmp_path / "no_discord.yaml"
    dialog.write_text(broken, encoding="utf-8")
    shutil.copytree(default_dialog_path().parent / "language", tmp_path / "language")  # named by the dialog
    world = make_world(start=False)
    # A token the fake refuses: were the dialog not checked first, the start would still end
    # (with another reason) instead of running on.
    clean_env.setenv("DISCORD_TOKEN", "MTE4.not-the-token.abc")

    with world.serving_in_background():
        status = cli.main(["discord", "--memory", "--dialog", str(dialog)])

    err = capsys.readouterr().err
    assert status == 2
    assert "kneebot: the dialog file is not ready for Discord:" in err
    assert "no discord_answered message" in err
    assert "discord_moved_to_dm uses {url} (placeholders it may use: {link})" in err
    assert world.fake.calls == []  # it never connected


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def health(port: int) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=5) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


def test_kneebot_discord_connects_syncs_to_the_test_server_and_stops_on_ctrl_c(
    clean_env: pytest.MonkeyPatch, make_world: Callable[..., DiscordWorld]
) -> None:
    world = make_world(start=False)
    clean_env.setenv("DISCORD_TOKEN", TOKEN)
    port = free_port()
    healths: list[tuple[int, str]] = []
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler  # asyncio turns it into a stop

    def ctrl_c_once_healthy() -> None:
        if not world.fake.gateway.sent_ready.wait(STEP_TIMEOUT):
            return
        # /healthz says "platform: down" until discord.py has finished getting ready.
        deadline = time.monotonic() + STEP_TIMEOUT
        while time.monotonic() < deadline:
            healths.append(health(port))
            if healths[-1][0] == 200:
                break
            time.sleep(0.05)
        # Ctrl-C: SIGINT to the main thread, as a terminal sends it.
        signal.pthread_kill(threading.main_thread().ident or 0, signal.SIGINT)

    with world.serving_in_background():
        threading.Thread(target=ctrl_c_once_healthy, daemon=True).start()
        status = cli.main(["discord", "--memory", "--sync-guild", str(GUILD), "--health-port", str(port)])

    assert status == 0
    assert healths[-1] == (200, "ok\n")
    assert world.fake.gateway.identified == 1
    ((scope, commands),) = world.fake.command_syncs
    assert scope == f"guild:{GUILD}"  # instant, for testing; nothing synced globally
    assert [command["name"] for command in commands] == ["kneepain"]


def test_the_command_is_synced_once_and_not_again_on_reconnect(world: DiscordWorld) -> None:
    ((scope, (command,)),) = world.fake.command_syncs
    assert scope == "global"
    assert command["name"] == "kneepain"
    assert command["description"] == world.engine.dialog.messages["discord_command_description"]
    assert command["contexts"] == [0, 1, 2]  # servers, the bot's DM, other DMs (user installs)
    assert command["integration_types"] == [0, 1]  # installed to a server or to a user

    client = world.client
    assert client is not None
    readied = asyncio.Event()

    async def on_ready() -> None:
        readied.set()

    async def no_identify_wait(shard_id: int | None, *, initial: bool = False) -> None:
        """discord.py waits 5 s before re-identifying (Discord's rate limit); not here."""

    client.on_ready = on_ready  # type: ignore[method-assign]
    client.before_identify_hook = no_identify_wait  # type: ignore[method-assign]
    world.run(world.fake.gateway.reconnect())  # Discord asks for a reconnect; the resume is refused
    world.run(readied.wait())  # a new session: READY, and on_ready, once more

    assert (world.fake.gateway.resumed, world.fake.gateway.identified) == (1, 2)
    assert len(world.fake.command_syncs) == 1
    *_, question = world.type("hi")  # and the bot still answers, buttons and all
    assert world.click(question, "None of these")[-1].data["content"] == "And do any of these apply?"


def test_sync_guild_syncs_to_that_server_only(make_world: Callable[..., DiscordWorld]) -> None:
    world = make_world(sync_guild=GUILD)
    assert [scope for scope, _ in world.fake.command_syncs] == [f"guild:{GUILD}"]
    # The command still answers there.
    note, *_ = world.slash(where="server")
    assert note.ephemeral

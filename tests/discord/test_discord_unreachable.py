"""`kneebot discord` when Discord cannot be reached at start: one sentence and exit status 2,
as the docs promise, not a page of traceback; and no warnings about voice support, which
kneebot never uses."""

from __future__ import annotations

import socket
from collections.abc import Iterator

import discord.gateway
import discord.http
import pytest
import yarl

from adapters import cli

TOKEN = "MTE4MDAwMDAwMDAwMDAwMDAwMQ.Gx1abc.fake-token-for-tests"


@pytest.fixture
def nowhere(monkeypatch: pytest.MonkeyPatch, restore_logging: None) -> Iterator[str]:
    """Discord's API and gateway on a loopback port where nothing listens."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    base = f"http://127.0.0.1:{port}/api/v10"
    monkeypatch.setattr(discord.http.Route, "BASE", base)
    monkeypatch.setattr(
        discord.gateway.DiscordWebSocket, "DEFAULT_GATEWAY", yarl.URL(f"ws://127.0.0.1:{port}/")
    )
    for name in (
        "DISCORD_GUILD_ID",
        "HEALTH_PORT",
        "REDIS_URL",
        "LOG_LEVEL",
        "DISCORD_SHARD_ID",
        "DISCORD_SHARD_COUNT",
    ):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("DISCORD_TOKEN", TOKEN)
    yield base


def test_discord_unreachable_at_start_is_one_sentence_and_exit_2(
    nowhere: str, capsys: pytest.CaptureFixture[str]
) -> None:
    status = cli.main(["discord", "--memory"])

    err = capsys.readouterr().err
    assert status == 2
    said = [line for line in err.splitlines() if line.startswith("kneebot:")]
    assert len(said) == 1 and said[0].startswith("kneebot: cannot reach Discord"), err
    assert "Traceback" not in err
    assert TOKEN not in err


def test_no_voice_support_warnings(nowhere: str, capsys: pytest.CaptureFixture[str]) -> None:
    cli.main(["discord", "--memory"])
    err = capsys.readouterr().err
    assert "voice" not in err.lower(), err

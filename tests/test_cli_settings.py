"""Each `kneebot` command validates the settings it uses, and nothing else: a `PORT` meant for
`kneebot slack` or a half-set Discord shard cannot stop `check`, `graph` or `chat`. A problem
is reported by the name the person typed: the flag, or else the environment variable."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SETTING_PREFIXES = ("REDIS_URL", "KNEEBOT_", "LOG_", "PORT", "HEALTH_", "SLACK_", "DISCORD_")


def kneebot(
    tmp_path: Path, *args: str, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(SETTING_PREFIXES)}
    return subprocess.run(
        [sys.executable, "-m", "adapters.cli", *args],
        input="",
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env={**clean, **(env or {}), "PYTHONPATH": str(ROOT)},
        timeout=60,
        check=False,
    )


OTHER_COMMANDS_SETTINGS = {
    "PORT": "abc",
    "HEALTH_PORT": "health",
    "DISCORD_SHARD_COUNT": "3",
    "DISCORD_GUILD_ID": "the-club",
    "SLACK_BOT_TOKEN": "xapp-wrong-kind",
}


@pytest.mark.parametrize("variable", sorted(OTHER_COMMANDS_SETTINGS))
@pytest.mark.parametrize("command", [["check"], ["graph"], ["chat", "--user", "pat"]])
def test_a_setting_for_another_command_does_not_stop_this_one(
    tmp_path: Path, variable: str, command: list[str]
) -> None:
    done = kneebot(tmp_path, *command, env={variable: OTHER_COMMANDS_SETTINGS[variable]})
    assert done.returncode == 0, done.stderr
    assert "kneebot:" not in done.stderr


@pytest.mark.parametrize(
    ("command", "env", "said"),
    [
        (["slack", "--memory"], {"PORT": "abc"}, "kneebot: PORT must be a whole number, not 'abc'"),
        (
            ["discord", "--memory"],
            {"DISCORD_SHARD_COUNT": "3", "DISCORD_TOKEN": "x"},
            "kneebot: set DISCORD_SHARD_ID and DISCORD_SHARD_COUNT together, or neither",
        ),
        (["chat"], {"KNEEBOT_TTL_HOURS": "0"}, "kneebot: KNEEBOT_TTL_HOURS must be above 0, not 0"),
        (["check"], {"LOG_LEVEL": "loud"}, "kneebot: LOG_LEVEL must be one of DEBUG, INFO, WARNING, ERROR"),
    ],
)
def test_the_command_that_uses_a_bad_setting_names_its_variable(
    tmp_path: Path, command: list[str], env: dict[str, str], said: str
) -> None:
    done = kneebot(tmp_path, *command, env=env)
    assert done.returncode == 2
    assert done.stderr.startswith(said), done.stderr
    assert "Traceback" not in done.stderr


@pytest.mark.parametrize(
    ("command", "said"),
    [
        (["chat", "--ttl-hours", "0"], "kneebot: --ttl-hours must be above 0, not 0"),
        (["chat", "--redis-url", "localhost:6379"], "kneebot: --redis-url must start with redis://"),
        (["chat", "--log-level", "loud"], "kneebot: --log-level must be one of"),
        (["slack", "--memory", "--port", "70000"], "kneebot: --port must be a port number from 0 to 65535"),
        (["slack", "--memory", "--health-port", "-1"], "kneebot: --health-port must be a port number"),
    ],
)
def test_a_bad_flag_is_named_as_the_flag(tmp_path: Path, command: list[str], said: str) -> None:
    done = kneebot(tmp_path, *command, env={"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_SIGNING_SECRET": "s"})
    assert done.returncode == 2
    assert done.stderr.startswith(said), done.stderr


def test_a_flag_overrides_a_bad_variable_without_reading_it(tmp_path: Path) -> None:
    done = kneebot(tmp_path, "chat", "--user", "pat", "--ttl-hours", "2", env={"KNEEBOT_TTL_HOURS": "a day"})
    assert done.returncode == 0, done.stderr


# ----- validate first: nothing created or announced before a start that cannot work ------------
@pytest.mark.parametrize(
    ("command", "env", "said"),
    [
        (["slack"], {}, "kneebot: missing SLACK_BOT_TOKEN, SLACK_SIGNING_SECRET"),
        (
            ["slack"],
            {"SLACK_BOT_TOKEN": "xapp-1-A0-1-x", "SLACK_SIGNING_SECRET": "s"},
            "kneebot: SLACK_BOT_TOKEN must be",
        ),
        (
            ["slack"],
            {"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_APP_TOKEN": "xoxb-2"},
            "kneebot: SLACK_APP_TOKEN must be",
        ),
        (["discord"], {}, "kneebot: missing DISCORD_TOKEN"),
        (["chat", "--dialog", "missing.yaml"], {}, "kneebot: "),
    ],
)
def test_a_start_that_cannot_work_creates_no_database_and_never_says_ready(
    tmp_path: Path, command: list[str], env: dict[str, str], said: str
) -> None:
    done = kneebot(tmp_path, *command, env={**env, "LOG_LEVEL": "INFO"})
    assert done.returncode == 2
    assert done.stderr.startswith(said), done.stderr
    assert "kneebot ready" not in done.stderr
    assert list(tmp_path.iterdir()) == []  # no kneebot.sqlite3, nothing else either


# ----- a chat whose store does not answer stops at start -----------------------------------------
def test_kneebot_chat_with_redis_unreachable_stops_at_start_in_one_line(tmp_path: Path) -> None:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]  # nothing listens here once the socket is closed
    done = kneebot(tmp_path, "chat", "--user", "pat", "--redis-url", f"redis://:hunter2@127.0.0.1:{port}/0")
    assert done.returncode == 3
    assert done.stderr.startswith(
        f"kneebot: the conversation store is unavailable: Redis at redis://:***@127.0.0.1:{port}/0 is unreachable"
    ), done.stderr
    assert len(done.stderr.strip().splitlines()) == 1 and "hunter2" not in done.stderr
    assert done.stdout == ""  # no greeting, no "I can't reach my memory"

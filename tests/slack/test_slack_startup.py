"""`kneebot slack` itself: clear sentences when settings are wrong, and a real run end to end."""

from __future__ import annotations

import json
import logging
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from slack_fake_api import APP_TOKEN, BOT_TOKEN, CLIENT_ID, CLIENT_SECRET, FakeSlack
from slack_harness import SIGNING_SECRET, LoopThread, SlackPerson, posted, signature, texts, wait_for

from adapters import cli

SLACK_VARIABLES = (
    "SLACK_BOT_TOKEN",
    "SLACK_APP_TOKEN",
    "SLACK_SIGNING_SECRET",
    "SLACK_API_URL",
    "SLACK_CLIENT_ID",
    "SLACK_CLIENT_SECRET",
)


@pytest.fixture
def clean_env(monkeypatch: pytest.MonkeyPatch) -> Iterator[pytest.MonkeyPatch]:
    """No Slack settings from the machine, and the root logger put back after `kneebot` set it."""
    for name in (*SLACK_VARIABLES, "PORT", "HEALTH_PORT", "REDIS_URL", "LOG_LEVEL"):
        monkeypatch.delenv(name, raising=False)
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    yield monkeypatch
    root.handlers[:] = handlers
    root.setLevel(level)


def run_kneebot(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    status = cli.main(["slack", "--memory", *args])
    return status, capsys.readouterr().err


def test_missing_tokens_are_named_in_one_sentence(
    clean_env: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    status, err = run_kneebot(capsys)
    assert status == 2
    assert "missing SLACK_BOT_TOKEN, SLACK_SIGNING_SECRET" in err


def test_socket_mode_does_not_need_the_signing_secret(
    clean_env: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    clean_env.setenv("SLACK_APP_TOKEN", APP_TOKEN)
    status, err = run_kneebot(capsys)
    assert status == 2
    assert "missing SLACK_BOT_TOKEN:" in err and "SIGNING_SECRET" not in err


def test_a_token_of_the_wrong_kind_is_explained(
    clean_env: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    clean_env.setenv("SLACK_BOT_TOKEN", APP_TOKEN)  # the app-level token pasted in the wrong place
    clean_env.setenv("SLACK_SIGNING_SECRET", SIGNING_SECRET)
    status, err = run_kneebot(capsys)
    assert status == 2
    assert "SLACK_BOT_TOKEN must be the Bot User OAuth Token starting with xoxb-" in err
    assert APP_TOKEN not in err


def test_a_token_slack_refuses_stops_the_start_with_the_reason(
    clean_env: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], fake: FakeSlack
) -> None:
    clean_env.setenv("SLACK_BOT_TOKEN", "xoxb-revoked-token")
    clean_env.setenv("SLACK_SIGNING_SECRET", SIGNING_SECRET)
    clean_env.setenv("SLACK_API_URL", fake.api_url)
    status, err = run_kneebot(capsys, "--port", "0")
    assert status == 2
    assert "Slack refused SLACK_BOT_TOKEN (invalid_auth)" in err
    assert "xoxb-revoked-token" not in err


@pytest.mark.parametrize(
    ("settings", "said"),
    [
        ({"SLACK_CLIENT_ID": CLIENT_ID}, "set SLACK_CLIENT_ID and SLACK_CLIENT_SECRET together"),
        (
            {
                "SLACK_CLIENT_ID": CLIENT_ID,
                "SLACK_CLIENT_SECRET": CLIENT_SECRET,
                "SLACK_BOT_TOKEN": BOT_TOKEN,
            },
            "set either SLACK_BOT_TOKEN (one workspace) or SLACK_CLIENT_ID",
        ),
        (
            {
                "SLACK_CLIENT_ID": CLIENT_ID,
                "SLACK_CLIENT_SECRET": CLIENT_SECRET,
                "SLACK_APP_TOKEN": APP_TOKEN,
            },
            "needs HTTP mode",
        ),
        (
            {"SLACK_CLIENT_ID": CLIENT_ID, "SLACK_CLIENT_SECRET": CLIENT_SECRET},
            "missing SLACK_SIGNING_SECRET",
        ),
    ],
)
def test_many_workspace_settings_that_cannot_work_are_explained(
    clean_env: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], settings: dict[str, str], said: str
) -> None:
    for name, value in settings.items():
        clean_env.setenv(name, value)
    status, err = run_kneebot(capsys)
    assert status == 2
    assert said in err
    assert CLIENT_SECRET not in err and BOT_TOKEN not in err


# ----- a real `kneebot slack` process ------------------------------------------------------------
def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_kneebot(fake: FakeSlack, tmp_env: dict[str, str]) -> subprocess.Popen[str]:
    env = {
        k: v for k, v in os.environ.items() if k not in SLACK_VARIABLES and k not in ("PORT", "HEALTH_PORT")
    }
    env.update({"SLACK_BOT_TOKEN": BOT_TOKEN, "SLACK_API_URL": fake.api_url, "LOG_LEVEL": "DEBUG", **tmp_env})
    return subprocess.Popen(
        [sys.executable, "-m", "adapters.cli", "slack", "--memory"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def stop_kneebot(process: subprocess.Popen[str]) -> tuple[int, str]:
    process.send_signal(signal.SIGTERM)
    try:
        _, err = process.communicate(timeout=15)
    except subprocess.TimeoutExpired:
        process.kill()
        _, err = process.communicate()
        raise AssertionError(f"kneebot did not stop on SIGTERM:\n{err}") from None
    return process.returncode, err


def wait_for_port(port: int, process: subprocess.Popen[str]) -> None:
    def listening() -> bool:
        assert process.poll() is None, f"kneebot exited early:\n{process.communicate()[1]}"
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return True
        except OSError:
            return False

    wait_for(listening, f"kneebot to listen on port {port}", timeout=20)


def test_kneebot_slack_over_http_answers_a_dm_and_stops_cleanly(fake: FakeSlack) -> None:
    port, health = free_port(), free_port()
    process = start_kneebot(
        fake, {"SLACK_SIGNING_SECRET": SIGNING_SECRET, "PORT": str(port), "HEALTH_PORT": str(health)}
    )
    try:
        wait_for_port(port, process)
        person = SlackPerson(None, "U0PROCESS1", fake=fake)
        body = json.dumps(person.message_event("hi from a private story")).encode()
        stamp = str(int(time.time()))
        request = urllib.request.Request(
            f"http://127.0.0.1:{port}/slack/events",
            data=body,
            headers={
                "Content-Type": "application/json",
                "X-Slack-Request-Timestamp": stamp,
                "X-Slack-Signature": signature(SIGNING_SECRET, stamp, body),
            },
        )
        with urllib.request.urlopen(request, timeout=10) as response:
            assert response.status == 200
        wait_for(lambda: len(texts(posted(fake.calls, person.dm))) >= 3, "kneebot's greeting in the DM")
        assert texts(posted(fake.calls, person.dm))[-1] == "Do any of these apply to you right now?"
        wait_for_port(health, process)
        with urllib.request.urlopen(f"http://127.0.0.1:{health}/healthz", timeout=10) as response:
            assert (response.status, response.read()) == (200, b"ok\n")
    finally:
        status, err = stop_kneebot(process)
    assert status == 0, err
    assert "listening to Slack over HTTP events on port" in err
    assert "private story" not in err and BOT_TOKEN not in err, "even at LOG_LEVEL=DEBUG"


def test_kneebot_slack_for_many_workspaces_serves_the_install_page_and_stops_cleanly(
    fake: FakeSlack, tmp_path: Path
) -> None:
    port = free_port()
    database = tmp_path / "kneebot.sqlite3"
    process = start_kneebot(
        fake,
        {
            "SLACK_BOT_TOKEN": "",
            "SLACK_CLIENT_ID": CLIENT_ID,
            "SLACK_CLIENT_SECRET": CLIENT_SECRET,
            "SLACK_SIGNING_SECRET": SIGNING_SECRET,
            "PORT": str(port),
            "KNEEBOT_DB": str(database),
        },
    )
    try:
        wait_for_port(port, process)
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/slack/install", timeout=10) as response:
            page = response.read().decode()
        assert response.status == 200 and f"client_id={CLIENT_ID}" in page
    finally:
        status, err = stop_kneebot(process)
    assert status == 0, err
    assert "installs at /slack/install (any workspace)" in err
    assert fake.calls_to("auth.test") == [], "no token to check until a workspace installs kneebot"
    assert database.stat().st_mode & 0o077 == 0, "the file that will hold tokens is owner-only"
    assert CLIENT_SECRET not in err


def test_kneebot_slack_over_socket_mode_answers_a_dm_and_stops_cleanly(
    fake: FakeSlack, loop_thread: LoopThread
) -> None:
    process = start_kneebot(fake, {"SLACK_APP_TOKEN": APP_TOKEN})
    try:
        wait_for(
            lambda: fake.socket_connected or process.poll() is not None, "the Socket Mode connection", 20
        )
        assert process.poll() is None, process.communicate()[1]
        person = SlackPerson(None, "U0PROCESS2", fake=fake)
        loop_thread.run(fake.push("events_api", person.message_event("hi"), envelope_id="process-envelope-1"))
        wait_for(lambda: len(texts(posted(fake.calls, person.dm))) >= 3, "kneebot's greeting in the DM")
        assert "process-envelope-1" in fake.acks
    finally:
        status, err = stop_kneebot(process)
    assert status == 0, err
    assert "listening to Slack over Socket Mode" in err


def test_a_dialog_not_ready_for_slack_is_refused_before_serving() -> None:
    """Missing Slack sentences, or ones with a placeholder the adapter does not fill, stop the
    start with every problem named, instead of a KeyError in someone's turn."""
    from dataclasses import replace

    from adapters.slack.app import SlackBot
    from bot.config import ConfigError
    from bot.engine import Engine, build_engine
    from bot.store import MemoryStore

    engine = build_engine(MemoryStore())
    messages = {k: v for k, v in engine.dialog.messages.items() if k != "slack_not_yours"}
    messages["slack_answered"] = "You picked: {choice}"
    broken = Engine(replace(engine.dialog, messages=messages), MemoryStore())

    with pytest.raises(ConfigError) as refused:
        SlackBot(broken, token=BOT_TOKEN, signing_secret=SIGNING_SECRET)
    assert "the dialog file is not ready for Slack" in str(refused.value)
    assert "no slack_not_yours message" in str(refused.value)
    assert "slack_answered uses {choice} (placeholders it may use: {answer})" in str(refused.value)

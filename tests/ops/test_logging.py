"""Logs an operator can ship and read: one line a record, UTC, JSON on request, and a line per
turn with ids, event, state and timing that never carries what the person wrote."""

from __future__ import annotations

import io
import json
import logging
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from bot.config import settings_from_env
from bot.dialog import Dialog
from bot.engine import Engine, conversation_id
from bot.logs import JsonFormatter, LineFormatter, configure_logging
from bot.store import MemoryStore

if TYPE_CHECKING:
    from tests.ops.conftest import Chat, ChatFactory, Secrets

ROOT = Path(__file__).resolve().parents[2]
UTC_STAMP = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")


def _configure_from(env: dict[str, str], stream: io.StringIO) -> None:
    settings = settings_from_env(env)
    configure_logging(settings.log_level, settings.log_format, stream=stream)


def _records(stream: io.StringIO) -> list[dict[str, str]]:
    return [json.loads(line) for line in stream.getvalue().splitlines()]


class _BrokenSave(MemoryStore):
    def save(self, conversation: object) -> None:
        raise RuntimeError("bug in save")


def test_log_format_json_from_the_environment_gives_one_object_per_line(
    log_stream: io.StringIO, chat: Chat
) -> None:
    _configure_from({"LOG_FORMAT": "json", "LOG_LEVEL": "info"}, log_stream)

    chat.say("hello")
    logging.getLogger("kneebot.test").debug("hidden at INFO")

    records = _records(log_stream)
    assert records, "nothing was logged"
    assert all(set(r) >= {"time", "level", "logger", "message"} for r in records)
    assert all(UTC_STAMP.match(r["time"]) for r in records)
    assert "hidden at INFO" not in log_stream.getvalue()


def test_a_turn_logs_one_info_line_with_ids_event_state_and_timing(
    log_stream: io.StringIO, chat: Chat, dialog: Dialog
) -> None:
    _configure_from({"LOG_FORMAT": "json"}, log_stream)

    chat.say("hello")
    asked = chat.question()
    chat.click("none")

    turns = [r for r in _records(log_stream) if r["logger"] == "bot.engine" and r["message"] == "turn"]
    assert [r["level"] for r in turns] == ["INFO", "INFO"]
    first, second = turns
    assert first["conversation"] == conversation_id(chat.key)
    assert first["platform"] == "slack"
    assert (first["event"], first["state_before"], first["state_after"]) == ("start", None, asked)
    assert isinstance(first["ms"], float)
    assert (second["event"], second["state_before"], second["state_after"]) == (
        "answer",
        asked,
        chat.question(),
    )


def test_a_turn_in_the_text_format_is_one_line_of_named_fields(
    log_stream: io.StringIO, chat: Chat, dialog: Dialog
) -> None:
    _configure_from({"LOG_FORMAT": "text"}, log_stream)

    chat.say("hello")

    (line,) = [line for line in log_stream.getvalue().splitlines() if " bot.engine: turn " in line]
    assert re.search(
        rf" INFO bot\.engine: turn conversation={conversation_id(chat.key)} platform=slack event=start "
        rf"state_before=None state_after={chat.question()} language=en ms=\d+\.\d+$",
        line,
    )


def test_what_people_write_never_reaches_a_log_at_info_or_above(
    log_stream: io.StringIO,
    ops_engine: Engine,
    dialog: Dialog,
    new_chat: ChatFactory,
    secrets: Secrets,
) -> None:
    _configure_from({"LOG_FORMAT": "json", "LOG_LEVEL": "DEBUG"}, log_stream)
    words = secrets.text
    talker = new_chat(ops_engine)
    talker.say(f"hello {words}")
    talker.say(f"{words}?? {words}")  # not understood
    talker.say("none, " + words)
    talker.say(f"{words} my calf is swollen")  # red flag in free text
    talker.say(f"back {words}")
    talker.say(f"forget {words}")
    new_chat(Engine(dialog, _BrokenSave())).say(f"crash {words}")  # logged with a traceback

    records = _records(log_stream)
    levels = {r["level"] for r in records}
    assert {"INFO", "ERROR"} <= levels, f"the paths above should log at INFO and ERROR, got {levels}"
    leaked = [
        r for r in records if r["level"] != "DEBUG" and any(s in json.dumps(r) for s in _secrets(secrets))
    ]
    assert leaked == []


def _secrets(secrets: Secrets) -> tuple[str, ...]:
    return (secrets.text, secrets.user, secrets.channel, secrets.workspace)


def test_text_format_is_one_line_per_record_even_with_a_traceback(log_stream: io.StringIO) -> None:
    _configure_from({"LOG_FORMAT": "text"}, log_stream)
    log = logging.getLogger("kneebot.test")

    log.warning("two\nlines")
    try:
        raise ValueError("boom")
    except ValueError:
        log.exception("failed")

    lines = log_stream.getvalue().splitlines()
    assert len(lines) == 2
    assert lines[0].endswith("WARNING kneebot.test: two\\nlines")
    assert "ValueError: boom" in lines[1] and "Traceback" in lines[1]


def test_timestamps_are_utc_whatever_the_local_zone() -> None:
    record = logging.makeLogRecord(
        {"name": "kneebot", "levelname": "INFO", "msg": "m", "created": 0.0, "msecs": 0}
    )

    assert LineFormatter().format(record) == "1970-01-01T00:00:00.000Z INFO kneebot: m"
    assert json.loads(JsonFormatter().format(record))["time"] == "1970-01-01T00:00:00.000Z"


def test_extra_fields_become_json_keys(log_stream: io.StringIO) -> None:
    _configure_from({"LOG_FORMAT": "json"}, log_stream)

    logging.getLogger("kneebot.test").info("turn", extra={"event": "start", "ms": 1.5})

    (record,) = _records(log_stream)
    assert (record["event"], record["ms"]) == ("start", 1.5)


def test_the_kneebot_command_reads_log_level_and_log_format_from_the_environment(
    tmp_path: Path, secrets: Secrets
) -> None:
    env = {
        **os.environ,
        "LOG_FORMAT": "json",
        "LOG_LEVEL": "INFO",
        "KNEEBOT_DB": str(tmp_path / "kb.sqlite3"),
    }
    env.pop("REDIS_URL", None)
    session = subprocess.run(
        [sys.executable, "-m", "adapters.cli", "chat", "--user", secrets.user],
        input=f"hello {secrets.text}\nnone\n",
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=60,
        check=False,
    )

    assert session.returncode == 0, session.stderr
    records = [json.loads(line) for line in session.stderr.splitlines()]
    assert any(r["message"].startswith("kneebot ready") for r in records)
    assert sum(r["message"] == "turn" for r in records) >= 2
    assert secrets.text not in session.stderr and secrets.user not in session.stderr


def test_a_turn_is_one_log_line_at_info_not_a_line_per_state_machine_step(
    log_stream: io.StringIO, chat: Chat
) -> None:
    _configure_from({"LOG_FORMAT": "json", "LOG_LEVEL": "INFO"}, log_stream)

    chat.say("hello")
    chat.click("none")

    assert [r["message"] for r in _records(log_stream)] == ["turn", "turn"]

"""Conversation ids in logs are keyed pseudonyms: someone holding the logs and a workspace's
member list cannot tell who a line is about by hashing every member's conversation key. With
`KNEEBOT_LOG_KEY` the ids match across processes and restarts; without it, each process picks
its own random key."""

from __future__ import annotations

import hashlib
import json
import logging
import os
import subprocess
import sys
from collections.abc import Iterator

import pytest

import bot.engine
from bot.config import ConfigError, settings_from_env
from bot.dialog import Dialog
from bot.engine import Engine, conversation_id
from bot.keys import conversation_key, person_ref
from bot.messages import Incoming
from bot.store import MemoryStore

KEY = "a-deployment-secret-of-some-length"
WAIT_SECONDS = 60.0
"""Bound on a `kneebot chat` run, only so a hang fails instead of blocking the suite."""


@pytest.fixture(autouse=True)
def _keep_the_process_key() -> Iterator[None]:
    """Tests here set the process-wide key; give the rest of the suite back the one it had."""
    kept = bot.engine._log_key
    yield
    bot.engine._log_key = kept


def _logged_ids(engine: Engine, key: str, caplog: pytest.LogCaptureFixture) -> list[str]:
    caplog.set_level(logging.INFO, logger="bot.engine")
    caplog.clear()
    engine.handle(Incoming(key=key, user=person_ref("slack", "T024BE7LD", "U0G9QF9C6"), text="hi"))
    return [r.conversation for r in caplog.records if r.getMessage() == "turn"]  # type: ignore[attr-defined]


def test_a_logged_id_is_not_found_by_hashing_guessed_member_ids(dialog: Dialog, caplog) -> None:
    members = [f"U0G9QF9C{n}" for n in range(10)]
    key = conversation_key("slack", "T024BE7LD", "D0G9QF9C6", members[6])

    (logged,) = _logged_ids(Engine(dialog, MemoryStore()), key, caplog)

    guesses = {
        hashlib.blake2s(
            conversation_key("slack", "T024BE7LD", "D0G9QF9C6", m).encode(), digest_size=size
        ).hexdigest()[:12]
        for m in members
        for size in (6, 8, 16, 32)
    }
    guesses |= {
        hashlib.sha256(conversation_key("slack", "T024BE7LD", "D0G9QF9C6", m).encode()).hexdigest()[:12]
        for m in members
    }
    assert logged not in guesses


def test_the_engine_and_the_adapters_name_a_conversation_alike(dialog: Dialog, caplog) -> None:
    key = conversation_key("slack", "T024BE7LD", "D0G9QF9C6", "U0G9QF9C6")

    logged = _logged_ids(Engine(dialog, MemoryStore(), log_key=KEY.encode()), key, caplog)

    assert logged and set(logged) == {conversation_id(key)}  # adapters call conversation_id


def test_the_log_key_decides_the_ids(dialog: Dialog, caplog) -> None:
    key = conversation_key("slack", "T024BE7LD", "D0G9QF9C6", "U0G9QF9C6")

    first = _logged_ids(Engine(dialog, MemoryStore(), log_key=KEY.encode()), key, caplog)
    other = _logged_ids(Engine(dialog, MemoryStore(), log_key=b"another-secret-entirely"), key, caplog)
    again = _logged_ids(Engine(dialog, MemoryStore(), log_key=KEY.encode()), key, caplog)

    assert first[0] == again[0] != other[0]


def _chat_ids(log_key: str | None) -> set[str]:
    """The conversation ids one `kneebot chat` process logs for one person saying hi."""
    env = {k: v for k, v in os.environ.items() if k not in ("KNEEBOT_LOG_KEY", "REDIS_URL", "KNEEBOT_DB")}
    env.update(LOG_LEVEL="INFO", LOG_FORMAT="json")
    if log_key is not None:
        env["KNEEBOT_LOG_KEY"] = log_key
    ran = subprocess.run(
        [sys.executable, "-m", "adapters.cli", "chat", "--memory", "--user", "ann"],
        input="hi\n",
        capture_output=True,
        text=True,
        env=env,
        timeout=WAIT_SECONDS,
        check=True,
    )
    lines = [json.loads(line) for line in ran.stderr.splitlines() if line.startswith("{")]
    return {line["conversation"] for line in lines if line["message"] == "turn"}


def test_processes_given_the_same_key_log_the_same_id_and_others_do_not() -> None:
    first, second = _chat_ids(KEY), _chat_ids(KEY)
    unkeyed_first, unkeyed_second = _chat_ids(None), _chat_ids(None)

    assert len(first) == 1 and first == second
    bot.engine.set_log_key(KEY.encode())
    assert first == {conversation_id(conversation_key("console", "local", "terminal", "ann"))}
    assert len(unkeyed_first) == 1 and unkeyed_first != unkeyed_second != first  # random per process


def test_the_log_key_is_a_secret_setting() -> None:
    settings = settings_from_env({"KNEEBOT_LOG_KEY": KEY})

    assert settings.log_key == KEY
    assert KEY not in repr(settings)
    assert settings_from_env({}).log_key is None
    with pytest.raises(ConfigError, match="KNEEBOT_LOG_KEY must be at least 16 characters"):
        settings_from_env({"KNEEBOT_LOG_KEY": "short"})

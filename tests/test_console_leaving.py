"""Leaving the terminal chat: `quit`, `exit`, `bye` and `cancel` leave and keep the check, as
Ctrl-D does, and say how to carry on; `help` says how to leave; and `stop` with nothing in
progress says so instead of claiming to have deleted a check."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from bot.dialog import Dialog
from bot.engine import Engine
from bot.store import MemoryStore
from tests.conftest import Person

ROOT = Path(__file__).resolve().parents[1]


def _chat(tmp_path: Path, lines: list[str]) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("REDIS_URL", "KNEEBOT_", "LOG_"))}
    return subprocess.run(
        [sys.executable, "-m", "adapters.cli", "chat", "--user", "pat"],
        input="".join(f"{line}\n" for line in lines),
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env={**clean, "PYTHONPATH": str(ROOT)},
        timeout=60,
        check=False,
    )


@pytest.mark.parametrize("word", ["quit", "exit", "bye", "cancel", "goodbye", "/quit", "Bye!", "  EXIT  "])
def test_a_leave_word_leaves_keeps_the_check_and_says_how_to_carry_on(
    tmp_path: Path, dialog: Dialog, word: str
) -> None:
    first = _chat(tmp_path, ["I'm a runner", word, "this line is never read"])
    assert first.returncode == 0, first.stderr
    assert first.stdout.rstrip().endswith(dialog.messages["console_left"])
    assert "this line is never read" not in first.stdout
    assert dialog.messages["stopped"] not in first.stdout

    again = _chat(tmp_path, [])
    assert again.stdout.startswith(dialog.messages["resumed"])  # the check was kept


def test_leaving_with_no_check_in_progress_says_so(tmp_path: Path, dialog: Dialog) -> None:
    done = _chat(tmp_path, ["stop", "quit"])
    assert done.returncode == 0, done.stderr
    assert dialog.messages["stopped"] in done.stdout
    assert done.stdout.rstrip().endswith(dialog.messages["console_left_nothing"])


def test_help_in_the_console_says_how_to_leave(tmp_path: Path, dialog: Dialog) -> None:
    done = _chat(tmp_path, ["help"])
    after_help = done.stdout.split(dialog.messages["help"], 1)[1]
    assert after_help.lstrip().startswith(dialog.messages["console_help"])


def test_stop_twice_in_the_console_says_the_second_time_that_nothing_was_in_progress(
    tmp_path: Path, dialog: Dialog
) -> None:
    done = _chat(tmp_path, ["stop", "stop"])
    first, second = done.stdout.split("you> stop")[1:]
    assert dialog.messages["stopped"] in first
    assert dialog.messages["nothing_to_stop"] in second and dialog.messages["stopped"] not in second


def test_stop_with_nothing_in_progress_deletes_nothing_and_says_so(dialog: Dialog) -> None:
    person = Person(Engine(dialog, MemoryStore()))
    replies = person.say("stop")
    assert [r.name for r in replies] == ["nothing_to_stop"]
    assert replies[0].choices  # and offers to start one
    person.say("hi")
    assert [r.name for r in person.say("stop")] == ["stopped"]

"""`kneebot chat` in a terminal or with piped input, on the embedded SQLite default."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _chat(tmp_path: Path, lines: list[str], *extra: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("REDIS_URL", "KNEEBOT_", "LOG_"))}
    return subprocess.run(
        [sys.executable, "-m", "adapters.cli", "chat", "--user", "pat", *extra],
        input="".join(f"{line}\n" for line in lines),
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env={**env, "PYTHONPATH": str(ROOT)},
        timeout=60,
        check=False,
    )


def test_a_piped_conversation_reaches_a_result_and_exits_cleanly(tmp_path: Path) -> None:
    done = _chat(
        tmp_path, ["I'm a runner", "4", "none", "yes", "yes", "no", "no", "2", "no", "no", "no", "no"]
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("Hi, I'm kneebot.")
    assert "  4. None of these" in done.stdout
    assert "you> I'm a runner" in done.stdout
    assert "Your answers fit hamstring tendonitis best." in done.stdout
    assert "not a diagnosis" in done.stdout
    assert done.stderr == ""
    assert (tmp_path / "kneebot.sqlite3").exists()  # the embedded default: a local SQLite file


def test_quitting_and_starting_again_resumes_where_the_person_was(tmp_path: Path) -> None:
    first = _chat(tmp_path, ["I'm a cyclist", "none"])
    assert first.returncode == 0
    second = _chat(tmp_path, ["none"])
    assert second.stdout.startswith("Welcome back. Let's carry on where we left off.")
    assert "And do any of these apply?" in second.stdout.split("you>")[0]
    assert "Can you feel a soft, swollen lump" in second.stdout  # cyclists skip the running questions


def test_the_database_path_is_configurable(tmp_path: Path) -> None:
    done = _chat(tmp_path, ["hi"], "--db", str(tmp_path / "elsewhere" / "chat.db"))
    assert done.returncode == 0
    assert (tmp_path / "elsewhere" / "chat.db").exists()
    assert not (tmp_path / "kneebot.sqlite3").exists()


def test_a_bad_setting_stops_with_a_readable_message(tmp_path: Path) -> None:
    done = _chat(tmp_path, [], "--redis-url", "localhost:6379")
    assert done.returncode == 2
    assert "REDIS_URL must start with redis://" in done.stderr
    assert "Traceback" not in done.stderr

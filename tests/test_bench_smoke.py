"""The benchmark command still runs end to end, so it cannot rot between full runs.

`python -m bench --quick` plays every section at tiny sizes (a private redis-server, the Slack
apps in their own processes, `kneebot chat` in a subprocess, all on loopback) and writes its
table to a temporary file. The figures of a quick run mean nothing and nothing here looks at
them: what is checked is that every row is produced and the file is written whole.
Separately, `kneebot chat` is checked not to import any Slack or Discord library, which is
what keeps the console's start-up fast.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WAIT_SECONDS = 300

ROWS = (
    "dict state machine, reply built each turn (the floor)",
    "dict state machine, replies made in advance (barest step)",
    "kneebot, memory store",
    "… memory store, clicks conversations only",
    "… memory store, typed conversations only",
    "kneebot, SQLite store (tmp file)",
    "kneebot, Redis store (loopback)",
    "new transitions Machine per message (transitions defaults)",
    "new Machine per message, auto_transitions=False",
    "memory-store turn ÷ dict floor",
    "memory-store turn ÷ barest dict step",
    "machine per message (defaults) ÷ memory-store turn",
    "machine per message (auto_transitions=False) ÷ memory-store turn",
    "finished conversations (tracemalloc)",
    "SQLite, one conversation",
    "SQLite, file growth per conversation",
    "Redis, one conversation",
    "Redis, `used_memory` growth per conversation",
    "whole folder:",
    "kneebot `SlackBot`",
    "bare Bolt `AsyncApp`",
    "kneebot requests/s ÷ bare Bolt app",
    "`python -c pass`",
    "`kneebot chat --memory`, launch to first prompt",
    "first prompt − `python -c pass`",
    "Slack/Discord modules imported by `kneebot chat`",
)


def _clean_env() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if k not in ("REDIS_URL", "KNEEBOT_DB", "LOG_LEVEL")}


def test_quick_run_writes_every_row(tmp_path: Path) -> None:
    out = tmp_path / "benchmarks.md"
    done = subprocess.run(
        [sys.executable, "-m", "bench", "--quick", "--out", str(out)],
        cwd=ROOT,
        env=_clean_env(),
        capture_output=True,
        text=True,
        timeout=WAIT_SECONDS,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    written = out.read_text()
    table_rows = [line for line in written.splitlines() if line.startswith("| ")]
    missing = [row for row in ROWS if not any(row in line for line in table_rows)]
    assert not missing, f"rows missing from {out.name}:\n" + "\n".join(missing)
    for fact in ("- date:", "- machine:", "- Python:", "- libraries:", "transitions", "slack-bolt"):
        assert fact in written
    assert written.count("<!-- bench:") == 2, "the generated part must sit between its two markers"
    assert "none found" not in written, "the transcript folder was not found"
    # Every figure printed is also in the file, and printed once.
    assert all(row in done.stdout for row in ROWS)
    shown = [line for line in (done.stdout + done.stderr).splitlines() if line.startswith("| ")]
    assert len(shown) == len(set(shown)), "a table was printed more than once"
    # Quick figures are meaningless: no verdict is passed on them.
    assert "missed" not in done.stdout + done.stderr + written


def test_rewriting_keeps_the_hand_written_notes(tmp_path: Path) -> None:
    out = tmp_path / "benchmarks.md"
    out.write_text(
        "# Benchmarks\n\n<!-- bench:begin (old) -->\nold table\n<!-- bench:end -->\n\n## Notes\n\nKeep me.\n"
    )
    done = subprocess.run(
        [sys.executable, "-m", "bench", "--quick", "--only", "replay", "--out", str(out)],
        cwd=ROOT,
        env=_clean_env(),
        capture_output=True,
        text=True,
        timeout=WAIT_SECONDS,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    written = out.read_text()
    assert "old table" not in written
    assert "whole folder:" in written
    assert written.startswith("# Benchmarks\n\n<!-- bench:begin")
    assert written.endswith("## Notes\n\nKeep me.\n")


def test_console_imports_no_platform_library() -> None:
    """`kneebot chat` for one piped line, with `-X importtime` listing every module imported."""
    script = Path(sys.executable).with_name("kneebot")
    command = [str(script)] if script.exists() else ["-m", "adapters.cli"]
    done = subprocess.run(
        [sys.executable, "-X", "importtime", *command, "chat", "--memory", "--user", "smoke"],
        input="none\n",
        cwd=ROOT,
        env=_clean_env(),
        capture_output=True,
        text=True,
        timeout=WAIT_SECONDS,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    imported = {
        line.rsplit("|", 1)[1].strip() for line in done.stderr.splitlines() if line.startswith("import time:")
    }
    assert "bot.engine" in imported, "the import list was not captured"
    platform = sorted(m for m in imported if m.split(".")[0] in ("slack_bolt", "slack_sdk", "discord"))
    assert platform == [], f"kneebot chat imported {platform}"
    assert "you> none" in done.stdout, "the console did not take the piped line"

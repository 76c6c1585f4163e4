"""`kneebot replay FILE...`: transcripts replayed outside pytest, with a pass/fail summary and
an exit status a script or CI can act on."""

from __future__ import annotations

import io
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

from bot.dialog.loader import load_dialog
from bot.engine import default_dialog_path
from bot.transcripts.runner import replay_main

ROOT = Path(__file__).resolve().parents[1]

PASSING = 'name: greets\nturns: [{user: "hi", bot: ["First, a quick safety check."]}]\n'
STOPS = f"""\
name: stop ends the check
turns:
  - user: "hi, cyclist here"
  - user: "none"
  - user: "stop"
    bot: [{{text: {json.dumps(load_dialog(default_dialog_path()).messages["stopped"])}}}]
outcome: none
"""
FAILING = 'name: expects a goodbye\nturns: [{user: "hi", bot: ["Goodbye"]}]\n'
BROKEN = "turns:\n  - user: yes\n"


def _folder(tmp_path: Path) -> Path:
    folder = tmp_path / "transcripts"
    folder.mkdir()
    (folder / "a_passing.yaml").write_text(PASSING)
    (folder / "b_failing.yaml").write_text(FAILING)
    (folder / "c_broken.yaml").write_text(BROKEN)
    return folder


def test_the_summary_lists_each_file_shows_failures_in_full_and_exits_1(tmp_path: Path) -> None:
    folder = _folder(tmp_path)
    out = io.StringIO()
    assert replay_main([folder], out=out) == 1
    lines = out.getvalue().splitlines()
    assert lines[0] == f"PASS  {folder / 'a_passing.yaml'}  (greets)"
    assert lines[1] == f"FAIL  {folder / 'b_failing.yaml'}  (expects a goodbye)"
    assert lines[2] == f'  {folder / "b_failing.yaml"}:2: turn 1 of 1: you say "hi"'
    assert "      -… Goodbye …" in lines
    broken = lines.index(f"ERROR {folder / 'c_broken.yaml'}")
    assert lines[broken + 2].endswith(
        "(turns[0].user): got True: YAML reads unquoted yes/no/on/off/true/false as a boolean here; "
        'put the word in quotes, e.g. "yes"'
    )
    assert lines[-1].startswith("FAILED: 1 passed, 2 failed (2 turns replayed in ")


def test_all_passing_exits_0(tmp_path: Path) -> None:
    (tmp_path / "greets.yaml").write_text(PASSING)
    (tmp_path / "stops.yaml").write_text(STOPS)
    out = io.StringIO()
    assert replay_main([tmp_path / "greets.yaml", tmp_path / "stops.yaml"], out=out) == 0
    assert out.getvalue().splitlines()[-1].startswith("OK: 2 passed, 0 failed (4 turns replayed in ")


def test_nothing_to_replay_is_a_failure_not_a_silent_success(tmp_path: Path) -> None:
    out = io.StringIO()
    assert replay_main([tmp_path], out=out) == 1
    assert out.getvalue() == f"no transcripts found in {tmp_path}\n"


def test_the_command_replays_against_another_dialog_file(tmp_path: Path) -> None:
    """A fork with its own wording checks its transcripts with --dialog."""
    dialog = tmp_path / "dialogs" / "reworded.yaml"
    dialog.parent.mkdir()
    (tmp_path / "transcripts").mkdir()
    text = default_dialog_path().read_text(encoding="utf-8")
    dialog.write_text(
        text.replace('safety_intro: "First, a quick safety check."', 'safety_intro: "Safety first."')
    )
    shutil.copytree(default_dialog_path().parent / "language", dialog.parent / "language")
    intro = tmp_path / "transcripts" / "reworded_intro.yaml"
    intro.write_text('turns: [{user: "hi", bot: ["Safety first."]}]\n')
    (tmp_path / "transcripts" / "stops.yaml").write_text(STOPS)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("REDIS_URL", "KNEEBOT_", "LOG_"))}
    done = subprocess.run(
        [sys.executable, "-m", "adapters.cli", "replay", "--dialog", str(dialog), "transcripts"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env={**env, "PYTHONPATH": str(ROOT)},
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "PASS  transcripts/reworded_intro.yaml  (reworded intro)" in done.stdout
    assert done.stdout.splitlines()[-1].startswith("OK: 2 passed, 0 failed")
    failing = subprocess.run(
        [sys.executable, "-m", "adapters.cli", "replay", str(intro)],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env={**env, "PYTHONPATH": str(ROOT)},
        timeout=60,
        check=False,
    )
    assert failing.returncode == 1, "the shipped dialog says something else"
    assert "      -… Safety first. …" in failing.stdout

"""`kneebot chat --record FILE`: the session just had becomes a transcript that replays green
without edits, whatever was typed."""

from __future__ import annotations

import ast
import io
import os
import subprocess
import sys
from pathlib import Path

import yaml

from adapters.console.record import record_chat
from bot.dialog import Dialog
from bot.dialog.loader import load_dialog
from bot.engine import Engine, default_dialog_path
from bot.keys import conversation_key
from bot.messages import Incoming
from bot.store import MemoryStore, SQLiteStore
from bot.transcripts.format import load_transcript
from bot.transcripts.runner import replay_file

ROOT = Path(__file__).resolve().parents[1]

AWKWARD = [
    "yes",  # YAML would read these unquoted as booleans or numbers
    "no",
    "4",
    "none   ",  # trailing spaces are part of what was typed
    "",
    '"quoted", it\'s # not a comment: - really',
    "🤷",
    "\x1b[2J\x00\u2028junk\x7f",
    "Мне больно",
    "knee " * 600,
    "back",
    "none",
    "my calf is swollen and throbbing",
]


def test_the_core_and_its_transcript_harness_import_no_adapter() -> None:
    """The recorder is the console's: `bot/` (the transcript format, runner and pytest plugin
    included) must work with no adapter installed, so nothing under it imports `adapters`."""
    offenders = sorted(
        f"{path.relative_to(ROOT)}:{node.lineno}"
        for path in (ROOT / "bot").rglob("*.py")
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
        if (isinstance(node, ast.Import) and any(a.name.split(".")[0] == "adapters" for a in node.names))
        or (isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] == "adapters")
    )
    assert offenders == []


def _record(engine: Engine, path: Path, lines: list[str]) -> str:
    out = io.StringIO()
    code = record_chat(
        engine, user="pat", path=path, stdin=io.StringIO("".join(f"{x}\n" for x in lines)), stdout=out
    )
    assert code == 0
    return out.getvalue()


def test_a_piped_session_with_awkward_input_replays_green_without_edits(
    tmp_path: Path, dialog: Dialog
) -> None:
    path = tmp_path / "awkward_input.yaml"
    _record(Engine(dialog, MemoryStore()), path, AWKWARD)
    result = replay_file(path, dialog=dialog)
    assert result.ok, result.failure
    transcript = load_transcript(path)
    assert [turn.value for turn in transcript.turns] == ["", *AWKWARD], (
        "the console's opening, then each line"
    )
    assert transcript.outcome is not None
    assert (transcript.outcome.cause, transcript.outcome.urgency, transcript.outcome.red_flag) == (
        None,
        "urgent",
        "calf_clot",
    )
    first = transcript.turns[0].bot
    assert first is not None and first[-1].text == "Do any of these apply to you right now?"
    assert first[-1].choices is not None and "None of these" in first[-1].choices


def test_the_recording_is_readable_yaml_a_maintainer_can_trim(tmp_path: Path, dialog: Dialog) -> None:
    path = tmp_path / "runner_with_stiffness.yaml"
    _record(Engine(dialog, MemoryStore()), path, ["I'm a runner", "4", "5", "behind", "1 and 5", "no"])
    text = path.read_text(encoding="utf-8")
    assert text.startswith("# Recorded with `kneebot chat --record`")
    assert 'choices: ["Yes", "No", Not sure]' in text, "buttons on one line, yes/no quoted"
    assert f"  - text: {dialog.questions['long_runs'].text}" in text
    raw = yaml.safe_load(text)
    assert raw["name"] == "runner with stiffness"
    assert raw["context"] == {"platform": "console", "user": "pat"}
    assert raw["outcome"] == "none", "no result yet: the replay checks that none is shown"
    assert replay_file(path, dialog=dialog).ok


def test_a_result_is_recorded_as_a_literal_block_and_its_outcome(tmp_path: Path, dialog: Dialog) -> None:
    path = tmp_path / "two_causes.yaml"
    lines = [
        "none",
        "none",
        "behind, and there's a squishy lump behind my knee",
        "it started with a twist",
        "no",
    ]
    _record(Engine(dialog, MemoryStore()), path, lines)
    text = path.read_text(encoding="utf-8")
    assert "  - text: |-\n      See a doctor or physiotherapist soon" in text
    assert text.rstrip().endswith(
        "outcome: {cause: bakers_cyst, causes: [bakers_cyst, torn_meniscus], urgency: soon}"
    )
    assert replay_file(path, dialog=dialog).ok


def test_recording_starts_a_fresh_check_and_leaves_the_persons_store_alone(
    tmp_path: Path, dialog: Dialog
) -> None:
    store = SQLiteStore(tmp_path / "kb.sqlite3")
    engine = Engine(dialog, store)
    key = conversation_key("console", "local", "terminal", "pat")
    engine.handle(Incoming(key=key, user="console:local:pat", text="I'm a cyclist"))
    engine.handle(Incoming(key=key, user="console:local:pat", text="none"))
    before = store.load(key, now=engine.clock())
    assert before is not None
    shown = _record(engine, tmp_path / "fresh.yaml", ["none", "stop"])
    assert shown.startswith("Hi, I'm kneebot."), (
        "a recording begins as a replay does, not with 'welcome back'"
    )
    assert replay_file(tmp_path / "fresh.yaml", dialog=dialog).ok
    after = store.load(key, now=engine.clock())
    assert after is not None and (after.state, after.answers) == (before.state, before.answers)
    store.close()


class _InterruptedInput(io.StringIO):
    """Typed lines, then Ctrl-C."""

    def readline(self, size: int | None = -1) -> str:  # type: ignore[override]
        line = super().readline()
        if not line:
            raise KeyboardInterrupt
        return line


def test_the_file_is_written_when_the_session_ends_with_ctrl_c(tmp_path: Path, dialog: Dialog) -> None:
    path = tmp_path / "interrupted.yaml"
    code = record_chat(
        Engine(dialog, MemoryStore()),
        user="pat",
        path=path,
        stdin=_InterruptedInput("hi\nnone\n"),
        stdout=io.StringIO(),
    )
    assert code == 0
    assert [turn.value for turn in load_transcript(path).turns] == ["", "hi", "none"]
    assert replay_file(path, dialog=dialog).ok


def _kneebot(tmp_path: Path, *args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("REDIS_URL", "KNEEBOT_", "LOG_"))}
    return subprocess.run(
        [sys.executable, "-m", "adapters.cli", *args],
        input=stdin,
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env={**env, "PYTHONPATH": str(ROOT)},
        timeout=60,
        check=False,
    )


def test_kneebot_chat_record_then_kneebot_replay_passes(tmp_path: Path) -> None:
    typed = "I twisted my knee playing football\nnone\nnone\nbehind\nit catches and gives way\n"
    chat = _kneebot(tmp_path, "chat", "--user", "pat", "--record", "bug_report.yaml", stdin=typed)
    assert chat.returncode == 0, chat.stderr
    dialog = load_dialog(default_dialog_path())
    assert dialog.labels["one_cause"].format(first=dialog.causes["torn_meniscus"].name) in chat.stdout
    assert "recorded 6 turn(s) to bug_report.yaml; replay with: kneebot replay bug_report.yaml" in chat.stderr
    replayed = _kneebot(tmp_path, "replay", "bug_report.yaml")
    assert replayed.returncode == 0, replayed.stdout + replayed.stderr
    assert replayed.stdout.splitlines()[0] == "PASS  bug_report.yaml  (bug report)"
    assert replayed.stdout.splitlines()[-1].startswith("OK: 1 passed, 0 failed (6 turns replayed in ")

"""Replay a transcript through any `Driver` and say exactly where the bot went another way.

The runner knows nothing of platforms: the engine driver talks to `Engine`, the Slack and
Discord test suites pass their own drivers (with `strict_text=False`, since a platform may lay
text out differently). A failure names the file and line, the turn, what the person did, what
was expected and what the bot said, as a unified diff in which passing messages are context and
only the part that went wrong is marked.
"""

from __future__ import annotations

import difflib
import functools
import os
import sys
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

from bot.dialog import Dialog
from bot.dialog.loader import check_translation, load_dialog
from bot.engine import Engine, default_dialog_path
from bot.languages import translations_of
from bot.store import MemoryStore
from bot.transcripts.driver import Driver, EngineDriver, Said
from bot.transcripts.format import load_transcript
from bot.transcripts.model import Outcome, Transcript, TranscriptError, Turn
from bot.transcripts.report import matches, outcome_problem, turn_problem
from bot.yaml_lines import Problem, yaml_files

__all__ = [
    "ReplayResult",
    "TranscriptFailure",
    "assert_replays",
    "check_ids",
    "find_transcripts",
    "matches",
    "replay",
    "replay_file",
    "replay_main",
]


class TranscriptFailure(AssertionError):
    """A transcript that replayed differently; its text is the whole readable report."""


@dataclass(frozen=True, kw_only=True, slots=True)
class ReplayResult:
    transcript: Transcript
    turns_played: int
    failure: str | None = None

    @property
    def ok(self) -> bool:
        return self.failure is None


# ----- replaying -------------------------------------------------------------------------------
def replay(
    transcript: Transcript,
    driver: Driver,
    *,
    strict_text: bool = True,
    check_outcome: bool | None = None,
) -> ReplayResult:
    """Play every turn through `driver`, stopping at the first one that goes another way.

    With `strict_text=False` (adapter runs), `text:` means "this text appears, whitespace
    aside" rather than "exactly this text". Outcomes are checked from `Said.outcome` unless
    `check_outcome` is False or the driver sets `reports_outcome = False`.
    """
    if check_outcome is None:
        check_outcome = bool(getattr(driver, "reports_outcome", True))
    total = len(transcript.turns)
    last_result: Said | None = None
    offered: tuple[str, ...] = ()

    where = display_path(transcript.path)

    def failed(turn: Turn | None, why: str, played: int, line: int | None = None) -> ReplayResult:
        if turn is None:
            head = f"{where}:{line}: after the last turn"
        else:
            head = f"{where}:{turn.line}: turn {turn.number} of {total}: {turn.describe()}"
        return ReplayResult(transcript=transcript, turns_played=played, failure=f"{head}\n  {why}")

    for turn in transcript.turns:
        if turn.action == "restart":
            driver.restart_process()
            continue
        try:
            if turn.action == "say":
                said = driver.say(turn.value)
            elif turn.action == "pick":
                said = driver.pick(turn.picks)
            else:
                said = driver.click(turn.value, stale=turn.stale)
        except LookupError:
            on_screen = " | ".join(offered) if offered else "none"
            missing = [label for label in turn.picks or (turn.value,) if label not in offered]
            close = difflib.get_close_matches(missing[0], offered, n=1, cutoff=0.6) if missing else []
            hint = f"; did you mean {close[0]!r}?" if close else ""
            return failed(
                turn,
                f"no button labelled {(missing or [turn.value])[0]!r} was offered{hint}"
                f" (latest buttons: {on_screen})",
                turn.number - 1,
            )
        for message in said:
            if message.choices:
                offered = message.choices
        results = [s for s in said if s.outcome is not None or s.result is not None]
        if results:
            last_result = results[-1]
        problem = turn_problem(turn, said, strict_text)
        if problem is None and check_outcome and turn.outcome is not None:
            wrong = outcome_problem(turn.outcome, results[-1] if results else None)
            problem = wrong and f"(line {turn.outcome.line}) {wrong}"
        if problem is not None:
            return failed(turn, problem, turn.number)
    if check_outcome and transcript.outcome is not None:
        problem = outcome_problem(transcript.outcome, last_result)
        if problem is not None:
            return failed(None, problem, total, line=transcript.outcome.line)
    return ReplayResult(transcript=transcript, turns_played=total)


def display_path(path: Path) -> str:
    """The path as a maintainer would type it: relative to the current folder when inside it."""
    try:
        return str(path.resolve().relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def assert_replays(transcript: Transcript, driver: Driver, **options: bool) -> None:
    """`replay`, raising `TranscriptFailure` with the readable report when it fails."""
    result = replay(transcript, driver, **options)  # type: ignore[arg-type]
    if result.failure is not None:
        raise TranscriptFailure(result.failure)


def check_ids(transcript: Transcript, dialog: Dialog) -> None:
    """Fail with the line when an outcome names a cause, red flag or urgency the dialog lacks,
    so a typo reads as a typo rather than as the bot answering wrongly."""
    problems: list[Problem] = []

    def check(outcome: Outcome | None, place: str) -> None:
        if outcome is None or outcome.none:
            return
        for cause in (outcome.cause, *(outcome.causes or ())):
            if cause is not None and cause not in dialog.causes:
                close = difflib.get_close_matches(cause, list(dialog.causes), n=1)
                hint = f"; did you mean {close[0]!r}?" if close else ""
                problems.append(Problem(outcome.line, place, f"the dialog has no cause {cause!r}{hint}"))
        flag = outcome.red_flag
        if flag is not None and flag not in dialog.red_flags:
            close = difflib.get_close_matches(flag, list(dialog.red_flags), n=1)
            hint = f"; did you mean {close[0]!r}?" if close else ""
            problems.append(Problem(outcome.line, place, f"the dialog has no red flag {flag!r}{hint}"))

    for turn in transcript.turns:
        check(turn.outcome, f"turns[{turn.number - 1}].outcome")
    check(transcript.outcome, "outcome")
    if problems:
        raise TranscriptError(str(transcript.path), problems)


def engine_driver_for(transcript: Transcript, dialog: Dialog) -> EngineDriver:
    """A fresh in-memory engine for one transcript (the dialog and the translations beside
    it), as the person named in its context, in their locale."""
    engine = Engine(dialog, MemoryStore(), translations=_translations(dialog.source))
    return EngineDriver(
        engine=engine, user=transcript.user, platform=transcript.platform, locale=transcript.locale
    )


@functools.cache
def _translations(source: Path | None) -> tuple[Dialog, ...]:
    if source is None:
        return ()
    main = load_dialog(source)
    return tuple(check_translation(main, path) for path in translations_of(source))


def replay_file(path: str | Path, *, dialog: Dialog, strict_text: bool = True) -> ReplayResult:
    """Load, check and replay one file through the engine. Raises `TranscriptError` for a
    file that is not a valid transcript."""
    transcript = load_transcript(path)
    check_ids(transcript, dialog)
    driver = engine_driver_for(transcript, dialog)
    try:
        return replay(transcript, driver, strict_text=strict_text)
    finally:
        driver.close()


def find_transcripts(paths: Iterable[str | Path]) -> list[Path]:
    """Files as given, folders expanded to their *.yaml and *.yml files (sorted, recursively)."""
    return yaml_files(paths)


def replay_main(
    files: Sequence[str | Path], *, dialog_path: str | Path | None = None, out: TextIO | None = None
) -> int:
    """`kneebot replay FILE...`: one line per transcript, failures in full, then a summary.
    Exits 0 when every transcript passed, 1 otherwise."""
    out = out or sys.stdout
    dialog = load_dialog(dialog_path or default_dialog_path())
    paths = find_transcripts(files)
    if not paths:
        print(f"no transcripts found in {', '.join(map(str, files))}", file=out)
        return 1
    try:
        return _replay_all(paths, dialog, out)
    except BrokenPipeError:  # `kneebot replay ... | head`: the reader left before the verdict
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1


def _replay_all(paths: Sequence[Path], dialog: Dialog, out: TextIO) -> int:
    passed = failed = turns = 0
    began = time.perf_counter()
    for path in paths:
        try:
            result = replay_file(path, dialog=dialog)
        except TranscriptError as exc:
            failed += 1
            print(f"ERROR {path}\n{_indent(str(exc))}", file=out)
            continue
        turns += result.turns_played
        if result.ok:
            passed += 1
            print(f"PASS  {path}  ({result.transcript.name})", file=out)
        else:
            failed += 1
            print(f"FAIL  {path}  ({result.transcript.name})\n{_indent(result.failure or '')}", file=out)
    seconds = time.perf_counter() - began
    verdict = "FAILED" if failed else "OK"
    print(
        f"\n{verdict}: {passed} passed, {failed} failed ({turns} turns replayed in {seconds:.2f} s)",
        file=out,
    )
    return 1 if failed else 0


def _indent(text: str) -> str:
    return "\n".join(f"  {line}" if line else line for line in text.splitlines())

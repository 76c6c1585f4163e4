"""Replay a transcript through any `Driver` and say exactly where the bot went another way.

The runner knows nothing of platforms: the engine driver talks to `Engine`, the Slack and
Discord test suites pass their own drivers (with `strict_text=False`, since a platform may lay
text out differently). A failure names the file and line, the turn, what the person did, what
was expected and what the bot said, as a unified diff in which passing messages are context and
only the part that went wrong is marked.
"""

from __future__ import annotations

import difflib
import os
import sys
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

from bot.dialog import Dialog
from bot.dialog_loader import load_dialog
from bot.engine import Engine, default_dialog_path
from bot.store import MemoryStore
from bot.transcripts.driver import Driver, EngineDriver, Said
from bot.transcripts.format import (
    Expect,
    Outcome,
    Problem,
    Transcript,
    TranscriptError,
    Turn,
    load_transcript,
)


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


# ----- matching --------------------------------------------------------------------------------
def _flat(text: str) -> str:
    return " ".join(text.split())


def _loosely_contains(flat: str, expected: str) -> bool:
    """Adapter runs: the expected text appears whitespace aside, or, for a platform that lays
    a long message out in its own blocks, each of its lines appears, in order."""
    if _flat(expected) in flat:
        return True
    position = 0
    for line in filter(None, map(_flat, expected.splitlines())):
        found = flat.find(line, position)
        if found < 0:
            return False
        position = found + len(line)
    return True


def matches(expect: Expect, said: Said, *, strict_text: bool = True) -> bool:
    """Whether one bot message meets every condition of one expectation."""
    flat = _flat(said.text)
    if expect.text is not None:
        if strict_text:
            if said.text.strip() != expect.text.strip():
                return False
        elif not _loosely_contains(flat, expect.text):
            return False
    if any(_flat(fragment) not in flat for fragment in expect.contains):
        return False
    if expect.matches is not None and not expect.matches.search(said.text if strict_text else flat):
        return False
    return expect.choices is None or tuple(_flat(c) for c in said.choices) == tuple(
        _flat(c) for c in expect.choices
    )


def _in_order(expects: Sequence[Expect], said: Sequence[Said], strict: bool) -> tuple[list[int], int]:
    """Match expectations to messages in order, skipping unchecked messages. Greedy earliest
    matching finds an assignment whenever one exists. Returns the matched message indexes and
    the index of the first expectation that found none (len(expects) when all did)."""
    matched: list[int] = []
    position = 0
    for index, expect in enumerate(expects):
        found = next(
            (i for i in range(position, len(said)) if matches(expect, said[i], strict_text=strict)), None
        )
        if found is None:
            return matched, index
        matched.append(found)
        position = found + 1
    return matched, len(expects)


# ----- showing ---------------------------------------------------------------------------------
def _said_lines(said: Said, buttons: bool = True) -> list[str]:
    lines = said.text.splitlines() or [""]
    if buttons:
        lines += _button_lines(said.choices)
    return lines


def _button_lines(choices: Sequence[str]) -> list[str]:
    """One line per button, so a diff points at the very button that differs."""
    return [f"  [{label}]" for label in choices]


def _expect_lines(expect: Expect) -> list[str]:
    lines: list[str] = []
    if expect.text is not None:
        lines += expect.text.strip().splitlines()
    lines += [f"… {fragment} …" for fragment in expect.contains]
    if expect.matches is not None:
        lines.append(f"/{expect.matches.pattern}/")
    if not lines:
        lines.append("(any text)")
    if expect.choices is not None:
        lines += _button_lines(expect.choices) if expect.choices else ["  (no buttons)"]
    return lines


def _coverage(fragment: str, text: str) -> tuple[float, int, int]:
    """How much of `fragment` appears in `text` in runs of a few characters (0..1), and the
    span of `text` it lines up with. Scattered single letters do not count, and a span much
    longer than the fragment is no match at all."""
    if not fragment:
        return 0.0, 0, 0
    matcher = difflib.SequenceMatcher(None, text, fragment, autojunk=False)
    blocks = [b for b in matcher.get_matching_blocks() if b.size >= 3]
    if not blocks:
        return 0.0, 0, 0
    first, last = blocks[0], blocks[-1]
    start = max(0, first.a - first.b)
    end = min(len(text), last.a + last.size + len(fragment) - (last.b + last.size))
    if end - start > 1.5 * len(fragment) + 5:
        return 0.0, 0, 0
    return sum(b.size for b in blocks) / len(fragment), start, end


def _closeness(expect: Expect, said: Said) -> float:
    """How nearly a message meets an expectation, to pick the one to show in the diff."""
    scores = [_coverage(fragment, said.text)[0] for fragment in expect.contains]
    if expect.text is not None:
        scores.append(difflib.SequenceMatcher(None, expect.text, said.text, autojunk=False).ratio())
    if expect.choices is not None:
        scores.append(difflib.SequenceMatcher(None, list(expect.choices), list(said.choices)).ratio())
    return sum(scores) / len(scores) if scores else 0.0


def _expected_version(expect: Expect, said: Said, buttons: bool, strict: bool) -> list[str]:
    """How `said` would have to read to meet `expect`: the bot's own lines with only the
    missing part changed, so the diff marks just that (a misspelt word, a changed button)."""
    flat = _flat(said.text)
    if expect.text is not None and (strict or _flat(expect.text) not in flat):
        lines = expect.text.strip().splitlines() or [""]
    else:
        lines = said.text.splitlines() or [""]
    for fragment in expect.contains:
        if _flat(fragment) in flat:
            continue
        best = max(range(len(lines)), key=lambda i: _coverage(fragment, lines[i])[0])
        covered, start, end = _coverage(fragment, lines[best])
        if covered >= 0.6:
            lines[best] = lines[best][:start] + fragment + lines[best][end:]
        else:
            lines.insert(0, f"… {fragment} …")
    if expect.matches is not None and not expect.matches.search(said.text if strict else flat):
        lines.insert(0, f"/{expect.matches.pattern}/")
    if buttons:
        choices = expect.choices if expect.choices is not None else said.choices
        lines += _button_lines(choices) if choices or expect.choices is None else ["  (no buttons)"]
    return lines


def _document(blocks: Iterable[list[str]]) -> list[str]:
    out: list[str] = []
    for block in blocks:
        if out:
            out.append("")
        out += block
    return out


def _diff(expected: list[str], actual: list[str]) -> str:
    lines = difflib.unified_diff(expected, actual, "expected", "bot said", lineterm="", n=3)
    return "\n".join(f"    {line}" for line in lines)


def _describe_outcome(said: Said | None) -> str:
    if said is None or said.outcome is None:
        return "no result"
    cause, urgency = said.outcome
    parts = [f"cause: {cause or 'null'}"]
    if said.result is not None and len(said.result.causes) > 1:
        parts.append(f"causes: [{', '.join(said.result.causes)}]")
    parts.append(f"urgency: {urgency}")
    if said.result is not None:
        parts.append(f"red_flag: {said.result.red_flag or 'null'}")
    return "{" + ", ".join(parts) + "}"


def _expected_doc(expect: Expect, said: list[Said], first: int, buttons: bool, strict: bool) -> list[str]:
    """What the bot should have said: its own messages, with the one nearest to the missing
    expectation (from `first` on) rewritten to meet it, or the expectation added at the end."""
    blocks = [_said_lines(s, buttons) for s in said]
    if first >= len(said):
        return _document([*blocks, _expect_lines(expect)])
    nearest = max(range(first, len(said)), key=lambda i: _closeness(expect, said[i]))
    blocks[nearest] = _expected_version(expect, said[nearest], buttons, strict)
    return _document(blocks)


# ----- checking one turn -----------------------------------------------------------------------
def _check_turn(turn: Turn, said: list[Said], strict: bool) -> str | None:
    """The reason (and diff) this turn failed, or None."""
    expects = (*(turn.bot or ()), *turn.any, *turn.never)
    buttons = any(e.choices is not None for e in expects) or turn.bot == ()

    def shown(messages: Iterable[Said]) -> list[str]:
        """Messages as diff lines; buttons only when the turn checks buttons (less noise)."""
        return _document(_said_lines(s, buttons) for s in messages)

    if turn.bot is not None:
        if not turn.bot and said:
            return "expected the bot to say nothing\n" + _diff([], shown(said))
        matched, failed = _in_order(turn.bot, said, strict)
        if failed < len(turn.bot):
            expect = turn.bot[failed]
            after = matched[-1] + 1 if matched else 0
            which = f"expected message {failed + 1} of {len(turn.bot)} (line {expect.line})"
            where = "after the messages already matched" if matched else "in what the bot said"
            return f"{which} was not found {where}\n" + _diff(
                _expected_doc(expect, said, after, buttons, strict), shown(said)
            )
    for expect in turn.any:
        if not any(matches(expect, s, strict_text=strict) for s in said):
            return f"the message expected anywhere in the turn (line {expect.line}) was not found\n" + _diff(
                _expected_doc(expect, said, 0, buttons, strict), shown(said)
            )
    for expect in turn.never:
        bad = [i for i, s in enumerate(said) if matches(expect, s, strict_text=strict)]
        if bad:
            kept = [s for i, s in enumerate(said) if i not in bad]
            what = " / ".join(_expect_lines(expect))
            return f"the bot said what it must not (line {expect.line}: {what})\n" + _diff(
                shown(kept), shown(said)
            )
    return None


def _check_outcome(expected: Outcome, said: Said | None) -> str | None:
    if expected.none:
        return None if said is None else f"expected no result, got {_describe_outcome(said)}"
    if said is None or said.outcome is None:
        return f"expected the result {expected.describe()}, but the bot showed no result"
    cause, urgency = said.outcome
    result = said.result
    wrong = (
        (expected.check_cause and cause != expected.cause)
        or (expected.urgency is not None and urgency != expected.urgency)
        or (result is not None and expected.check_red_flag and result.red_flag != expected.red_flag)
        or (result is not None and expected.causes is not None and result.causes != expected.causes)
    )
    if wrong:
        return f"expected the result {expected.describe()}, got {_describe_outcome(said)}"
    return None


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
            head = f"{where}:{line}: after all {total} turns"
        else:
            head = f"{where}:{turn.line}: turn {turn.number} of {total}: {turn.describe()}"
        return ReplayResult(transcript=transcript, turns_played=played, failure=f"{head}\n  {why}")

    for turn in transcript.turns:
        if turn.action == "restart":
            driver.restart_process()
            continue
        try:
            said = (
                driver.say(turn.value) if turn.action == "say" else driver.click(turn.value, stale=turn.stale)
            )
        except LookupError:
            on_screen = " | ".join(offered) if offered else "none"
            close = difflib.get_close_matches(turn.value, offered, n=1, cutoff=0.6)
            hint = f"; did you mean {close[0]!r}?" if close else ""
            return failed(
                turn,
                f"no button labelled {turn.value!r} was offered{hint} (latest buttons: {on_screen})",
                turn.number - 1,
            )
        for message in said:
            if message.choices:
                offered = message.choices
        results = [s for s in said if s.outcome is not None or s.result is not None]
        if results:
            last_result = results[-1]
        problem = _check_turn(turn, said, strict_text)
        if problem is None and check_outcome and turn.outcome is not None:
            outcome_problem = _check_outcome(turn.outcome, results[-1] if results else None)
            problem = outcome_problem and f"(line {turn.outcome.line}) {outcome_problem}"
        if problem is not None:
            return failed(turn, problem, turn.number)
    if check_outcome and transcript.outcome is not None:
        problem = _check_outcome(transcript.outcome, last_result)
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
    """A fresh in-memory engine for one transcript, as the person named in its context."""
    engine = Engine(dialog, MemoryStore())
    return EngineDriver(engine=engine, user=transcript.user, platform=transcript.platform)


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
    found: list[Path] = []
    for entry in map(Path, paths):
        if entry.is_dir():
            found += sorted(p for p in entry.rglob("*") if p.suffix in (".yaml", ".yml") and p.is_file())
        else:
            found.append(entry)
    return found


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

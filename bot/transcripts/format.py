"""Read a transcript YAML file into plain data, or fail saying where and what is wrong.

A transcript is written by hand (or recorded, then trimmed by hand), so every mistake comes back
as a sentence with the file, the line and the place (`turns[3].bot[0].choices`), all at once,
the way `bot.dialog.loader` reports dialog mistakes. YAML 1.1's unquoted yes/no (read as
booleans) is caught with a hint, because `choices: [Yes, No]` is the first thing anyone writes.
See docs/transcripts.md for the format.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from bot.messages import URGENCIES
from bot.transcripts.model import (
    Action,
    Expect,
    Outcome,
    Transcript,
    TranscriptError,
    Turn,
)
from bot.yaml_lines import BOOL_HINT, Problem, kind_of, line_of, parse_lines, suggest

__all__ = ["Expect", "Outcome", "Problem", "Transcript", "TranscriptError", "Turn", "load_transcript"]


_TOP_KEYS = ("name", "context", "turns", "outcome")
_CONTEXT_KEYS = ("platform", "user", "locale")
_TURN_KEYS = ("user", "click", "pick", "restart", "bot", "any", "not", "outcome")
_EXPECT_KEYS = ("text", "contains", "matches", "choices")
_OUTCOME_KEYS = ("cause", "causes", "urgency", "red_flag")


class _Reader:
    """Typed access to the raw YAML tree that records problems instead of raising."""

    def __init__(self) -> None:
        self.problems: list[Problem] = []

    def problem(self, line: int | None, place: str, message: str) -> None:
        self.problems.append(Problem(line, place, message))

    def mapping(self, value: Any, place: str, line: int | None, allowed: tuple[str, ...]) -> dict[Any, Any]:
        if not isinstance(value, dict):
            self.problem(line, place, f"expected a mapping (key: value), got {kind_of(value)}")
            return {}
        for key in value:
            if key not in allowed:
                hint = suggest(key, allowed)
                self.problem(
                    line_of(value, key, line),
                    _join(place, key),
                    f"unknown field{hint} (expected one of: {', '.join(allowed)})",
                )
        return value

    def text(self, value: Any, place: str, line: int | None, *, empty_ok: bool = False) -> str | None:
        if isinstance(value, bool):
            self.problem(line, place, f"got {value}: {BOOL_HINT}")
            return None
        if isinstance(value, (int, float)):
            return str(value)
        if not isinstance(value, str):
            self.problem(line, place, f"expected text in quotes, got {kind_of(value)}")
            return None
        if not empty_ok and not value.strip():
            self.problem(line, place, "is empty")
            return None
        return value

    def texts(self, value: Any, place: str, line: int | None) -> tuple[str, ...] | None:
        if not isinstance(value, list):
            self.problem(line, place, f'expected a list, e.g. ["Yes", "No"], got {kind_of(value)}')
            return None
        lines = getattr(value, "item_lines", [])
        out = []
        for index, item in enumerate(value):
            got = self.text(item, f"{place}[{index}]", lines[index] if index < len(lines) else line)
            if got is not None:
                out.append(got)
        return tuple(out)


def _join(place: str, key: Any) -> str:
    return f"{place}.{key}" if place else str(key)


def load_transcript(path: str | Path) -> Transcript:
    """Parse and validate a transcript file; raise `TranscriptError` listing every problem."""
    path = Path(path)
    source = str(path)
    try:
        raw_text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise TranscriptError(source, [Problem(None, "", f"cannot read the file: {exc}")]) from exc
    return parse_transcript(raw_text, path)


def parse_transcript(raw_text: str, path: Path) -> Transcript:
    source = str(path)
    raw = parse_lines(raw_text, source, TranscriptError)
    r = _Reader()
    if isinstance(raw, dict) and "turns" not in raw:
        found = ", ".join(map(str, list(raw)[:5])) or "nothing"
        problem = Problem(
            getattr(raw, "line", 1),
            "",
            f"missing required field 'turns' (is this a transcript? it has {found})",
        )
        raise TranscriptError(source, [problem])
    top = r.mapping(raw, "", 1, _TOP_KEYS)
    name = path.stem.replace("_", " ")
    if "name" in top:
        name = r.text(top["name"], "name", line_of(top, "name", 1)) or name
    context = r.mapping(top.get("context", {}) or {}, "context", line_of(top, "context", 1), _CONTEXT_KEYS)
    platform = r.text(
        context.get("platform", "transcript"), "context.platform", line_of(context, "platform", 1)
    )
    user = r.text(context.get("user", "tester"), "context.user", line_of(context, "user", 1))
    locale = (
        r.text(context["locale"], "context.locale", line_of(context, "locale", 1))
        if "locale" in context
        else None
    )
    turns = _turns(top.get("turns", []), r, line_of(top, "turns", 1))
    outcome = _outcome(top, "outcome", "outcome", r) if "outcome" in top else None
    if r.problems:
        raise TranscriptError(source, r.problems)
    return Transcript(
        name=name,
        path=path,
        turns=turns,
        platform=platform or "transcript",
        user=user or "tester",
        locale=locale or None,
        outcome=outcome,
    )


def _turns(raw: Any, r: _Reader, line: int | None) -> tuple[Turn, ...]:
    if not isinstance(raw, list) or not raw:
        r.problem(line, "turns", f"expected a non-empty list of turns, got {kind_of(raw)}")
        return ()
    lines = getattr(raw, "item_lines", [])
    return tuple(
        turn
        for index, item in enumerate(raw)
        if (turn := _turn(index, item, r, lines[index] if index < len(lines) else line)) is not None
    )


def _turn(index: int, raw: Any, r: _Reader, line: int | None) -> Turn | None:
    place = f"turns[{index}]"
    entry = r.mapping(raw, place, line, _TURN_KEYS)
    line = getattr(entry, "line", line) or 0
    actions = [key for key in ("user", "click", "pick", "restart") if key in entry]
    if len(actions) != 1:
        found = f"it has {', '.join(actions)}" if actions else "it has none"
        r.problem(line, place, f"a turn needs exactly one of user:, click:, pick: or restart: ({found})")
        return None
    key = actions[0]
    action: Action = {"user": "say", "click": "click", "pick": "pick", "restart": "restart"}[key]  # type: ignore[assignment]
    at = line_of(entry, key, line)
    value, stale = "", False
    picks: tuple[str, ...] = ()
    if action == "say":
        raw_text = entry["user"]
        if raw_text is None:
            r.problem(at, f"{place}.user", 'is empty; write user: "" for an empty message')
            return None
        value = r.text(raw_text, f"{place}.user", at, empty_ok=True) or ""
    elif action == "click":
        click = entry["click"]
        if isinstance(click, dict):
            spec = r.mapping(click, f"{place}.click", at, ("label", "stale"))
            value = r.text(spec.get("label"), f"{place}.click.label", line_of(spec, "label", at)) or ""
            stale = spec.get("stale", False)
            if not isinstance(stale, bool):
                r.problem(line_of(spec, "stale", at), f"{place}.click.stale", "expected true or false")
                stale = False
        else:
            value = r.text(click, f"{place}.click", at) or ""
    elif action == "pick":
        raw_picks = entry["pick"]
        if not isinstance(raw_picks, list) or len(raw_picks) < 2:
            r.problem(
                at, f"{place}.pick", "expected a list of two or more option labels (one label: use click:)"
            )
        else:
            picks = tuple(r.text(label, f"{place}.pick[{i}]", at) or "" for i, label in enumerate(raw_picks))
    elif entry["restart"] is not True:
        r.problem(at, f"{place}.restart", "write restart: true (the bot process restarts here)")
    if action == "restart":
        for key in ("bot", "any", "not", "outcome"):
            if key in entry:
                r.problem(
                    line_of(entry, key, line),
                    f"{place}.{key}",
                    "a restart turn says nothing; put the checks on the next turn",
                )
    bot = None
    if "bot" in entry:
        bot = _expects(entry["bot"], f"{place}.bot", line_of(entry, "bot", line), r, allow_empty=True)
    return Turn(
        number=index + 1,
        line=line,
        action=action,
        value=value,
        picks=picks,
        stale=stale,
        bot=bot,
        any=_expects(entry.get("any", []), f"{place}.any", line_of(entry, "any", line), r),
        never=_expects(entry.get("not", []), f"{place}.not", line_of(entry, "not", line), r),
        outcome=_outcome(entry, "outcome", f"{place}.outcome", r) if "outcome" in entry else None,
    )


def _expects(
    raw: Any, place: str, line: int | None, r: _Reader, *, allow_empty: bool = False
) -> tuple[Expect, ...]:
    if raw is None and allow_empty:
        r.problem(line, place, "is empty; write bot: [] if the bot must say nothing, or leave it out")
        return ()
    if not isinstance(raw, list):
        r.problem(line, place, f"expected a list of expected messages, got {kind_of(raw)}")
        return ()
    lines = getattr(raw, "item_lines", [])
    out = []
    for index, item in enumerate(raw):
        expect = _expect(item, f"{place}[{index}]", lines[index] if index < len(lines) else line, r)
        if expect is not None:
            out.append(expect)
    return tuple(out)


def _expect(raw: Any, place: str, line: int | None, r: _Reader) -> Expect | None:
    line = line or 0
    if isinstance(raw, str):  # shorthand: a bare string is a fragment
        return Expect(line=line, contains=(raw,)) if raw.strip() else None
    spec = r.mapping(raw, place, line, _EXPECT_KEYS)
    if (
        isinstance(raw, dict)
        and not any(key in spec for key in _EXPECT_KEYS)
        and set(spec) <= set(_EXPECT_KEYS)
    ):
        r.problem(line, place, f"say what to expect: one of {', '.join(_EXPECT_KEYS)}")
        return None
    text = None
    if "text" in spec:
        text = r.text(spec["text"], f"{place}.text", line_of(spec, "text", line))
    contains: tuple[str, ...] = ()
    if "contains" in spec:
        at = line_of(spec, "contains", line)
        value = spec["contains"]
        got = r.texts(value, f"{place}.contains", at) if isinstance(value, list) else None
        if not isinstance(value, list):
            single = r.text(value, f"{place}.contains", at)
            got = (single,) if single is not None else None
        contains = got or ()
    matches = None
    if "matches" in spec:
        at = line_of(spec, "matches", line)
        pattern = r.text(spec["matches"], f"{place}.matches", at)
        if pattern is not None:
            try:
                matches = re.compile(pattern)
            except re.error as exc:
                r.problem(at, f"{place}.matches", f"not a valid regular expression: {exc}")
    choices = None
    if "choices" in spec:
        choices = r.texts(spec["choices"], f"{place}.choices", line_of(spec, "choices", line))
    return Expect(line=line, text=text, contains=contains, matches=matches, choices=choices)


def _outcome(parent: Any, key: str, place: str, r: _Reader) -> Outcome | None:
    raw = parent[key]
    line = line_of(parent, key, None) or 0
    if raw is None or raw == "none":
        return Outcome(line=line, none=True)
    spec = r.mapping(raw, place, line, _OUTCOME_KEYS)
    if isinstance(raw, dict) and not spec:
        r.problem(line, place, "is empty; write outcome: none if the bot must show no result")
        return None
    cause = _optional_id(spec, "cause", place, line, r)
    red_flag = _optional_id(spec, "red_flag", place, line, r)
    urgency = None
    if "urgency" in spec:
        urgency = r.text(spec["urgency"], f"{place}.urgency", line_of(spec, "urgency", line))
        if urgency is not None and urgency not in URGENCIES:
            r.problem(
                line_of(spec, "urgency", line),
                f"{place}.urgency",
                f"unknown urgency {urgency!r}{suggest(urgency, URGENCIES)} (use one of {', '.join(URGENCIES)})",
            )
    causes = None
    if "causes" in spec:
        causes = r.texts(spec["causes"], f"{place}.causes", line_of(spec, "causes", line))
    return Outcome(
        line=line,
        cause=cause,
        check_cause="cause" in spec,
        urgency=urgency,
        causes=causes,
        red_flag=red_flag,
        check_red_flag="red_flag" in spec,
    )


def _optional_id(spec: dict[Any, Any], key: str, place: str, line: int, r: _Reader) -> str | None:
    if key not in spec or spec[key] is None:
        return None
    return r.text(spec[key], f"{place}.{key}", line_of(spec, key, line))

"""Typed, forgiving access to a loaded YAML tree: every mistake becomes a `Problem`.

Reading goes on after a mistake, so a maintainer sees every problem in a file at once. The
section readers in `bot.dialog.sections` and `bot.dialog.language` are written on top of this.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

from bot.dialog.model import Near, Pattern, Patterns
from bot.messages import URGENCIES
from bot.reading.syntax import PhraseError, parse_near, parse_phrase
from bot.yaml_lines import BOOL_HINT, LineMap, Problem, kind_of, line_of, suggest

ID = re.compile(r"^[a-z][a-z0-9_]*$")


class FieldReader:
    """Typed access to the raw YAML tree that records problems instead of raising."""

    def __init__(self, file: str | None = None) -> None:
        self.problems: list[Problem] = []
        self.file = file
        """The file problems are reported against, when it is not the one being loaded."""

    def problem(self, line: int | None, place: str, message: str) -> None:
        self.problems.append(Problem(line, place, message, self.file))

    def mapping(
        self,
        value: Any,
        place: str,
        line: int | None,
        *,
        allowed: Iterable[str] = (),
        required: Iterable[str] = (),
    ) -> LineMap:
        if not isinstance(value, dict):
            self.problem(line, place, f"expected a mapping (key: value), got {kind_of(value)}")
            return LineMap()
        allowed_keys = set(allowed) | set(required)
        for key in value:
            key_line = getattr(value, "key_lines", {}).get(key, line)
            if isinstance(key, bool):
                self.problem(key_line, place, f"key {key!r}: {BOOL_HINT}")
            elif allowed_keys and key not in allowed_keys:
                self.problem(
                    key_line,
                    join_place(place, key),
                    "unknown field"
                    + suggest(key, allowed_keys)
                    + f" (expected one of: {', '.join(sorted(allowed_keys))})",
                )
        for key in required:
            if key not in value:
                self.problem(getattr(value, "line", line), place, f"missing required field {key!r}")
        return value if isinstance(value, LineMap) else LineMap(value)

    def text(self, parent: LineMap, key: str, place: str, *, required: bool = True) -> str:
        value = parent.get(key)
        line = line_of(parent, key)
        if value is None:
            if required and key in parent:
                self.problem(line, join_place(place, key), "is empty")
            return ""
        if isinstance(value, bool):
            self.problem(line, join_place(place, key), f"got {value}: {BOOL_HINT}")
            return ""
        if isinstance(value, (int, float)):
            return str(value)
        if not isinstance(value, str):
            self.problem(line, join_place(place, key), f"expected text, got {kind_of(value)}")
            return ""
        if required and not value.strip():
            self.problem(line, join_place(place, key), "is empty")
        return value.strip()

    def texts(self, parent: LineMap, key: str, place: str) -> tuple[str, ...]:
        value = parent.get(key, [])
        line = line_of(parent, key)
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list):
            self.problem(line, join_place(place, key), f"expected a list of text, got {kind_of(value)}")
            return ()
        out: list[str] = []
        item_lines = getattr(value, "item_lines", [])
        for index, item in enumerate(value):
            item_line = item_lines[index] if index < len(item_lines) else line
            if isinstance(item, bool):
                self.problem(item_line, f"{join_place(place, key)}[{index}]", f"got {item}: {BOOL_HINT}")
            elif isinstance(item, (str, int, float)) and str(item).strip():
                out.append(str(item).strip())
            else:
                self.problem(
                    item_line,
                    f"{join_place(place, key)}[{index}]",
                    f"expected non-empty text, got {kind_of(item)}",
                )
        return tuple(out)

    def phrases(
        self, parent: LineMap, key: str, place: str, groups: Mapping[str, tuple[str, ...]]
    ) -> tuple[Pattern, ...]:
        """A list of phrases in the phrase syntax (`bot.reading.syntax`), each parsed and
        checked here, so a broken phrase is reported with its own line."""
        out: list[Pattern] = []
        value = parent.get(key, [])
        item_lines = getattr(value, "item_lines", [])
        for index, text in enumerate(self.texts(parent, key, place)):
            line = item_lines[index] if index < len(item_lines) else line_of(parent, key)
            try:
                out.append(Pattern(text=text, line=line, alternatives=parse_phrase(text, groups)))
            except PhraseError as exc:
                self.problem(line, f"{join_place(place, key)}[{index}]", str(exc))
        return tuple(out)

    def near(
        self, parent: LineMap, key: str, place: str, groups: Mapping[str, tuple[str, ...]]
    ) -> tuple[Near, ...]:
        """`near` rules: each a list of two or three phrases that count together in a clause."""
        raw = parent.get(key, [])
        if not isinstance(raw, list):
            self.problem(
                line_of(parent, key), join_place(place, key), "expected a list of [phrase, phrase] rules"
            )
            return ()
        out: list[Near] = []
        item_lines = getattr(raw, "item_lines", [])
        for index, rule in enumerate(raw):
            line = item_lines[index] if index < len(item_lines) else line_of(parent, key)
            rule_place = f"{join_place(place, key)}[{index}]"
            gap = None
            if isinstance(rule, dict):  # {phrases: [...], gap: N}: N words apart in any order
                spec = self.mapping(rule, rule_place, line, required=("phrases", "gap"))
                gap = spec.get("gap")
                if not isinstance(gap, int) or isinstance(gap, bool) or not 1 <= gap <= 15:
                    self.problem(line, f"{rule_place}.gap", "expected a number of words from 1 to 15")
                    gap = None
                rule = spec.get("phrases")
            if not isinstance(rule, list) or not all(isinstance(p, str) for p in rule):
                self.problem(line, rule_place, 'expected a list of phrases, e.g. ["@calf", "@swollen"]')
                continue
            try:
                parts = parse_near([str(p) for p in rule], groups)
            except PhraseError as exc:
                self.problem(line, rule_place, str(exc))
                continue
            out.append(Near(text=" + ".join(rule), line=line, parts=parts, gap=gap))
        return tuple(out)

    def patterns(
        self,
        parent: LineMap,
        place: str,
        groups: Mapping[str, tuple[str, ...]],
        *,
        phrases: str = "patterns",
        near: str = "near",
    ) -> Patterns:
        return Patterns(
            phrases=self.phrases(parent, phrases, place, groups),
            near=self.near(parent, near, place, groups) if near else (),
            exceptions=self.phrases(parent, "except", place, groups),
        )

    def identifier(self, key: Any, place: str, line: int | None) -> str:
        if isinstance(key, bool):
            return "yes" if key else "no"  # already reported as a boolean key
        if not isinstance(key, str) or not ID.match(key):
            self.problem(line, place, f"id {key!r} must be lower-case letters, digits and _")
        return str(key)

    def urgency(self, parent: LineMap, place: str) -> Any:
        value = self.text(parent, "urgency", place)
        if value and value not in URGENCIES:
            self.problem(
                line_of(parent, "urgency"),
                join_place(place, "urgency"),
                f"unknown urgency {value!r}; use one of {', '.join(URGENCIES)}",
            )
        return value or "soon"


def join_place(place: str, key: Any) -> str:
    return f"{place}.{key}" if place else str(key)

"""Typed, forgiving access to a loaded YAML tree: every mistake becomes a `Problem`.

Reading goes on after a mistake, so a maintainer sees every problem in a file at once. The
section readers in `bot.dialog.sections` are written on top of this.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from bot.messages import URGENCIES
from bot.yaml_lines import BOOL_HINT, LineMap, Problem, kind_of, line_of, suggest

ID = re.compile(r"^[a-z][a-z0-9_]*$")


class FieldReader:
    """Typed access to the raw YAML tree that records problems instead of raising."""

    def __init__(self) -> None:
        self.problems: list[Problem] = []

    def problem(self, line: int | None, place: str, message: str) -> None:
        self.problems.append(Problem(line, place, message))

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

"""YAML that remembers where everything came from, so a mistake is reported as file:line.

Dialogs and transcripts are written by hand; both loaders read them with `LineLoader` and
report every problem at once through a `YamlFileError`. YAML's own traps are handled here
once: a duplicate key is refused instead of silently overwriting the first, and `BOOL_HINT`
explains an unquoted yes/no read as a boolean.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

BOOL_HINT = (
    'YAML reads unquoted yes/no/on/off/true/false as a boolean here; put the word in quotes, e.g. "yes"'
)


@dataclass(frozen=True)
class Problem:
    line: int | None
    place: str
    message: str
    file: str | None = None
    """The file the problem is in, when it is not the one being loaded (a file it names)."""


class YamlFileError(Exception):
    """A file that cannot be used, with every problem found in it."""

    what = "file"

    def __init__(self, source: str, problems: list[Problem]) -> None:
        self.source = source
        self.problems = problems
        super().__init__(str(self))

    def __str__(self) -> str:
        lines = [f"{self.source}: {len(self.problems)} problem(s) in the {self.what}"]
        for p in self.problems:
            file = p.file or self.source
            where = f"{file}:{p.line}" if p.line else file
            place = f" ({p.place})" if p.place else ""
            lines.append(f"  {where}{place}: {p.message}")
        return "\n".join(lines)


class LineMap(dict[Any, Any]):
    """A YAML mapping that remembers the line of itself and of each key."""

    line: int = 0
    key_lines: dict[Any, int]


class LineList(list[Any]):
    """A YAML list that remembers the line of itself and of each item."""

    line: int = 0
    item_lines: list[int]


class LineLoader(yaml.SafeLoader):
    """SafeLoader whose mappings and lists carry line numbers, and which refuses duplicate keys."""


def _construct_map(loader: LineLoader, node: yaml.MappingNode) -> LineMap:
    loader.flatten_mapping(node)
    result = LineMap()
    result.line = node.start_mark.line + 1
    result.key_lines = {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        if key in result.key_lines:
            raise yaml.constructor.ConstructorError(
                None,
                None,
                f"duplicate key {key!r} (first at line {result.key_lines[key]})",
                key_node.start_mark,
            )
        result[key] = loader.construct_object(value_node, deep=True)
        result.key_lines[key] = key_node.start_mark.line + 1
    return result


def _construct_list(loader: LineLoader, node: yaml.SequenceNode) -> LineList:
    result = LineList(loader.construct_object(child, deep=True) for child in node.value)
    result.line = node.start_mark.line + 1
    result.item_lines = [child.start_mark.line + 1 for child in node.value]
    return result


LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_map)
LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG, _construct_list)


def load_lines(path: str | Path | Any, error: type[YamlFileError]) -> Any:
    """Read and parse a YAML file (a path or anything with `read_text`, such as a packaged
    resource), raising `error` with the line of a syntax mistake."""
    source = str(path)
    try:
        reader = Path(path) if isinstance(path, str) else path
        text = reader.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise error(source, [Problem(None, "", f"cannot read the file: {exc}")]) from exc
    return parse_lines(text, source, error)


def parse_lines(text: str, source: str, error: type[YamlFileError]) -> Any:
    try:
        return yaml.load(text, Loader=LineLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        message = " ".join(str(part) for part in (exc.context, exc.problem) if part)
        raise error(
            source, [Problem(mark.line + 1 if mark else None, "", f"not valid YAML: {message}")]
        ) from exc


def line_of(parent: Any, key: Any, default: int | None = None) -> int | None:
    """The line of `key` in a loaded mapping, else of the mapping itself, else `default`."""
    return getattr(parent, "key_lines", {}).get(key, getattr(parent, "line", default))


def suggest(word: Any, options: Iterable[str]) -> str:
    """ "; did you mean 'x'?" for the closest option, or nothing."""
    close = difflib.get_close_matches(str(word), list(options), n=1, cutoff=0.6)
    return f"; did you mean {close[0]!r}?" if close else ""


def kind_of(value: Any) -> str:
    """What a maintainer wrote, in words: "a mapping", "a list", "nothing", "int"..."""
    if value is None:
        return "nothing"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    return type(value).__name__

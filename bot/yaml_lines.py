"""YAML that remembers where everything came from, so a mistake is reported as file:line.

Dialogs and transcripts are written by hand; both loaders read them with `LineLoader` and
report every problem at once through a `YamlFileError`. YAML's own traps are handled here
once: a duplicate key is refused instead of silently overwriting the first, `BOOL_HINT`
explains an unquoted yes/no read as a boolean, and a mis-indented line is found and named
(`indentation_fix`) instead of YAML's own report, which often points lines further down at
the first place the structure stopped making sense.
"""

from __future__ import annotations

import difflib
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from itertools import pairwise
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


class LineLoader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # type: ignore[misc]
    """SafeLoader whose mappings and lists carry line numbers, and which refuses duplicate keys.
    On libyaml's parser when PyYAML has it (a dialog file loads several times faster, which is
    most of the console's start-up), else PyYAML's own; both give every node its mark."""


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
        raise error(source, [_syntax_problem(text, exc)]) from exc


def _syntax_problem(text: str, exc: yaml.MarkedYAMLError) -> Problem:
    """The one problem to report for text YAML cannot read: a tab, a mis-indented line found
    by `indentation_fix`, or else YAML's own words at its line."""
    mark = exc.problem_mark or exc.context_mark
    line = mark.line + 1 if mark else None
    message = " ".join(str(part) for part in (exc.context, exc.problem) if part)
    if "'\\t'" in message:
        return Problem(line, "", "not valid YAML: a tab is used for indentation here; YAML needs spaces")
    fix = (
        indentation_fix(text, mark.line)
        if mark and not isinstance(exc, yaml.constructor.ConstructorError)
        else None
    )
    if fix is not None:
        fixed, now, suggested = fix
        return Problem(
            fixed,
            "",
            f"not valid YAML: this line is indented {now} space(s), but the lines around it suggest "
            f"{suggested}; fix its indentation",
        )
    return Problem(line, "", f"not valid YAML: {message}")


_ENTRY = re.compile(r"^\s*(- |-$|[^\s#\"'\[{][^:#]*:(\s|$)|[\"'][^\"']*[\"']:(\s|$))")
"""A line that starts an entry (`key:`, `"key":` or `- item`), as opposed to the continuation
of a long string or list, which may be indented any way."""

FIX_WINDOW = 40
"""How many lines above the place YAML gave up `indentation_fix` looks at."""


def indentation_fix(text: str, problem_line: int) -> tuple[int, int, int] | None:
    """Find the one mis-indented line that makes `text` unreadable: (its line number, its
    indentation, the indentation that makes the whole text readable), or None.

    YAML stops where the structure first stops making sense, often well below the line that
    is wrong (a key dedented by mistake is read as a new block until a later line cannot
    belong anywhere). So each entry line at or above `problem_line` (0-based, the closest
    first) is tried at the indentations of the lines around it; a change that makes the whole
    text parse, with no key twice in one mapping, is the fix. When several would, a line out
    of step with both its neighbours (which agree with each other) is preferred. Only on this
    error path; with libyaml it takes milliseconds."""
    lines = text.split("\n")
    if _duplicates(lines) is not None:
        return None  # it parses: not an indentation problem (a duplicate key, say)
    entries = [j for j, line in enumerate(lines) if _ENTRY.match(line)]
    order = {j: n for n, j in enumerate(entries)}
    widths = [_indent(lines[j]) for j in entries]
    steps = Counter(deeper - width for width, deeper in pairwise(widths) if deeper > width)
    step = steps.most_common(1)[0][0] if steps else 2  # how deep this file indents a block
    near = sorted(
        (j for j in entries if problem_line - FIX_WINDOW <= j <= problem_line + 1),
        key=lambda j: abs(j - problem_line),
    )
    fixes: list[tuple[int, int, int, int, int]] = []
    for j in near:
        n = order[j]
        before = _indent(lines[entries[n - 1]]) if n > 0 else None
        after = _indent(lines[entries[n + 1]]) if n + 1 < len(entries) else None
        here = _indent(lines[j])
        levels = {_indent(lines[k]) for k in entries[max(0, n - FIX_WINDOW) : n]}
        nested = [None if w is None else w + d for w, d in ((before, step), (after, -step))]
        options = [
            w for w in (before, after, *nested, *sorted(levels)) if w is not None and w >= 0 and w != here
        ]
        for width in dict.fromkeys(options):
            trial = [*lines[:j], " " * width + lines[j].lstrip(" "), *lines[j + 1 :]]
            twice = _duplicates(trial)
            if twice is not None:
                out_of_step = before == after == width
                fixes.append((twice, 0 if out_of_step else 1, abs(j - problem_line), j, width))
                if twice == 0 and out_of_step:
                    return j + 1, here, width  # the best there can be: lines come closest first
    if not fixes:
        return None
    *_, j, width = min(fixes)
    return j + 1, _indent(lines[j]), width


_FAST = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _duplicates(lines: list[str]) -> int | None:
    """None when the text is not valid YAML, else how many keys appear twice in one mapping."""
    try:
        root = yaml.compose("\n".join(lines), Loader=_FAST)
    except yaml.YAMLError:
        return None
    twice, stack = 0, [root]
    while stack:
        node = stack.pop()
        if isinstance(node, yaml.MappingNode):
            keys = [k.value for k, _ in node.value if isinstance(k, yaml.ScalarNode)]
            twice += len(keys) - len(set(keys))
            stack.extend(v for _, v in node.value)
        elif isinstance(node, yaml.SequenceNode):
            stack.extend(node.value)
    return twice


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip(" "))


def yaml_files(paths: Iterable[str | Path]) -> list[Path]:
    """Files as given, folders expanded to their *.yaml and *.yml files (sorted, recursively):
    how `kneebot check` and `kneebot replay` both read their arguments."""
    found: list[Path] = []
    for entry in map(Path, paths):
        if entry.is_dir():
            found += sorted(p for p in entry.rglob("*") if p.suffix in (".yaml", ".yml") and p.is_file())
        else:
            found.append(entry)
    return found


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

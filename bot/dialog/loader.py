"""Read a dialog YAML file into `bot.dialog.Dialog`, or fail saying where and what is wrong.

A maintainer edits YAML, not Python, so every mistake must come back as a sentence with the
file, the line and the dotted place (`questions.lump.answers.yes.next`), and all mistakes at
once rather than one per run. YAML 1.1 surprises (unquoted yes/no read as booleans, duplicate
keys silently overwritten) are caught here too.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from bot.dialog.checks import check_graph
from bot.dialog.fields import FieldReader
from bot.dialog.model import (
    COMMANDS,
    REQUIRED_LABELS,
    REQUIRED_MESSAGES,
    Dialog,
    Unclear,
)
from bot.dialog.sections import check_placeholders, read_cause, read_question, read_red_flag, read_vocabulary
from bot.messages import URGENCIES
from bot.yaml_lines import LineMap, Problem, YamlFileError, kind_of, line_of, load_lines


class DialogError(YamlFileError):
    """A dialog file that cannot be used, with every problem found in it."""

    what = "dialog"


SECTIONS = (
    "dialog",
    "version",
    "start",
    "vocabulary",
    "commands",
    "messages",
    "labels",
    "reminder",
    "red_flags",
    "questions",
    "causes",
    "unclear",
)
"""The top-level sections every dialog file has."""


def load_dialog(path: str | Path | Any) -> Dialog:
    """Parse and validate a dialog file; raise `DialogError` listing every problem.

    Every problem is a real one: a file that is not a dialog at all (empty, a transcript, any
    other YAML) is one problem, not one per missing field; a section that is missing or not a
    mapping is reported once, without every field it would have held; and every problem
    carries a line."""
    source = str(path)
    raw = load_lines(path, DialogError)
    not_a_dialog = _not_a_dialog(raw)
    if not_a_dialog is not None:
        raise DialogError(source, [not_a_dialog])
    reader = FieldReader()
    dialog = _build(raw, reader, Path(source))
    problems = _without_cascades(reader.problems, raw)
    if not problems:
        problems = [Problem(*found) for found in check_graph(dialog, _lines_of(raw))]
    if problems:
        raise DialogError(source, problems)
    return dialog


def _not_a_dialog(raw: Any) -> Problem | None:
    """One problem for a file that is no dialog at all, instead of one per section it lacks."""
    if raw is None:
        return Problem(
            1,
            "",
            "the file is empty; a dialog starts with `dialog: <name>`, `version: 1` "
            "and `start: <first question>` (see dialogs/knee_pain.yaml)",
        )
    if not isinstance(raw, dict):
        return Problem(
            getattr(raw, "line", 1),
            "",
            f"expected a dialog (a mapping of dialog:, version:, "
            f"questions: and the other sections), got {kind_of(raw)}",
        )
    if "dialog" in raw or "questions" in raw:
        return None
    has = ", ".join(str(key) for key in raw) or "nothing"
    looks = "; it looks like a transcript: check it with `kneebot replay`" if "turns" in raw else ""
    return Problem(
        getattr(raw, "line", 1),
        "",
        f"this is not a dialog file: it has none of its sections ({', '.join(SECTIONS)}), only {has}{looks}",
    )


def _without_cascades(problems: list[Problem], raw: LineMap) -> list[Problem]:
    """Drop the problems that only follow from an earlier one: the fields of a top-level
    section that is missing, and whatever lies in a place that is not a mapping at all. A
    problem without a line gets the line of its place."""
    missing = {m.group(1) for p in problems if p.place == "" and (m := _MISSING.match(p.message))}
    not_mappings: list[str] = []
    kept: list[Problem] = []
    for p in problems:
        if p.place.split(".")[0] in missing:
            continue
        section = _MISSING.match(p.message) if p.place == "" else None
        nested = _nested_key(raw, section.group(1)) if section else None
        if section and nested:  # a section indented by mistake: say where it went
            line, under = nested
            p = Problem(
                line,
                "",
                f"{section.group(1)!r} is a top-level section, but this line indents it under {under}: "
                "start it at the beginning of the line",
            )
        if any(p.place == place or p.place.startswith(f"{place}.") for place in not_mappings):
            continue
        if p.place and p.message.startswith("expected a mapping"):
            not_mappings.append(p.place)
            if _is_sibling_field(raw, p.place):
                field = p.place.rsplit(".", 1)[-1]
                p = Problem(
                    p.line,
                    p.place,
                    f"{p.message}; {field!r} looks like a field of the entry above it, indented one level "
                    "too little",
                )
        kept.append(p if p.line is not None else Problem(_line_at(raw, p.place), p.place, p.message))
    return kept


_MISSING = re.compile(r"missing required field '([^']+)'")


def _is_sibling_field(raw: LineMap, place: str) -> bool:
    """Whether the last part of `place` is a field the entries beside it have (`next` among
    answers that each have a `next`): the sign of a field dedented out of its entry."""
    *parents, name = place.split(".")
    node: Any = raw
    for part in parents:
        node = node.get(part) if isinstance(node, dict) else None
    return isinstance(node, dict) and any(isinstance(v, dict) and name in v for v in node.values())


def _nested_key(raw: LineMap, name: str) -> tuple[int, str] | None:
    """Where a top-level section's key turns up deeper in the file (its line and place)."""
    stack: list[tuple[Any, str]] = [(value, str(key)) for key, value in raw.items()]
    while stack:
        node, place = stack.pop()
        if isinstance(node, dict):
            if name in node:
                return line_of(node, name) or 1, place
            stack.extend((value, f"{place}.{key}") for key, value in node.items())
        elif isinstance(node, list):
            stack.extend((item, place) for item in node)
    return None


def _line_at(raw: Any, place: str) -> int:
    """The line of the deepest part of a dotted place (`questions.lump.next`) that exists."""
    line = getattr(raw, "line", 1)
    node = raw
    for part in place.replace("[", ".[").split("."):
        if not part or not isinstance(node, dict) or part not in node:
            break
        line = line_of(node, part, line) or line
        node = node[part]
    return line


def _lines_of(raw: LineMap) -> dict[str, int]:
    """Dotted place -> line, for the places the graph checks talk about."""
    lines: dict[str, int] = {}
    for section in ("questions", "causes", "red_flags"):
        block = raw.get(section, {})
        for key, value in block.items():
            lines[f"{section}.{key}"] = line_of(block, key) or 0
            if not isinstance(value, dict):
                continue
            for field_name in value:
                lines[f"{section}.{key}.{field_name}"] = line_of(value, field_name) or 0
            answers = value.get("answers")
            for answer_key, answer in answers.items() if isinstance(answers, dict) else ():
                lines[f"{section}.{key}.answers.{answer_key}"] = line_of(answers, answer_key) or 0
                for field_name in answer if isinstance(answer, dict) else ():
                    lines[f"{section}.{key}.answers.{answer_key}.{field_name}"] = (
                        line_of(answer, field_name) or 0
                    )
    return lines


def _build(raw: Any, r: FieldReader, source: Path) -> Dialog:
    top = r.mapping(
        raw,
        "",
        1,
        required=(
            "dialog",
            "version",
            "start",
            "vocabulary",
            "commands",
            "messages",
            "labels",
            "reminder",
            "red_flags",
            "questions",
            "causes",
            "unclear",
        ),
    )
    vocabulary = read_vocabulary(top.get("vocabulary", {}), r)
    red_flags = {
        r.identifier(k, f"red_flags.{k}", line_of(top.get("red_flags"), k)): read_red_flag(k, v, r)
        for k, v in r.mapping(top.get("red_flags", {}), "red_flags", top.line).items()
    }
    questions_raw = r.mapping(top.get("questions", {}), "questions", line_of(top, "questions"))
    questions = {
        r.identifier(k, f"questions.{k}", line_of(questions_raw, k)): read_question(k, v, vocabulary, r)
        for k, v in questions_raw.items()
    }
    causes_raw = r.mapping(top.get("causes", {}), "causes", line_of(top, "causes"))
    causes = {
        r.identifier(k, f"causes.{k}", line_of(causes_raw, k)): read_cause(k, v, r)
        for k, v in causes_raw.items()
    }
    unclear_raw = r.mapping(
        top.get("unclear", {}), "unclear", line_of(top, "unclear"), required=("urgency", "title", "advice")
    )
    commands_raw = r.mapping(top.get("commands", {}), "commands", line_of(top, "commands"), required=COMMANDS)
    messages_raw = r.mapping(
        top.get("messages", {}),
        "messages",
        line_of(top, "messages"),
        required=REQUIRED_MESSAGES,
        allowed=_extra_keys(top.get("messages")),
    )
    labels_raw = r.mapping(
        top.get("labels", {}), "labels", line_of(top, "labels"), required=(*REQUIRED_LABELS, "urgency")
    )
    urgency_labels = r.mapping(
        labels_raw.get("urgency", {}), "labels.urgency", line_of(labels_raw, "urgency"), required=URGENCIES
    )
    version = top.get("version")
    if not isinstance(version, int) or isinstance(version, bool):
        r.problem(line_of(top, "version"), "version", "expected a whole number, e.g. 1")
        version = 0
    check_placeholders(messages_raw, "messages", r, known=REQUIRED_MESSAGES)
    check_placeholders(labels_raw, "labels", r, known=REQUIRED_LABELS)
    return Dialog(
        id=r.text(top, "dialog", ""),
        version=version,
        start=r.text(top, "start", ""),
        vocabulary=vocabulary,
        commands={c: r.texts(commands_raw, c, "commands") for c in COMMANDS},
        messages={k: r.text(messages_raw, k, "messages") for k in messages_raw if isinstance(k, str)},
        labels={
            **{k: r.text(labels_raw, k, "labels") for k in REQUIRED_LABELS},
            "urgency": {u: r.text(urgency_labels, u, "labels.urgency") for u in URGENCIES},
        },
        reminder=r.text(top, "reminder", ""),
        red_flags=red_flags,
        questions=questions,
        causes=causes,
        unclear=Unclear(
            urgency=r.urgency(unclear_raw, "unclear"),
            title=r.text(unclear_raw, "title", "unclear"),
            advice=r.texts(unclear_raw, "advice", "unclear"),
        ),
        source=source,
    )


def _extra_keys(block: Any) -> tuple[str, ...]:
    """Messages may carry extra keys (question intros point at them)."""
    return tuple(k for k in block if isinstance(k, str)) if isinstance(block, dict) else ()

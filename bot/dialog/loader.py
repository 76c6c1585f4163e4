"""Read a dialog YAML file into `bot.dialog.Dialog`, or fail saying where and what is wrong.

A maintainer edits YAML, not Python, so every mistake must come back as a sentence with the
file, the line and the dotted place (`questions.lump.patterns[3]`), and all mistakes at once
rather than one per run. YAML 1.1 surprises (unquoted yes/no read as booleans, duplicate keys
silently overwritten) are caught here too. The dialog names its language file; mistakes there
are reported with that file's own path.
"""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path
from typing import Any

from bot.dialog.checks import check_dialog
from bot.dialog.fields import FieldReader
from bot.dialog.language import read_groups, read_language
from bot.dialog.model import (
    CONFIRM_PREFIX,
    REQUIRED_LABELS,
    REQUIRED_MESSAGES,
    Dialog,
    Fact,
    Language,
    Question,
    Unclear,
)
from bot.dialog.sections import (
    check_placeholders,
    read_cause,
    read_fact,
    read_flow,
    read_outcome,
    read_question,
    read_red_flag,
)
from bot.messages import URGENCIES
from bot.yaml_lines import LineMap, Problem, YamlFileError, kind_of, line_of, load_lines

SECTIONS = (
    "dialog", "version", "language", "messages", "labels", "reminder", "red_flags", "questions",
    "flow", "outcomes", "causes", "unclear",
)  # fmt: skip
"""The top-level sections every dialog file has."""


class DialogError(YamlFileError):
    """A dialog file that cannot be used, with every problem found in it."""

    what = "dialog"


def load_dialog(path: str | Path | Any) -> Dialog:
    """Parse and validate a dialog file and its language file; raise `DialogError` listing
    every problem.

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
    top = reader.mapping(raw, "", 1, required=SECTIONS, allowed=("words", "facts"))
    language = _language(top, Path(source), reader)
    dialog = _build(top, reader, Path(source), language)
    problems = _without_cascades(reader.problems, raw)
    if not problems:
        problems = [Problem(*found) for found in check_dialog(dialog, _lines_of(top))]
    if problems:
        raise DialogError(source, problems)
    return dialog


def _not_a_dialog(raw: Any) -> Problem | None:
    """One problem for a file that is no dialog at all, instead of one per section it lacks."""
    if raw is None:
        return Problem(
            1,
            "",
            "the file is empty; a dialog starts with `dialog: <name>`, `version: 2` "
            "and `language: <its language file>` (see dialogs/knee_pain.yaml)",
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
        if p.line is None and p.file is None:
            p = Problem(_line_at(raw, p.place), p.place, p.message)
        kept.append(p)
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


def check_translation(main: Dialog, path: str | Path) -> Dialog:
    """Load a translation of `main` (see `bot.languages`) and make sure it is the same dialog
    in another language; raise `DialogError` with every difference, at its line."""
    from bot.dialog.agreement import disagreements

    translated = load_dialog(path)
    raw = load_lines(path, DialogError)
    lines = _lines_of(raw) | {str(key): line_of(raw, key) or 1 for key in raw}
    problems = disagreements(main, translated, lines)
    if translated.language.code == main.language.code:
        problems.insert(
            0,
            Problem(
                line_of(raw, "language") or 1,
                "language",
                f"is {main.language.code!r}, the language of {Path(str(main.source)).name} itself",
            ),
        )
    if problems:
        raise DialogError(str(path), problems)
    return translated


def load_language(path: str | Path) -> Language:
    """Parse and validate a language file on its own (`kneebot check` on a folder of them);
    raise `DialogError` listing every problem."""
    raw = load_lines(path, DialogError)
    reader = FieldReader()
    language = read_language(raw, reader, str(path))
    if reader.problems:
        raise DialogError(str(path), reader.problems)
    return replace(language, source=Path(path))


def is_language_file(path: str | Path) -> bool:
    """Whether a YAML file is a language file (context cues and answer words, no dialog)."""
    try:
        raw = load_lines(path, DialogError)
    except DialogError:
        return False
    return isinstance(raw, dict) and "context" in raw and "answers" in raw and "dialog" not in raw


def _language(top: LineMap, source: Path, reader: FieldReader) -> Language:
    """The language file the dialog names, relative to the dialog file. Its problems are
    reported against its own path."""
    name = reader.text(top, "language", "")
    path = source.parent / name
    if not name:
        return _empty_language()
    if not path.is_file():
        reader.problem(line_of(top, "language"), "language", f"no language file at {path}")
        return _empty_language()
    try:
        raw = load_lines(path, DialogError)
    except DialogError as exc:
        reader.problems.extend(Problem(p.line, p.place, p.message, str(path)) for p in exc.problems)
        return _empty_language()
    inner = FieldReader(file=str(path))
    language = read_language(raw, inner, str(path))
    reader.problems.extend(inner.problems)
    return replace(language, source=path)


def _empty_language() -> Language:
    return Language(
        code="", name="", spacy="", word_lists=(), known_words=frozenset(), norms={}, polite=frozenset(),
        sentence_ends=(".",), list_words=frozenset(), near_gaps=(6, 3), groups={}, answers={}, commands={},
        context=(),
    )  # fmt: skip


def _lines_of(raw: LineMap) -> dict[str, int]:
    """Dotted place -> line, for the places the shape checks talk about."""
    lines: dict[str, int] = {}
    for section in ("questions", "causes", "red_flags", "outcomes", "facts", "messages", "labels"):
        block = raw.get(section, {})
        if not isinstance(block, dict):
            continue
        for key, value in block.items():
            lines[f"{section}.{key}"] = line_of(block, key) or 0
            if isinstance(value, dict):
                for field_name in value:
                    lines[f"{section}.{key}.{field_name}"] = line_of(value, field_name) or 0
    return lines


def _build(top: LineMap, r: FieldReader, source: Path, language: Language) -> Dialog:
    groups = read_groups(top, r, dict(language.groups))
    red_flags = {
        r.identifier(k, f"red_flags.{k}", line_of(top.get("red_flags"), k)): read_red_flag(k, v, r, groups)
        for k, v in r.mapping(top.get("red_flags", {}), "red_flags", line_of(top, "red_flags")).items()
    }
    facts: dict[str, Fact] = {}
    for key, value in r.mapping(top.get("facts", {}), "facts", line_of(top, "facts")).items():
        facts[r.identifier(key, f"facts.{key}", line_of(top.get("facts"), key))] = read_fact(
            key, value, r, groups
        )
    questions: dict[str, Question] = {}
    questions_raw = r.mapping(top.get("questions", {}), "questions", line_of(top, "questions"))
    for key, value in questions_raw.items():
        name = r.identifier(key, f"questions.{key}", line_of(questions_raw, key))
        question, fact = read_question(key, value, r, groups)
        questions[name] = question
        if fact is not None:
            if name in facts:
                r.problem(
                    line_of(questions_raw, key), f"questions.{key}", f"{name!r} is also a fact under `facts`"
                )
            facts[name] = fact
    for flag in red_flags.values():  # each warning sign's confirming question
        name = f"{CONFIRM_PREFIX}{flag.id}"
        questions[name] = Question(id=name, kind="yesno", text=flag.confirm, fact=flag.id, sign=flag.id)
    # Multi-select options show the short label of the yes/no question they stand for.
    for name, question in list(questions.items()):
        if question.kind == "multi":
            options = tuple(
                replace(o, label=facts[o.fact].short if o.fact in facts else o.fact) for o in question.options
            )
            questions[name] = replace(question, options=options)
    outcomes_raw = r.mapping(top.get("outcomes", {}), "outcomes", line_of(top, "outcomes"))
    outcomes = {
        r.identifier(k, f"outcomes.{k}", line_of(outcomes_raw, k)): read_outcome(k, v, r)
        for k, v in outcomes_raw.items()
    }
    causes_raw = r.mapping(top.get("causes", {}), "causes", line_of(top, "causes"))
    causes = {
        r.identifier(k, f"causes.{k}", line_of(causes_raw, k)): read_cause(k, v, r)
        for k, v in causes_raw.items()
    }
    unclear_raw = r.mapping(
        top.get("unclear", {}), "unclear", line_of(top, "unclear"), required=("urgency", "title", "advice")
    )
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
        language=language,
        groups=groups,
        messages={k: r.text(messages_raw, k, "messages") for k in messages_raw if isinstance(k, str)},
        labels={
            **{k: r.text(labels_raw, k, "labels") for k in REQUIRED_LABELS},
            "urgency": {u: r.text(urgency_labels, u, "labels.urgency") for u in URGENCIES},
        },
        reminder=r.text(top, "reminder", ""),
        red_flags=red_flags,
        facts=facts,
        questions=questions,
        flow=read_flow(top.get("flow"), r, line_of(top, "flow")),
        outcomes=outcomes,
        causes=causes,
        unclear=Unclear(
            urgency=r.urgency(unclear_raw, "unclear"),
            title=r.text(unclear_raw, "title", "unclear"),
            advice=r.texts(unclear_raw, "advice", "unclear"),
        ),
        source=source,
    )


def _extra_keys(block: Any) -> tuple[str, ...]:
    """Messages may carry extra keys (question intros and platform sentences point at them)."""
    return tuple(k for k in block if isinstance(k, str)) if isinstance(block, dict) else ()

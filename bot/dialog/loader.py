"""Read a dialog YAML file into `bot.dialog.Dialog`, or fail saying where and what is wrong.

A maintainer edits YAML, not Python, so every mistake must come back as a sentence with the
file, the line and the dotted place (`questions.lump.answers.yes.next`), and all mistakes at
once rather than one per run. YAML 1.1 surprises (unquoted yes/no read as booleans, duplicate
keys silently overwritten) are caught here too.
"""

from __future__ import annotations

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
from bot.yaml_lines import LineMap, YamlFileError, line_of, load_lines


class DialogError(YamlFileError):
    """A dialog file that cannot be used, with every problem found in it."""

    what = "dialog"


def load_dialog(path: str | Path | Any) -> Dialog:
    """Parse and validate a dialog file; raise `DialogError` listing every problem."""
    source = str(path)
    raw = load_lines(path, DialogError)
    reader = FieldReader()
    dialog = _build(raw, reader, Path(source))
    if not reader.problems:
        for line, place, message in check_graph(dialog, _lines_of(raw)):
            reader.problem(line, place, message)
    if reader.problems:
        raise DialogError(source, reader.problems)
    return dialog


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

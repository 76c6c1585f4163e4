"""Read a dialog YAML file into `bot.dialog.Dialog`, or fail saying where and what is wrong.

A maintainer edits YAML, not Python, so every mistake must come back as a sentence with the
file, the line and the dotted place (`questions.lump.answers.yes.next`), and all mistakes at
once rather than one per run. YAML 1.1 surprises (unquoted yes/no read as booleans, duplicate
keys silently overwritten) are caught here too.
"""

from __future__ import annotations

import re
import string
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from bot.dialog import (
    COMMANDS,
    PLACEHOLDERS,
    REQUIRED_LABELS,
    REQUIRED_MESSAGES,
    YES_NO,
    Answer,
    Cause,
    Dialog,
    Question,
    RedFlag,
    Sign,
    Unclear,
)
from bot.dialog_checks import check_graph
from bot.messages import URGENCIES
from bot.yaml_lines import BOOL_HINT, LineMap, Problem, YamlFileError, kind_of, line_of, load_lines, suggest

_ID = re.compile(r"^[a-z][a-z0-9_]*$")


class DialogError(YamlFileError):
    """A dialog file that cannot be used, with every problem found in it."""

    what = "dialog"


class _Reader:
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
                    _join(place, key),
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
                self.problem(line, _join(place, key), "is empty")
            return ""
        if isinstance(value, bool):
            self.problem(line, _join(place, key), f"got {value}: {BOOL_HINT}")
            return ""
        if isinstance(value, (int, float)):
            return str(value)
        if not isinstance(value, str):
            self.problem(line, _join(place, key), f"expected text, got {kind_of(value)}")
            return ""
        if required and not value.strip():
            self.problem(line, _join(place, key), "is empty")
        return value.strip()

    def texts(self, parent: LineMap, key: str, place: str) -> tuple[str, ...]:
        value = parent.get(key, [])
        line = line_of(parent, key)
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list):
            self.problem(line, _join(place, key), f"expected a list of text, got {kind_of(value)}")
            return ()
        out: list[str] = []
        item_lines = getattr(value, "item_lines", [])
        for index, item in enumerate(value):
            item_line = item_lines[index] if index < len(item_lines) else line
            if isinstance(item, bool):
                self.problem(item_line, f"{_join(place, key)}[{index}]", f"got {item}: {BOOL_HINT}")
            elif isinstance(item, (str, int, float)) and str(item).strip():
                out.append(str(item).strip())
            else:
                self.problem(
                    item_line,
                    f"{_join(place, key)}[{index}]",
                    f"expected non-empty text, got {kind_of(item)}",
                )
        return tuple(out)

    def identifier(self, key: Any, place: str, line: int | None) -> str:
        if isinstance(key, bool):
            return "yes" if key else "no"  # already reported as a boolean key
        if not isinstance(key, str) or not _ID.match(key):
            self.problem(line, place, f"id {key!r} must be lower-case letters, digits and _")
        return str(key)

    def urgency(self, parent: LineMap, place: str) -> Any:
        value = self.text(parent, "urgency", place)
        if value and value not in URGENCIES:
            self.problem(
                line_of(parent, "urgency"),
                _join(place, "urgency"),
                f"unknown urgency {value!r}; use one of {', '.join(URGENCIES)}",
            )
        return value or "soon"


def _join(place: str, key: Any) -> str:
    return f"{place}.{key}" if place else str(key)


def load_dialog(path: str | Path | Any) -> Dialog:
    """Parse and validate a dialog file; raise `DialogError` listing every problem."""
    source = str(path)
    raw = load_lines(path, DialogError)
    reader = _Reader()
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


def _build(raw: Any, r: _Reader, source: Path) -> Dialog:
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
    vocabulary = _vocabulary(top.get("vocabulary", {}), r)
    red_flags = {
        r.identifier(k, f"red_flags.{k}", line_of(top.get("red_flags"), k)): _red_flag(k, v, r)
        for k, v in r.mapping(top.get("red_flags", {}), "red_flags", top.line).items()
    }
    questions_raw = r.mapping(top.get("questions", {}), "questions", line_of(top, "questions"))
    questions = {
        r.identifier(k, f"questions.{k}", line_of(questions_raw, k)): _question(k, v, vocabulary, r)
        for k, v in questions_raw.items()
    }
    causes_raw = r.mapping(top.get("causes", {}), "causes", line_of(top, "causes"))
    causes = {
        r.identifier(k, f"causes.{k}", line_of(causes_raw, k)): _cause(k, v, r) for k, v in causes_raw.items()
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
    _check_placeholders(messages_raw, "messages", r, known=REQUIRED_MESSAGES)
    _check_placeholders(labels_raw, "labels", r, known=REQUIRED_LABELS)
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


def _check_placeholders(block: LineMap, place: str, r: _Reader, *, known: Iterable[str]) -> None:
    """A `{name}` the code does not fill in would crash that reply at run time: catch it here.
    Messages the engine does not know (platform sentences) are only checked for broken braces."""
    known_keys = set(known)
    for key, value in block.items():
        if not isinstance(value, str):
            continue
        try:
            used = {name for _, name, _, _ in string.Formatter().parse(value) if name is not None}
        except ValueError as exc:
            r.problem(
                line_of(block, key),
                f"{place}.{key}",
                f"broken {{placeholder}}: {exc}; write {{{{ for a brace",
            )
            continue
        allowed = PLACEHOLDERS.get(key, frozenset())
        if key in known_keys and used - allowed:
            names = ", ".join(f"{{{n}}}" for n in sorted(allowed)) or "none"
            unknown = ", ".join(f"{{{n}}}" for n in sorted(used - allowed))
            r.problem(
                line_of(block, key),
                f"{place}.{key}",
                f"unknown placeholder {unknown} (this text can use: {names})",
            )


def _extra_keys(block: Any) -> tuple[str, ...]:
    """Messages may carry extra keys (question intros point at them)."""
    return tuple(k for k in block if isinstance(k, str)) if isinstance(block, dict) else ()


def _vocabulary(raw: Any, r: _Reader) -> dict[str, Answer]:
    block = r.mapping(raw, "vocabulary", None, required=YES_NO)
    out: dict[str, Answer] = {}
    for value in YES_NO:
        entry = r.mapping(
            block.get(value, {}),
            f"vocabulary.{value}",
            line_of(block, value),
            required=("label", "words"),
            allowed=("alone",),
        )
        out[value] = Answer(
            value=value,
            label=r.text(entry, "label", f"vocabulary.{value}"),
            words=r.texts(entry, "words", f"vocabulary.{value}"),
            alone=r.texts(entry, "alone", f"vocabulary.{value}"),
            next="",
        )
    return out


def _red_flag(key: Any, raw: Any, r: _Reader) -> RedFlag:
    place = f"red_flags.{key}"
    entry = r.mapping(
        raw,
        place,
        None,
        required=("urgency", "title", "reason", "unsure_reason", "note", "advice"),
        allowed=("mentions", "combos"),
    )
    combos_raw = entry.get("combos", [])
    combos: list[tuple[tuple[str, ...], ...]] = []
    if not isinstance(combos_raw, list):
        r.problem(line_of(entry, "combos"), f"{place}.combos", "expected a list of word groups")
        combos_raw = []
    for index, combo in enumerate(combos_raw):
        combo_place = f"{place}.combos[{index}]"
        if not isinstance(combo, list) or len(combo) < 2:
            r.problem(
                line_of(entry, "combos"), combo_place, "expected a list of at least two groups of words"
            )
            continue
        groups = [
            _word_group(group, f"{combo_place}[{n}]", getattr(combo, "line", None), r)
            for n, group in enumerate(combo)
        ]
        if all(groups):
            combos.append(tuple(groups))
    return RedFlag(
        id=str(key),
        urgency=r.urgency(entry, place),
        title=r.text(entry, "title", place),
        reason=r.text(entry, "reason", place),
        unsure_reason=r.text(entry, "unsure_reason", place),
        note=r.text(entry, "note", place),
        advice=r.texts(entry, "advice", place),
        mentions=r.texts(entry, "mentions", place),
        combos=tuple(combos),
    )


def _word_group(group: Any, place: str, line: int | None, r: _Reader) -> tuple[str, ...]:
    """One group of a red-flag combination: a non-empty list of words or short phrases."""
    line = getattr(group, "line", line)
    if not isinstance(group, list) or not group:
        r.problem(line, place, "expected a non-empty list of words, e.g. [calf, calves]")
        return ()
    words = []
    for index, item in enumerate(group):
        if isinstance(item, bool):
            r.problem(line, f"{place}[{index}]", f"got {item}: {BOOL_HINT}")
        elif isinstance(item, (str, int)) and str(item).strip():
            words.append(str(item).strip())
        else:
            r.problem(line, f"{place}[{index}]", f"expected a word, got {kind_of(item)}")
    return tuple(words)


def _expand_words(
    words: tuple[str, ...], vocabulary: dict[str, Answer], r: _Reader, place: str, line: int | None
) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Replace "@yes"-style references by the vocabulary's words; return (words, alone)."""
    out: list[str] = []
    alone: list[str] = []
    for word in words:
        if word.startswith("@"):
            borrowed = vocabulary.get(word[1:])
            if borrowed is None:
                r.problem(line, place, f"{word!r} names no vocabulary entry (use @yes, @no or @unsure)")
            else:
                out.extend(borrowed.words)
                alone.extend(borrowed.alone)
        else:
            out.append(word)
    return tuple(out), tuple(alone)


def _question(key: Any, raw: Any, vocabulary: dict[str, Answer], r: _Reader) -> Question:
    place = f"questions.{key}"
    entry = r.mapping(
        raw, place, None, required=("kind", "text"), allowed=("answers", "next", "intro", "ask_if")
    )
    kind = r.text(entry, "kind", place)
    if kind not in ("choice", "yesno"):
        r.problem(line_of(entry, "kind"), f"{place}.kind", f"unknown kind {kind!r}; use choice or yesno")
    default_next = r.text(entry, "next", place, required=False) or None
    answers_raw = r.mapping(entry.get("answers", {}), f"{place}.answers", line_of(entry, "answers"))
    if kind == "yesno":
        for extra in answers_raw:
            if isinstance(extra, str) and extra not in YES_NO:
                r.problem(
                    line_of(answers_raw, extra),
                    f"{place}.answers.{extra}",
                    "a yesno question only has the answers yes, no and unsure" + suggest(extra, YES_NO),
                )
        values: list[Any] = list(YES_NO)
    else:
        values = list(answers_raw)
        if len(values) < 2:
            r.problem(
                line_of(entry, "answers"), f"{place}.answers", "a choice question needs at least two answers"
            )
    answers = []
    for value in values:
        answer_place = f"{place}.answers.{value}"
        line = line_of(answers_raw, value)
        spec = r.mapping(
            answers_raw.get(value) or {},
            answer_place,
            line,
            allowed=("label", "words", "alone", "mentions", "next", "note"),
        )
        base = vocabulary.get(value) if kind == "yesno" else None
        label = r.text(spec, "label", answer_place, required=base is None) or (base.label if base else "")
        words, alone = _expand_words(r.texts(spec, "words", answer_place), vocabulary, r, answer_place, line)
        only_alone = _expand_words(r.texts(spec, "alone", answer_place), vocabulary, r, answer_place, line)
        alone = (*alone, *only_alone[0], *only_alone[1])  # "alone: [@no]" borrows every form of no
        mentions = r.texts(spec, "mentions", answer_place)
        answers.append(
            Answer(
                value=r.identifier(value, answer_place, line),
                label=label,
                words=(*(base.words if base else ()), *words),
                alone=(*(base.alone if base else ()), *alone),
                mentions=mentions,
                next=r.text(spec, "next", answer_place, required=False) or default_next or "",
                note=r.text(spec, "note", answer_place, required=False) or None,
            )
        )
    ask_if_raw = r.mapping(entry.get("ask_if", {}), f"{place}.ask_if", line_of(entry, "ask_if"))
    ask_if = {str(q): frozenset(r.texts(ask_if_raw, q, f"{place}.ask_if")) for q in ask_if_raw}
    return Question(
        id=str(key),
        kind=kind,
        text=r.text(entry, "text", place),
        answers=tuple(answers),
        next=default_next,
        intro=r.text(entry, "intro", place, required=False) or None,
        ask_if=ask_if,
    )


def _cause(key: Any, raw: Any, r: _Reader) -> Cause:
    place = f"causes.{key}"
    entry = r.mapping(
        raw, place, None, required=("name", "about", "urgency", "threshold", "signs", "treatment")
    )
    threshold = entry.get("threshold")
    if not isinstance(threshold, int) or isinstance(threshold, bool) or threshold < 1:
        r.problem(line_of(entry, "threshold"), f"{place}.threshold", "expected a whole number of at least 1")
        threshold = 1
    signs_raw = entry.get("signs", [])
    if not isinstance(signs_raw, list) or not signs_raw:
        r.problem(line_of(entry, "signs"), f"{place}.signs", "expected a non-empty list of signs")
        signs_raw = []
    signs = []
    for index, sign_raw in enumerate(signs_raw):
        sign_place = f"{place}.signs[{index}]"
        lines = getattr(signs_raw, "item_lines", [])
        sign = r.mapping(
            sign_raw,
            sign_place,
            lines[index] if index < len(lines) else None,
            required=("when", "weight", "reason"),
            allowed=("key",),
        )
        key_sign = sign.get("key", False)
        if not isinstance(key_sign, bool):
            r.problem(line_of(sign, "key"), f"{sign_place}.key", "expected true or false")
        when_raw = r.mapping(sign.get("when", {}), f"{sign_place}.when", line_of(sign, "when"))
        weight = sign.get("weight")
        if not isinstance(weight, int) or isinstance(weight, bool) or weight < 1:
            r.problem(
                line_of(sign, "weight"), f"{sign_place}.weight", "expected a whole number of at least 1"
            )
            weight = 1
        signs.append(
            Sign(
                when={str(q): frozenset(r.texts(when_raw, q, f"{sign_place}.when")) for q in when_raw},
                weight=weight,
                reason=r.text(sign, "reason", sign_place),
                key=key_sign is True,
            )
        )
    if signs and not any(sign.key for sign in signs):
        r.problem(
            line_of(entry, "signs"),
            f"{place}.signs",
            (
                "mark at least one sign `key: true`: a cause is only named when one of its telltale "
                "signs matches, never on risk factors alone"
            ),
        )
    return Cause(
        id=str(key),
        name=r.text(entry, "name", place),
        about=r.text(entry, "about", place),
        urgency=r.urgency(entry, place),
        threshold=threshold,
        signs=tuple(signs),
        treatment=r.texts(entry, "treatment", place),
    )

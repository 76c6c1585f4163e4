"""Reading each section of a dialog file: vocabulary, red flags, questions, causes.

Each reader turns one raw YAML entry into its typed `bot.dialog` object and reports what is
wrong through the `FieldReader`, with the dotted place a maintainer can find in the file.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from bot.dialog.fields import FieldReader
from bot.dialog.model import PLACEHOLDERS, YES_NO, Answer, Cause, Question, RedFlag, Sign, placeholders_in
from bot.yaml_lines import BOOL_HINT, LineMap, kind_of, line_of, suggest


def check_placeholders(block: LineMap, place: str, r: FieldReader, *, known: Iterable[str]) -> None:
    """A `{name}` the code does not fill in would crash that reply at run time: catch it here.
    Messages the engine does not know (platform sentences) are only checked for broken braces."""
    known_keys = set(known)
    for key, value in block.items():
        if not isinstance(value, str):
            continue
        used = placeholders_in(value)
        if used is None:
            r.problem(line_of(block, key), f"{place}.{key}", "broken {placeholder}: write {{ for a brace")
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


def read_vocabulary(raw: Any, r: FieldReader) -> dict[str, Answer]:
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


def read_red_flag(key: Any, raw: Any, r: FieldReader) -> RedFlag:
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


def _word_group(group: Any, place: str, line: int | None, r: FieldReader) -> tuple[str, ...]:
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
    words: tuple[str, ...], vocabulary: dict[str, Answer], r: FieldReader, place: str, line: int | None
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


def read_question(key: Any, raw: Any, vocabulary: dict[str, Answer], r: FieldReader) -> Question:
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


def read_cause(key: Any, raw: Any, r: FieldReader) -> Cause:
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

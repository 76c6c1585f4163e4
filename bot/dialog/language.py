"""Reading a language file (`dialogs/language/*.yaml`) into `bot.dialog.model.Language`.

The language file is everything the reader knows about a language apart from the medicine:
answer words, commands, context cues, chat short forms and the word lists that keep typo
repair away from real words. A dialog names its language file; mistakes in it are reported
with that file's own path and line.
"""

from __future__ import annotations

import re
from typing import Any

from bot.dialog.fields import FieldReader, join_place
from bot.dialog.model import ANSWER_KINDS, COMMANDS, AnswerWords, Cue, Language, Patterns
from bot.yaml_lines import LineMap, line_of, suggest

WORD_LISTS = re.compile(
    r"^(symspellpy:en|pyspellchecker:(en|es|fr|de|it|pt|nl)|wordfreq:[a-z]{2}(:\d{3,6})?)$"
)
"""Word lists the typo repair can load: `source:language` (wordfreq: `:count` of the commonest)."""
KNOWN_LISTS = "symspellpy:en, pyspellchecker:<en|es|fr|de|it|pt|nl>, wordfreq:<language>[:count]"
DIRECTIONS = ("forward", "backward", "both", "none")
CATEGORIES = (
    "break", "ignore", "comma", "self", "negated", "uncertain", "mild", "intermittent", "past",
    "long_ago", "resolved", "current", "hypothetical", "question", "asserted", "other_person",
    "generic", "explained", "until_now", "proxy", "earlier", "present",
)  # fmt: skip
"""Context categories; what each means is decided in `bot.reading.context`."""
SCOPELESS = ("break", "ignore", "comma", "self")
"""Categories that only end other cues' reach (or stop a shorter cue from matching)."""


def read_language(raw: Any, r: FieldReader, source: str) -> Language:
    top = r.mapping(
        raw,
        "",
        1,
        required=("language", "name", "spacy", "word_lists", "answers", "commands", "context"),
        allowed=(
            "known_words",
            "norms",
            "polite",
            "sentence_ends",
            "list_words",
            "near_gaps",
            "words",
            "numbers",
            "all_options",
            "except_words",
            "number_glue",
            "option_words",
            "number_denials",
            "range_words",
            "units",
            "switch_words",
            "switch_hint",
            "leave_words",
        ),
    )
    groups = read_groups(top, r, {})
    word_lists = r.texts(top, "word_lists", "")
    for index, name in enumerate(word_lists):
        if not WORD_LISTS.match(name):
            r.problem(
                line_of(top, "word_lists"),
                f"word_lists[{index}]",
                f"unknown word list {name!r} (known: {KNOWN_LISTS})",
            )
    norms_raw = r.mapping(top.get("norms", {}), "norms", line_of(top, "norms"))
    norms = {str(k).lower(): r.text(norms_raw, k, "norms").lower() for k in norms_raw}
    gaps_raw = r.mapping(
        top.get("near_gaps", {"forward": 6, "backward": 3}),
        "near_gaps",
        line_of(top, "near_gaps"),
        required=("forward", "backward"),
    )
    gaps = tuple(_whole(gaps_raw, key, "near_gaps", r, low=0, high=8) for key in ("forward", "backward"))
    return Language(
        code=r.text(top, "language", ""),
        name=r.text(top, "name", ""),
        spacy=r.text(top, "spacy", ""),
        word_lists=word_lists,
        known_words=frozenset(w.lower() for w in r.texts(top, "known_words", "")),
        norms=norms,
        polite=frozenset(w.lower() for w in r.texts(top, "polite", "")),
        sentence_ends=tuple(r.texts(top, "sentence_ends", "")) or (".", "!"),
        list_words=frozenset(w.lower() for w in r.texts(top, "list_words", "")),
        near_gaps=(gaps[0], gaps[1]),
        groups=groups,
        answers=_answers(top, r, groups),
        commands=_commands(top, r),
        context=_context(top, r, groups),
        numbers=_numbers(top, r),
        all_options=r.phrases(top, "all_options", "", groups),
        except_words=frozenset(w.lower() for w in r.texts(top, "except_words", "")),
        number_glue=frozenset(w.lower() for w in r.texts(top, "number_glue", "")),
        option_words=frozenset(w.lower() for w in r.texts(top, "option_words", "")),
        number_denials=frozenset(w.lower() for w in r.texts(top, "number_denials", "")),
        range_words=frozenset(w.lower() for w in r.texts(top, "range_words", "")),
        units=frozenset(w.lower() for w in r.texts(top, "units", "")),
        switch_words=r.texts(top, "switch_words", ""),
        switch_hint=r.text(top, "switch_hint", "", required=False),
        leave_words=frozenset(w.lower() for w in r.texts(top, "leave_words", "")),
        source=None,
    )


def _numbers(top: LineMap, r: FieldReader) -> dict[str, int]:
    block = r.mapping(top.get("numbers", {}), "numbers", line_of(top, "numbers"))
    out = {}
    for word, number in block.items():
        if not isinstance(number, int) or isinstance(number, bool) or number < 1:
            r.problem(
                line_of(block, word),
                join_place("numbers", word),
                "expected the option number it stands for, e.g. one: 1",
            )
            continue
        out[str(word).lower()] = number
    return out


def read_groups(
    top: LineMap, r: FieldReader, outer: dict[str, tuple[str, ...]]
) -> dict[str, tuple[str, ...]]:
    """`words:` word groups (name -> words), added to the groups of an outer file."""
    raw = r.mapping(top.get("words", {}), "words", line_of(top, "words"))
    groups = dict(outer)
    for name in raw:
        place = join_place("words", name)
        if name in outer:
            r.problem(
                line_of(raw, name), place, f"word group @{name} is already defined in the language file"
            )
        r.identifier(name, place, line_of(raw, name))
        members = tuple(w.lower() for w in r.texts(raw, name, "words"))
        for member in members:
            if any(ch in member for ch in "()|~*@?") or any("#" in w and w != "#" for w in member.split()):
                r.problem(
                    line_of(raw, name),
                    place,
                    f"{member!r}: a word group lists plain words or phrases; write alternatives and gaps in a pattern",
                )
        groups[str(name)] = members
    return groups


def _whole(block: LineMap, key: str, place: str, r: FieldReader, *, low: int, high: int) -> int:
    value = block.get(key)
    if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
        r.problem(
            line_of(block, key), join_place(place, key), f"expected a whole number from {low} to {high}"
        )
        return low
    return value


def _answers(top: LineMap, r: FieldReader, groups: dict[str, tuple[str, ...]]) -> dict[str, AnswerWords]:
    block = r.mapping(top.get("answers", {}), "answers", line_of(top, "answers"), required=ANSWER_KINDS)
    out = {}
    for kind in ANSWER_KINDS:
        place = f"answers.{kind}"
        entry = r.mapping(
            block.get(kind, {}), place, line_of(block, kind), required=("words",), allowed=("alone",)
        )
        out[kind] = AnswerWords(
            words=Patterns(phrases=r.phrases(entry, "words", place, groups)),
            alone=Patterns(phrases=r.phrases(entry, "alone", place, groups)),
        )
    return out


def _commands(top: LineMap, r: FieldReader) -> dict[str, tuple[str, ...]]:
    block = r.mapping(top.get("commands", {}), "commands", line_of(top, "commands"), required=COMMANDS)
    return {command: r.texts(block, command, "commands") for command in COMMANDS}


def _context(top: LineMap, r: FieldReader, groups: dict[str, tuple[str, ...]]) -> tuple[Cue, ...]:
    raw = top.get("context", [])
    if not isinstance(raw, list):
        r.problem(line_of(top, "context"), "context", "expected a list of cue groups")
        return ()
    cues = []
    seen: dict[str, str] = {}
    item_lines = getattr(raw, "item_lines", [])
    for index, item in enumerate(raw):
        place = f"context[{index}]"
        line = item_lines[index] if index < len(item_lines) else None
        entry = r.mapping(
            item,
            place,
            line,
            required=("category", "cues"),
            allowed=("direction", "scope", "stops_at", "applies_to"),
        )
        category = r.text(entry, "category", place)
        if category and category not in CATEGORIES:
            r.problem(
                line_of(entry, "category"),
                f"{place}.category",
                f"unknown category {category!r}" + suggest(category, CATEGORIES),
            )
        direction = r.text(entry, "direction", place, required=False) or (
            "none" if category in SCOPELESS else ""
        )
        if direction not in DIRECTIONS:
            r.problem(
                line_of(entry, "direction") or line,
                f"{place}.direction",
                f"expected one of {', '.join(DIRECTIONS)}" + suggest(direction, DIRECTIONS),
            )
        scope = entry.get("scope")
        if scope is not None and (
            not isinstance(scope, int) or isinstance(scope, bool) or not 1 <= scope <= 40
        ):
            r.problem(line_of(entry, "scope"), f"{place}.scope", "expected a number of words from 1 to 40")
            scope = None
        stops = frozenset(r.texts(entry, "stops_at", place)) if "stops_at" in entry else frozenset({"break"})
        for stop in sorted(stops - set(CATEGORIES)):
            r.problem(
                line_of(entry, "stops_at"),
                f"{place}.stops_at",
                f"unknown category {stop!r}" + suggest(stop, CATEGORIES),
            )
        applies = r.texts(entry, "applies_to", place)
        for text in r.texts(entry, "cues", place):
            key = " ".join(text.lower().split())
            if key in seen:
                r.problem(
                    line,
                    f"{place}.cues",
                    f"cue {text!r} is also in {seen[key]}: where two cues cover the same words only one applies;"
                    " keep it in one group (use direction: both for a cue that reaches both ways)",
                )
            seen.setdefault(key, f"{place} ({category})")
        cues.append(
            Cue(
                category=category,
                direction=direction,  # type: ignore[arg-type]
                scope=scope,
                stops_at=stops,
                applies_to=frozenset(applies) if applies else None,
                patterns=r.phrases(entry, "cues", place, groups),
                line=line,
            )
        )
    return tuple(cues)

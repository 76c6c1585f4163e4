"""The phrase syntax of the dialog files: what a maintainer writes instead of token dictionaries.

A phrase is a list of words separated by spaces, each matching one word of a message (after
clean-up: lower case, typos mended, chat short forms read as words). As in a regular
expression, | separates whole alternatives and ( ) groups them:

    can't put weight on it          plain words; "can't" is read as the two words "can not"
    swollen|puffy|blown up          any of these (each one or more words)
    (can't|not able to) walk        a group: any of these, then "walk"
    (really|very)?                  an optional group
    @calf                           any word or phrase of the word group `calf` (also in a group)
    tingl*                          any word starting with "tingl"
    ~   ~4                          up to 3 (or 4) other words in between, within one clause
    #                               a number

This module only parses and checks phrases, with no NLP library, so `kneebot check` and the
dialog loader can report a broken phrase with its line at once, and start-up stays fast. The
reader turns parsed phrases into spaCy `Matcher` token patterns (`bot.reading.pipeline`).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

SlotKind = Literal["words", "prefix", "gap", "number"]

DEFAULT_GAP = 3
MAX_GAP = 8
MAX_EXPANSIONS = 256
"""A phrase whose multi-word alternatives multiply into more token patterns than this is refused."""

_GAP = re.compile(r"^~(\d*)$")
_GROUP = re.compile(r"^@([a-z][a-z0-9_]*)$")
_PREFIX = re.compile(r"^[^\s|()@~*#?]{2,}\*$")


class PhraseError(ValueError):
    """A phrase that cannot be used; the message says what to write instead."""


@dataclass(frozen=True, slots=True)
class Slot:
    """One position of a phrase. `words` are alternatives, each possibly several words long
    ("lower leg" from a group); `optional` slots may be absent; a gap spans 0..`gap` words."""

    kind: SlotKind
    words: tuple[str, ...] = ()
    optional: bool = False
    gap: int = 0


Phrase = tuple[Slot, ...]


def parse_phrase(text: str, groups: Mapping[str, tuple[str, ...]]) -> tuple[Phrase, ...]:
    """Parse one phrase into its alternatives (split at | outside groups), expanding `@group`
    references; raise `PhraseError` saying what is wrong."""
    alternatives = _top_level(text)
    if any(not part.strip() for part in alternatives):
        raise PhraseError(f"{text!r}: an empty alternative (two | in a row, or one at an end)")
    return tuple(_sequence(part, groups) for part in alternatives)


def _top_level(text: str) -> list[str]:
    parts, depth, current = [], 0, ""
    for ch in text:
        depth += ch == "("
        depth -= ch == ")"
        if ch == "|" and depth == 0:
            parts.append(current)
            current = ""
        else:
            current += ch
    parts.append(current)
    return parts


def _sequence(text: str, groups: Mapping[str, tuple[str, ...]]) -> Phrase:
    items = _items(text)
    if not items:
        raise PhraseError("empty phrase")
    slots = [_slot(item, groups) for item in items]
    if all(slot.kind == "gap" or slot.optional for slot in slots):
        raise PhraseError(f"{text.strip()!r} has no word that must be there: it would match anything")
    if slots[0].kind == "gap" or slots[-1].kind == "gap":
        raise PhraseError(f"{text.strip()!r}: a ~ gap belongs between two words, not at an end")
    if expansions(slots) > MAX_EXPANSIONS:
        raise PhraseError(
            f"{text.strip()!r} multiplies into more than {MAX_EXPANSIONS} patterns; split it into several phrases"
        )
    return tuple(slots)


def _items(text: str) -> list[str]:
    """Split a phrase into slot texts: words, and parenthesised groups kept whole."""
    items: list[str] = []
    depth, current = 0, ""
    for ch in text.strip():
        if ch == "(":
            if depth:
                raise PhraseError(f"{text!r}: groups ( ) cannot be nested")
            if current:
                raise PhraseError(f"{text!r}: put a space before a ( group")
            depth = 1
            current = ch
        elif ch == ")":
            if not depth:
                raise PhraseError(f"{text!r}: a ) without its (")
            depth = 0
            current += ch
        elif ch.isspace() and not depth:
            if current:
                items.append(current)
            current = ""
        else:
            if current.endswith(")?") or (current.endswith(")") and ch != "?"):
                raise PhraseError(f"{text!r}: put a space after a ( group (only ? may follow it)")
            current += ch
    if depth:
        raise PhraseError(f"{text!r}: a ( without its )")
    if current:
        items.append(current)
    return items


def _slot(item: str, groups: Mapping[str, tuple[str, ...]]) -> Slot:
    gap = _GAP.match(item)
    if gap:
        size = int(gap.group(1) or DEFAULT_GAP)
        if not 1 <= size <= MAX_GAP:
            raise PhraseError(f"{item!r}: a gap spans 1 to {MAX_GAP} words")
        return Slot(kind="gap", gap=size)
    if item == "#":
        return Slot(kind="number")
    optional = item.startswith("(") and item.endswith(")?")
    grouped = item.startswith("(") and (item.endswith(")") or optional)
    if grouped:
        item = item[1 : -2 if optional else -1].strip()
        if not item:
            raise PhraseError("an empty group ( )")
    elif _PREFIX.match(item):
        return Slot(kind="prefix", words=(item[:-1],))
    alternatives: list[str] = []
    for choice in item.split("|"):
        choice = " ".join(choice.split())
        if not choice:
            raise PhraseError(f"{item!r}: an empty alternative (two | in a row, or one at an end)")
        group = _GROUP.match(choice)
        if group:
            members = groups.get(group.group(1))
            if members is None:
                raise PhraseError(_unknown_group(group.group(1), groups))
            alternatives.extend(members)
        elif "@" in choice:
            raise PhraseError(f"{choice!r}: a word group is written @name (lower-case letters, digits, _)")
        elif ("~" in choice or "*" in choice or "#" in choice) and any(
            ch in word for word in choice.split() if word != "#" for ch in "~*#"
        ):
            raise PhraseError(
                f"{choice!r}: ~N is a gap and # a number, each a word of its own; * ends a word"
                " prefix (run*) outside alternatives"
            )
        else:
            alternatives.append(choice)
    return Slot(kind="words", words=tuple(dict.fromkeys(alternatives)), optional=optional)


def _unknown_group(name: str, groups: Mapping[str, tuple[str, ...]]) -> str:
    import difflib

    close = difflib.get_close_matches(name, list(groups), n=3, cutoff=0.6)
    close.sort(key=lambda g: -len(_common_prefix(g, name)))  # "calves": calf, not pale
    hint = f"; did you mean @{close[0]}?" if close else ""
    return f"unknown word group @{name} (define it under `words:`){hint}"


def _common_prefix(a: str, b: str) -> str:
    out = ""
    for x, y in zip(a, b, strict=False):
        if x != y:
            break
        out += x
    return out


def expansions(slots: list[Slot] | Phrase) -> int:
    """How many token patterns a phrase becomes: one per combination of multi-word alternatives
    (single words of a slot share one pattern position). An upper bound before tokenizing."""
    count = 1
    for slot in slots:
        if slot.kind != "words":
            continue
        long = sum(1 for word in slot.words if _looks_multiword(word))
        count *= long + (1 if len(slot.words) > long else 0) + (1 if slot.optional and long else 0)
    return count


def _looks_multiword(word: str) -> bool:
    return not word.isalnum()


def parse_near(items: list[str], groups: Mapping[str, tuple[str, ...]]) -> tuple[tuple[Phrase, ...], ...]:
    """A `near` rule: two or three phrases that count together when they meet in one clause, in
    any order ("my calf is really swollen", "swollen calf"). The last one is the finding's own
    word, the one context applies to ("my calf isn't swollen": the "not" reaches "swollen")."""
    if len(items) < 2:
        raise PhraseError('a near rule needs at least two phrases, e.g. ["@calf", "@swollen"]')
    if len(items) > 3:
        raise PhraseError("a near rule joins at most three phrases")
    parts = tuple(parse_phrase(item, groups) for item in items)
    for part in parts:
        if any(slot.kind == "gap" for phrase in part for slot in phrase):
            raise PhraseError("the phrases of a near rule cannot contain ~ gaps: the rule adds them itself")
    return parts

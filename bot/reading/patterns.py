"""Phrases as spaCy Matcher token patterns, and `near` rules joined from their parts.

Every phrase becomes one token pattern per alternative (a slot whose alternatives are single
words is one pattern position with `IN`). A `near` rule is not multiplied out into every order
of its phrases (that grows as the product of their alternatives); each phrase is matched on
its own, and `join_near` pairs the matches in Python, checking order, distance and what lies
between. Patterns match the `NORM` attribute: lower case, contractions split ("can't" ->
"can not"), chat short forms read as words, typos mended.
"""

from __future__ import annotations

import bisect
import itertools
import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from bot.dialog.model import Near
from bot.reading.syntax import Phrase, Slot

TokenPattern = list[dict[str, Any]]


class Compiler:
    """Turns parsed phrases into token patterns, using the language's own tokenizer so a
    phrase word is split and normalised exactly like a message word."""

    def __init__(self, words_of: Callable[[str], tuple[str, ...]], breaks: frozenset[str]) -> None:
        self.words_of = words_of
        self.breaks = breaks

    def compile(self, alternatives: tuple[Phrase, ...]) -> list[TokenPattern]:
        """One phrase -> its token patterns: one per alternative, more where a slot's
        alternatives are several words long."""
        out: list[TokenPattern] = []
        for slots in alternatives:
            positions = [self._alternatives(slot) for slot in slots]
            out.extend([token for part in combo for token in part] for combo in itertools.product(*positions))
        return [pattern for pattern in out if pattern]

    def _alternatives(self, slot: Slot) -> list[TokenPattern]:
        if slot.kind == "gap":  # within a clause: no punctuation, no "but"
            return [[{"NORM": {"NOT_IN": sorted(self.breaks)}, "IS_PUNCT": False, "OP": f"{{0,{slot.gap}}}"}]]
        if slot.kind == "number":
            return [[{"LIKE_NUM": True}]]
        if slot.kind == "prefix":
            return [[{"NORM": {"REGEX": "^" + re.escape(self.words_of(slot.words[0])[0])}}]]
        single: list[str] = []
        several: list[TokenPattern] = []
        for word in slot.words:
            tokens = ("#",) if word == "#" else self.words_of(word)
            if len(tokens) == 1 and tokens[0] != "#":
                single.append(tokens[0])
            elif tokens:
                several.append([{"LIKE_NUM": True} if t == "#" else {"NORM": t} for t in tokens])
        out: list[TokenPattern] = []
        if single:
            token: dict[str, Any] = (
                {"NORM": single[0]} if len(single) == 1 else {"NORM": {"IN": sorted(set(single))}}
            )
            if slot.optional and not several:
                token["OP"] = "?"
            out.append([token])
        out.extend(several)
        if slot.optional and several:
            out.append([])
        return out


@dataclass(frozen=True, slots=True)
class Span:
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class Joined:
    """A near rule's phrases found together: the last phrase's words (the finding's own), the
    whole stretch, and the positions of the words between."""

    head: Span
    whole: Span
    between: frozenset[int]
    parts: tuple[Span, ...] = ()


def join_near(
    rule: Near,
    found: Sequence[Sequence[Span]],
    norms: Sequence[str],
    punct: Sequence[bool],
    sentence: Sequence[int],
    *,
    gaps: tuple[int, int],
    breaks: frozenset[str],
) -> Iterator[Joined]:
    """Every way the parts of `rule`, found at `found[i]`, stand together. In the written order
    they may be `gaps[0]` words apart and across commas ("my calf, it's really swollen"); in
    another order only `gaps[1]`, and not across punctuation ("swollen calf"); no break word
    ("but") may stand between them. A rule with its own gap counts the phrases together
    wherever they stand that close, in any order and across sentences ("Calf red. Feels
    hot."): context, read at the last phrase, still denies ("calf red, not hot")."""
    wide = rule.gap is not None
    longest = max((span.end - span.start for spans in found for span in spans), default=0)
    reach = (len(found) - 1) * ((rule.gap if wide else max(gaps)) or 0) + (len(found) - 1) * longest
    for combo in _near_each_other(found, reach=reach):
        ordered = sorted(range(len(combo)), key=lambda i: combo[i].start)
        written = ordered == sorted(ordered)
        limit = rule.gap if wide else (gaps[0] if written else gaps[1])
        between: set[int] = set()
        ok = True
        for a, b in itertools.pairwise(ordered):
            first, second = combo[a], combo[b]
            if second.start < first.end or second.start - first.end > (limit or 0):
                ok = False
                break
            for i in range(first.end, second.start):
                if not wide and (norms[i] in breaks or (punct[i] and (not written or norms[i] != ","))):
                    ok = False
                    break
                between.add(i)
            if not ok or (not wide and sentence[first.start] != sentence[second.start]):
                ok = False
                break
        if ok:
            head = combo[-1]
            yield Joined(
                head=head,
                whole=Span(min(s.start for s in combo), max(s.end for s in combo)),
                between=frozenset(between),
                parts=tuple(combo),
            )


def _near_each_other(found: Sequence[Sequence[Span]], *, reach: int) -> Iterator[tuple[Span, ...]]:
    """The combinations of one span per part that lie within `reach` words of the last part's
    span: every one `join_near` could accept, without trying every pair in a long message (a
    repetitive message of 2,000 characters would otherwise try each part against every other)."""
    starts = [[span.start for span in spans] for spans in found]  # each sorted by start
    for head in found[-1]:
        near = [
            spans[bisect.bisect_left(at, head.start - reach) : bisect.bisect_right(at, head.end + reach)]
            for spans, at in zip(found[:-1], starts[:-1], strict=True)
        ]
        for others in itertools.product(*near):
            yield (*others, head)


def words_in(pattern: TokenPattern) -> Iterator[str]:
    """The literal words of a token pattern (the vocabulary typo repair may mend towards)."""
    for token in pattern:
        norm = token.get("NORM")
        if isinstance(norm, str):
            yield norm
        elif isinstance(norm, dict):
            yield from norm.get("IN", ())


class RoutedMatcher:
    """spaCy's Matcher split by one word each pattern cannot do without, so a message runs only
    the patterns whose word it contains (and the few with no such word, which always run).
    Thousands of phrase patterns then cost a reading what the few dozen that could match cost,
    not all of them at every token.

    The word a pattern is filed under is the one least likely to be in a message: rare in the
    language (`rarity`: wordfreq, lower is rarer) and rare among the patterns themselves. The
    second matters as much as the first: "knee" is uncommon English but in nearly every message
    kneebot reads, and filing every pattern that needs it under it made one bucket of 700
    patterns run on almost every message. Patterns are filed once all are added (`file`, or
    the first reading), when how many need each word is known."""

    MESSAGE_WORDS = 15
    """About how many words a message has: turns a word's frequency into a chance of meeting it."""

    def __init__(self, vocab: Any, rarity: Callable[[str], float] = lambda word: 0.0) -> None:
        from spacy.matcher import Matcher

        self._make = lambda: Matcher(vocab, validate=False)
        self._general = self._make()
        self._by_word: dict[str, Any] = {}
        self._rarity = rarity
        self._waiting: list[tuple[str, TokenPattern, list[tuple[str, ...]]]] = []

    def add(self, key: str, pattern: TokenPattern) -> None:
        needed = [words for token in pattern if (words := _required_words(token))]
        if not needed:
            self._general.add(key, [pattern])
        else:
            self._waiting.append((key, pattern, needed))

    def file(self) -> None:
        """File each added pattern under the needed word (or words, for a choice of them) that
        a message is least likely to hold."""
        share: dict[str, int] = {}
        for _, _, needed in self._waiting:
            for word in {word for words in needed for word in words}:
                share[word] = share.get(word, 0) + 1
        total = len(self._waiting)
        chance = {
            word: min(1.0, self._rarity(word) * self.MESSAGE_WORDS + count / total)
            for word, count in share.items()
        }
        for key, pattern, needed in self._waiting:
            anchor = min(needed, key=lambda words: sum(chance[word] for word in words))
            for word in anchor:  # the message must hold one of these words for the pattern to match
                self._bucket(word).add(key, [pattern])
        self._waiting.clear()

    def _bucket(self, word: str) -> Any:
        if word not in self._by_word:
            self._by_word[word] = self._make()
        return self._by_word[word]

    def __call__(self, doc: Any, *, with_alignments: bool = False) -> list[Any]:
        if self._waiting:
            self.file()
        found = list(self._general(doc, with_alignments=with_alignments)) if len(self._general) else []
        for word in {token.norm_ for token in doc}:
            matcher = self._by_word.get(word)
            if matcher is not None:
                found += matcher(doc, with_alignments=with_alignments)
        unique = {(match[0], match[1], match[2]): match for match in found}  # one pattern, two words
        return sorted(unique.values(), key=lambda match: (match[1], match[2]))


def _required_words(token: dict[str, Any]) -> tuple[str, ...]:
    """The words a pattern position takes, when it must be there and is a plain word or words."""
    if "OP" in token or set(token) != {"NORM"}:
        return ()
    norm = token["NORM"]
    if isinstance(norm, str):
        return (norm,)
    if isinstance(norm, dict) and set(norm) == {"IN"}:
        return tuple(norm["IN"])
    return ()

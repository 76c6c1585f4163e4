"""Understanding what a person typed, without a network or a language model.

All phrases come from the dialog file. A message is cleaned (control characters, emoji
modifiers, apostrophes, letters repeated for emphasis), split into clauses, small typos are
corrected against the dialog's own vocabulary, and every known phrase is looked up. A phrase
preceded closely by a negation in the same clause ("there's no lump", "I don't have that")
counts as negated. The result is a `Reading`: plain data the turn logic decides on.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache

from bot.dialog import Dialog, Question
from bot.messages import URGENCIES

MAX_READ_CHARS = 2000
"""Answers are read from this much of a message; a longer one gets a note saying so."""
MAX_FLAG_CHARS = 50_000
"""Warning signs are looked for much further: a red flag at the end of a long message counts."""

_NEGATIONS = frozenset(
    {
        "no",
        "not",
        "dont",
        "didnt",
        "doesnt",
        "never",
        "without",
        "isnt",
        "arent",
        "havent",
        "hasnt",
        "wasnt",
        "nor",
        "hardly",
        "neither",
        "aint",
    }
)
_NEGATION_WINDOW = 3
_INVISIBLE = re.compile("[\U0001f3fb-\U0001f3ff\ufe0e\ufe0f\u200b-\u200d\u2060\ufffd]")
_CLAUSES = re.compile(r"[,.;:!\n\r\t]+|\bbut\b|\bhowever\b")
_TOKENS = re.compile(r"[^\W_]+(?:'[^\W_]+)*|[^\w\s'?]")
_REPEATS = re.compile(r"([a-z])\1{2,}")
_NUMBER = re.compile(r"^(?:#|no\.?|number|option|choice)?\s*(\d{1,2})\s*[.)]?$")
_FIXES = {"cannot": "cant", "can't": "cant"}


def normalise(text: str) -> str:
    text = unicodedata.normalize("NFKC", text)
    text = "".join(ch for ch in text if ch in "\n\t" or unicodedata.category(ch)[0] != "C")
    text = _INVISIBLE.sub("", text).replace("\u2019", "'").replace("`", "'").lower()
    return _REPEATS.sub(r"\1", text)


def tokens(text: str) -> list[str]:
    if text.strip() == "?":
        return ["?"]  # a lone question mark is an answer: "not sure"
    out = []
    for token in _TOKENS.findall(text):
        token = _FIXES.get(token, token).replace("'", "")
        if token:
            out.append(token)
    return out


@dataclass(frozen=True, slots=True)
class Hit:
    """A known phrase found in a message."""

    kind: str  # "word" (answers the question being asked), "mention", "flag", "yes"
    target: str  # question id or red-flag id ("" for "yes")
    value: str
    length: int
    negated: bool = False


@dataclass(frozen=True, slots=True)
class Reading:
    """What one message says, before any decision about the conversation."""

    command: str | None = None
    number: int | None = None
    hits: tuple[Hit, ...] = ()
    empty: bool = False
    foreign: bool = False
    truncated: bool = False
    red_flags: tuple[str, ...] = ()
    mentions: dict[str, str] = field(default_factory=dict)

    @property
    def affirmative(self) -> bool:
        return any(hit.kind == "yes" for hit in self.hits)

    def answer_to(self, question: Question) -> str | None:
        """The answer this message gives to `question`, or None when it gives none or is torn."""
        if self.number is not None:
            if 1 <= self.number <= len(question.answers):
                return question.answers[self.number - 1].value
            return None
        best: dict[str, int] = {}
        for hit in self.hits:
            if hit.target != question.id:
                continue
            value = hit.value
            if hit.negated and hit.kind == "mention":
                if question.kind != "yesno" or value != "yes":
                    continue
                value = "no"  # "there's no lump" answers "is there a lump?" with no
            best[value] = max(best.get(value, 0), hit.length)
        return _strict_winner(best)


def _strict_winner(scores: dict[str, int]) -> str | None:
    if not scores:
        return None
    ranked = sorted(scores.items(), key=lambda item: item[1], reverse=True)
    if len(ranked) > 1 and ranked[0][1] == ranked[1][1]:
        return None
    return ranked[0][0]


class Reader:
    """Built once per dialog: an index of every phrase, keyed by its first token."""

    def __init__(self, dialog: Dialog) -> None:
        self._commands: dict[tuple[str, ...], str] = {}
        self._alone: dict[tuple[str, ...], list[tuple[str, str, str]]] = defaultdict(list)
        self._index: dict[str, list[tuple[tuple[str, ...], str, str, str]]] = defaultdict(list)
        for command, phrases in dialog.commands.items():
            for phrase in phrases:
                self._commands[tuple(tokens(normalise(phrase)))] = command
        for question in dialog.questions.values():
            for answer in question.answers:
                self._add(answer.words, "word", question.id, answer.value)
                self._add(answer.mentions, "mention", question.id, answer.value)
                for phrase in answer.alone:
                    self._alone[tuple(tokens(normalise(phrase)))].append(("word", question.id, answer.value))
        for flag in dialog.red_flags.values():
            self._add(flag.mentions, "flag", flag.id, flag.id)
        yes = dialog.vocabulary["yes"]
        self._add(yes.words, "yes", "", "yes")
        for phrase in yes.alone:
            self._alone[tuple(tokens(normalise(phrase)))].append(("yes", "", "yes"))
        anagrams: dict[str, set[str]] = defaultdict(set)
        for entry in dialog.vocabulary.values():
            for word in entry.words:
                if len(word) == 3 and word.isalpha():
                    anagrams["".join(sorted(word))].add(word)
        self._anagrams = {letters: words.pop() for letters, words in anagrams.items() if len(words) == 1}
        severity = {u: i for i, u in enumerate(URGENCIES)}
        order = list(dialog.red_flags)
        self._flag_rank = {f.id: (severity[f.urgency], order.index(f.id)) for f in dialog.red_flags.values()}
        known = {t for entries in self._index.values() for e in entries for t in e[0]}
        self._known_set = frozenset(known | {t for phrase in self._alone for t in phrase})
        self._known = sorted(known)
        self._correct = lru_cache(maxsize=4096)(self._closest)

    def _add(self, phrases: Iterable[str], kind: str, target: str, value: str) -> None:
        for phrase in phrases:
            words = tuple(tokens(normalise(phrase)))
            if words:
                self._index[words[0]].append((words, kind, target, value))

    def _closest(self, token: str) -> str:
        if not token.isascii() or not token.isalpha():
            return token
        if len(token) == 3:  # "yse", "nha": swapped letters in a short answer word
            return self._anagrams.get("".join(sorted(token)), token)
        if len(token) < 3:
            return token
        match = difflib.get_close_matches(token, self._known, n=1, cutoff=0.8)
        return match[0] if match else token

    def read(self, text: str) -> Reading:
        truncated = len(text) > MAX_READ_CHARS
        clean = normalise(text[:MAX_READ_CHARS]).strip()
        whole = tokens(clean)
        if not whole:
            return Reading(empty=True, truncated=truncated)
        bare = tuple(t for t in whole if t not in ("/", "!"))
        command = self._commands.get(bare)
        number_match = _NUMBER.match(clean.lstrip("/!").strip())
        hits = self._hits(clean)
        corrected = tuple(self._fix(t) for t in bare)
        hits.extend(
            Hit(kind, target, value, len(corrected)) for kind, target, value in self._alone.get(corrected, ())
        )
        flag_source = hits if not truncated else self._hits(normalise(text[:MAX_FLAG_CHARS]))
        flags = sorted(
            {h.target for h in flag_source if h.kind == "flag" and not h.negated},
            key=self._flag_rank.__getitem__,
        )
        return Reading(
            command=command,
            number=int(number_match.group(1)) if number_match else None,
            hits=tuple(hits),
            foreign=not hits and _mostly_non_latin(clean),
            truncated=truncated,
            red_flags=tuple(flags),
            mentions=_mentions(hits),
        )

    def _fix(self, token: str) -> str:
        return token if token in self._known_set else self._correct(token)

    def _hits(self, clean: str) -> list[Hit]:
        hits: list[Hit] = []
        for clause in _CLAUSES.split(clean):
            hits.extend(self._find([self._fix(t) for t in tokens(clause)]))
        return hits

    def _find(self, words: list[str]) -> Iterable[Hit]:
        for start, word in enumerate(words):
            for phrase, kind, target, value in self._index.get(word, ()):
                end = start + len(phrase)
                if tuple(words[start:end]) == phrase:
                    before = words[max(0, start - _NEGATION_WINDOW) : start]
                    yield Hit(kind, target, value, len(phrase), negated=any(w in _NEGATIONS for w in before))


def _mentions(hits: list[Hit]) -> dict[str, str]:
    """Facts in passing: the question each mention answers, where the message is unambiguous."""
    by_question: dict[str, dict[str, int]] = defaultdict(dict)
    for hit in hits:
        if hit.kind != "mention":
            continue
        if hit.negated:
            if hit.value != "yes":
                continue
            value = "no"
        else:
            value = hit.value
        scores = by_question[hit.target]
        scores[value] = max(scores.get(value, 0), hit.length)
    found = {q: _strict_winner(scores) for q, scores in by_question.items()}
    return {q: v for q, v in found.items() if v is not None}


def _mostly_non_latin(text: str) -> bool:
    letters = [ch for ch in text if ch.isalpha()]
    if not letters:
        return False
    latin = sum(1 for ch in letters if "LATIN" in unicodedata.name(ch, ""))
    return latin < len(letters) / 2

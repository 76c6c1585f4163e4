"""Understanding what a person typed, without a network or a language model.

All phrases come from the dialog file. A message is cleaned and split into clauses
(`bot.reading.words`), misspelt words are corrected towards the dialog's vocabulary, and every known
phrase is looked up; a red flag can also be raised by words of several groups meeting in one
clause ("calf" with "swollen"). A phrase denied nearby ("there's no lump", "no lump or
swelling", "a lump? no") counts as negated. The result is a `Reading`: plain data the turn
logic decides on.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field, replace

from bot.dialog import Dialog, Question
from bot.messages import URGENCIES
from bot.reading.words import (
    DENIALS,
    LIST_WORDS,
    NEGATIONS,
    SCOPE_BREAKS,
    TEMPORAL,
    Corrector,
    mostly_foreign,
    normalise,
    tokens,
)

MAX_READ_CHARS = 2000
"""Answers are read from this much of a message; a longer one gets a note saying so."""
MAX_FLAG_CHARS = 50_000
"""Warning signs are looked for much further: a red flag at the end of a long message counts."""

_NEGATION_WINDOW = 3
_CLAUSES = re.compile(
    r"[,.;:!?\n\r\t]+|\s[-\u2013\u2014]+\s|\b(?:but|however|though|although|apart from|except)\b"
)
_NUMBER = re.compile(r"^(?:#|no\.?|number|option|choice)?\s*(\d{1,2})\s*[.)]?$")
_POLITE = re.compile(r"\b(?:please|pls|plz|thanks|thank you|thx|ty|kindly)\b")

Phrase = tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Hit:
    """A known phrase found in a message."""

    kind: str  # "word" (answers the question asked), "mention", "flag", or "yes"/"no"/"unsure"
    target: str  # question id or red-flag id ("" for the yes/no/unsure vocabulary)
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
        """A plain yes ("yes", "sure"), not outweighed by a no or a not-sure ("I'm not sure")."""
        return (
            _strict_winner({h.kind: h.length for h in self.hits if h.kind in ("yes", "no", "unsure")})
            == "yes"
        )

    def answer_to(self, question: Question) -> str | None:
        """The answer this message gives to `question`, or None when it gives none or is torn."""
        if self.number is not None:
            if 1 <= self.number <= len(question.answers):
                return question.answers[self.number - 1].value
            return None
        if self.foreign:  # "no puedo respirar" is no "no"
            return None
        best: dict[str, int] = {}
        for hit in self.hits:
            if hit.target != question.id:
                continue
            value = hit.value
            if hit.negated and hit.kind == "word":
                continue  # "not running, cycling"; "no numbness" is no answer "numb"
            if hit.negated and hit.kind == "mention":
                if question.kind != "yesno" or value != "yes":
                    continue
                value = "no"  # "there's no lump" answers "is there a lump?" with no
            best[value] = max(best.get(value, 0), hit.length)
        winner = _strict_winner(best)
        if winner is None and question.kind == "yesno" and best.get("yes", 0) == best.get("no", -1):
            unsure, no = question.answer("unsure"), question.answer("no")
            if unsure is not None and no is not None and unsure.next != no.next:
                return "unsure"  # "no, but it tingles" at a warning-sign check: check it
        return winner


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
        self._commands: dict[Phrase, str] = {}
        self._alone: dict[Phrase, list[tuple[str, str, str]]] = defaultdict(list)
        self._index: dict[str, list[tuple[Phrase, str, str, str]]] = defaultdict(list)
        for command, phrases in dialog.commands.items():
            for phrase in phrases:
                self._commands[_phrase(phrase)] = command
        for question in dialog.questions.values():
            for answer in question.answers:
                self._add(answer.words, "word", question.id, answer.value)
                self._add(answer.mentions, "mention", question.id, answer.value)
                for phrase in answer.alone:
                    self._alone[_phrase(phrase)].append(("word", question.id, answer.value))
        for value, entry in dialog.vocabulary.items():  # kinds "yes", "no", "unsure"
            self._add(entry.words, value, "", value)
            for phrase in entry.alone:
                self._alone[_phrase(phrase)].append((value, "", value))
        self._combos: list[tuple[str, tuple[tuple[Phrase, ...], ...]]] = []
        for flag in dialog.red_flags.values():
            self._add(flag.mentions, "flag", flag.id, flag.id)
            for combo in flag.combos:
                self._combos.append((flag.id, tuple(tuple(_phrase(p) for p in group) for group in combo)))
        severity = {u: i for i, u in enumerate(URGENCIES)}
        order = list(dialog.red_flags)
        self._flag_rank = {f.id: (severity[f.urgency], order.index(f.id)) for f in dialog.red_flags.values()}
        # Emoji and symbols that mean something alone (👍, 👋) survive the clean-up of bare messages.
        self._symbols = {t for phrase in (*self._commands, *self._alone) for t in phrase if not t.isalnum()}
        known = {t for entries in self._index.values() for e in entries for t in e[0]}
        known |= {t for phrase in self._alone for t in phrase} | {
            t for phrase in self._commands for t in phrase
        }
        known |= {t for _, combo in self._combos for group in combo for p in group for t in p}
        self._firsts = {group: frozenset(p[0] for p in group) for _, combo in self._combos for group in combo}
        self._corrector = Corrector(known)

    def _add(self, phrases: Iterable[str], kind: str, target: str, value: str) -> None:
        for text in phrases:
            phrase = _phrase(text)
            if phrase:
                self._index[phrase[0]].append((phrase, kind, target, value))

    def read(self, text: str) -> Reading:
        truncated = len(text) > MAX_READ_CHARS
        clean = normalise(text[:MAX_READ_CHARS]).strip()
        whole = tokens(clean)
        if not whole:
            flags = (
                self._flags(self._hits(normalise(text[:MAX_FLAG_CHARS]), correct=False)) if truncated else ()
            )
            return Reading(empty=True, truncated=truncated, red_flags=flags)
        # Commands and whole-message answers ignore punctuation, emoji and "please"/"thanks".
        polite = _POLITE.sub(" ", clean)
        bare = self._bare(polite)
        number_match = _NUMBER.match(clean.lstrip("/!").strip())
        hits = self._hits(clean)
        hits.extend(self._alone_hits(polite))
        # Past the answer limit, look for red flags only, with exact words (no correction).
        flag_hits = (
            hits
            if not truncated
            else hits + self._hits(normalise(text[MAX_READ_CHARS - 100 : MAX_FLAG_CHARS]), correct=False)
        )
        return Reading(
            command=self._commands.get(bare),
            number=int(number_match.group(1)) if number_match else None,
            hits=tuple(hits),
            foreign=mostly_foreign([w for w in whole if w not in self._corrector.known]),
            truncated=truncated,
            red_flags=self._flags(flag_hits),
            mentions=_mentions(hits),
        )

    def _bare(self, text: str) -> Phrase:
        return tuple(t for t in tokens(text) if t.isalnum() or t in self._symbols)

    def _alone_hits(self, text: str) -> list[Hit]:
        """Answers that only count as a whole message ("I do", "none"), or when every clause
        of the message is one, with or without a comma between ("nope, all good", "nope none
        of those")."""
        clauses = [tuple(self._corrector.fix(t) for t in self._bare(c)) for c in _CLAUSES.split(text)]
        clauses = [clause for clause in clauses if clause]
        if not clauses:
            return []
        whole = tuple(t for clause in clauses for t in clause)
        agreed = set.intersection(*(self._alone_meanings(clause) for clause in clauses))
        return [Hit(kind, target, value, len(whole)) for kind, target, value in sorted(agreed)]

    def _alone_meanings(self, words: Phrase) -> set[tuple[str, str, str]]:
        """What these words mean as a whole answer, or as two whole answers that agree."""
        meanings = set(self._alone.get(words, ()))
        for cut in range(1, len(words)):
            if not meanings:
                meanings = set(self._alone.get(words[:cut], ())) & set(self._alone.get(words[cut:], ()))
        return meanings

    def _flags(self, hits: list[Hit]) -> tuple[str, ...]:
        raised = {h.target for h in hits if h.kind == "flag" and not h.negated}
        return tuple(sorted(raised, key=self._flag_rank.__getitem__))

    def _hits(self, clean: str, *, correct: bool = True) -> list[Hit]:
        if clean.strip() == "?":
            return list(self._find(["?"]))
        hits: list[Hit] = []
        previous: list[Hit] = []
        before: list[str] = []
        separator = ""
        for clause, separator in _split(clean):
            words = tokens(clause)
            if not words:
                continue
            denial = tuple(words) in DENIALS
            if denial and previous:  # "a lump? no": the no denies what came before
                hits[-len(previous) :] = [_denied(h) for h in previous]
            if correct:
                words = [self._corrector.fix(t) for t in words]
            last = previous
            previous = self._find(words)
            carried = False
            # "no lump, swelling or pain": the denial runs on over a comma-separated list.
            if (
                before
                and separator.strip() == ","
                and {"or", "nor"} & set(words)
                and not {"though", "now", "actually", "still", "also"} & set(words)
                and not any(h.kind == "unsure" for h in last)
                and (
                    any(h.negated and h.kind in ("flag", "mention") for h in last)
                    or before[0] in ("no", "without")
                )
                and words[0] not in SCOPE_BREAKS
                and not (set(words) & NEGATIONS)
            ):
                previous = [_denied(h) for h in previous]
                carried = True
            # Signs split by punctuation still meet: "calf: swollen", "my calf, it's swollen".
            if before and not denial and not carried:
                own = {h.target for h in previous if h.kind == "flag"}
                previous += [
                    h
                    for _, _, h in self._combo_hits([*before, "and", *words])
                    if h.target not in own and not h.negated
                ]
            hits.extend(previous)
            before = [] if denial else words
        return hits

    def _find(self, words: list[str]) -> list[Hit]:
        found: list[tuple[int, int, Hit]] = []
        for start, word in enumerate(words):
            for phrase, kind, target, value in self._index.get(word, ()):
                end = start + len(phrase)
                if tuple(words[start:end]) == phrase:
                    found.append(
                        (start, end, Hit(kind, target, value, len(phrase), _denied_at(words, start)))
                    )
        found.extend(self._combo_hits(words))
        found.sort(key=lambda item: item[0])
        # A denial carries over a list of symptoms: "no chest pain or shortness of breath".
        for index in range(1, len(found)):
            (_, prev_end, prev), (start, end, hit) = found[index - 1], found[index]
            if prev.negated and not hit.negated and all(w in LIST_WORDS for w in words[prev_end:start]):
                found[index] = (start, end, _denied(hit))
        return [hit for _, _, hit in found]

    def _combo_hits(self, words: list[str]) -> list[tuple[int, int, Hit]]:
        """Red flags raised by words of every group of a combination meeting in this clause."""
        out = []
        at: dict[str, list[int]] = defaultdict(list)  # each word's positions, found once per clause
        for index, word in enumerate(words):
            at[word].append(index)
        for flag, groups in self._combos:
            places: list[list[int]] = []
            for group in groups:  # most clauses lack the first group: stop there
                found = _all_of(group, words, at) if not self._firsts[group].isdisjoint(at) else []
                if not found:
                    break
                places.append(found)
            if len(places) < len(groups):
                continue
            # Denied when some group is denied wherever it appears ("no fever, and my knee is
            # swollen"); one undenied word of every group raises it ("not red, just swollen").
            live = [[p for p in ps if not _denied_at(words, p)] for ps in places]
            if all(live):
                starts = [ps[0] for ps in live]
                out.append((min(starts), max(starts) + 1, Hit("flag", flag, flag, len(groups))))
            else:
                out.append((0, 0, Hit("flag", flag, flag, len(groups), negated=True)))
        return out


def _split(text: str) -> list[tuple[str, str]]:
    """Clauses, each with the separator before it ("" for the first)."""
    out, start, separator = [], 0, ""
    for match in _CLAUSES.finditer(text):
        out.append((text[start : match.start()], separator))
        start, separator = match.end(), match.group()
    out.append((text[start:], separator))
    return out


def _phrase(text: str) -> Phrase:
    return tuple(tokens(normalise(text)))


def _denied_at(words: list[str], start: int) -> bool:
    if TEMPORAL.intersection(words[start:]):  # "never had a lump until today"
        return False
    for w in reversed(words[max(0, start - _NEGATION_WINDOW) : start]):
        if w in NEGATIONS:
            return True
        if w in SCOPE_BREAKS:  # "no, I'm sore" / "no lump and swelling"
            return False
    return False


def _denied(hit: Hit) -> Hit:
    return replace(hit, negated=True)


def _all_of(group: tuple[Phrase, ...], words: list[str], at: dict[str, list[int]]) -> list[int]:
    """Every position where a phrase of the group starts."""
    return sorted(
        start
        for phrase in group
        for start in at.get(phrase[0], ())
        if len(phrase) == 1 or tuple(words[start : start + len(phrase)]) == phrase
    )


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

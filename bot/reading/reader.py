"""The whole reading of one message: commands, numbers, findings with their context, answers.

A `Reading` is plain data the turn logic decides on. It holds every finding (a warning sign,
a fact, or a word that answers a question when that question is asked) with the context
categories ConText found around it, and every answer word ("yes", "nope", "none of these")
with where it stands, so that `bot.reading.answers` can tell what the message says to the
question asked and `bot.reading.context` what it says about warning signs and facts.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from concurrent.futures import Future
from dataclasses import dataclass

from bot.dialog.model import Dialog
from bot.reading.context import FactStatus, SignStatus, fact_status, sign_status
from bot.reading.normalise import MAX_READ_CHARS, normalise
from bot.reading.pipeline import Analysis, Pipeline, load_pipeline

_NUMBER = re.compile(r"^\d{1,2}(?:[,.;/+&]\d{1,2})*[.)]?$")
_SPLIT = re.compile(r"[,.;/+&]")


@dataclass(frozen=True, slots=True)
class Finding:
    """A known phrase found in a message. `kind`: sign, fact (said in any message), word (an
    answer when its question is asked), option (a signs question's option, in words)."""

    kind: str
    target: str
    value: str
    categories: frozenset[str]
    start: int
    length: int


@dataclass(frozen=True, slots=True)
class AnswerCue:
    """An answer word: yes, no, unsure, partly ("a bit", "sometimes") or none ("none of these").
    `leading`: it opens the message; `standalone`: its clause says nothing else."""

    value: str
    leading: bool
    standalone: bool


@dataclass(frozen=True, kw_only=True, slots=True)
class Reading:
    """What one message says, before any decision about the conversation."""

    command: str | None = None
    numbers: tuple[int, ...] = ()
    empty: bool = False
    foreign: bool = False
    truncated: bool = False
    findings: tuple[Finding, ...] = ()
    answers: tuple[AnswerCue, ...] = ()

    @property
    def number(self) -> int | None:
        return self.numbers[0] if len(self.numbers) == 1 else None

    def signs(self, dialog: Dialog) -> dict[str, SignStatus]:
        """Each warning sign the message mentions, at its most definite: stated over doubtful
        over dropped (safety first when a message says it twice)."""
        rank = {"dropped": 0, "doubtful": 1, "stated": 2}
        out: dict[str, SignStatus] = {}
        for finding in self.findings:
            if finding.kind not in ("sign", "hint"):
                continue
            flag = dialog.red_flags[finding.target]
            status = sign_status(finding.categories, past_counts=flag.past_counts)
            if finding.kind == "hint" and status == "stated":
                status = "doubtful"  # a hint of a sign is worth one question, never an alarm
            if rank[status] > rank[out.get(finding.target, "dropped")] or finding.target not in out:
                out[finding.target] = status
        return out

    def facts(self, dialog: Dialog, kinds: tuple[str, ...] = ("fact",), only: str | None = None) -> dict[str, str]:
        """Facts the message states: a yes/no fact said (yes), denied (no) or doubted (unsure);
        a choice fact's value said plainly. Where a message says two things of one fact, the
        longer phrase wins ("I run and cycle" is both, not running); a tie says nothing."""
        candidates: dict[str, dict[str, int]] = {}
        for finding in self.findings:
            if finding.kind not in kinds or (only is not None and finding.target != only):
                continue
            fact = dialog.facts.get(finding.target)
            if fact is None:
                continue
            value = _fact_value(fact.kind, finding.value, fact_status(finding.categories))
            if value is None:
                continue
            scores = candidates.setdefault(finding.target, {})
            scores[value] = max(scores.get(value, 0), finding.length)
        out = {}
        for fact_id, scores in candidates.items():
            winner = _strict_winner(scores)
            if winner is not None:
                out[fact_id] = winner
        return out


def _fact_value(kind: str, value: str, status: FactStatus) -> str | None:
    if status == "dropped":
        return None
    if kind == "yesno":
        if value == "no":  # a phrase that says no outright ("it came on gradually")
            return "no" if status == "stated" else None
        return {"stated": "yes", "denied": "no", "unsure": "unsure"}[status]
    return value if status == "stated" else None


def _strict_winner(scores: Mapping[str, int]) -> str | None:
    ranked = sorted(scores.items(), key=lambda item: item[1], reverse=True)
    if not ranked or (len(ranked) > 1 and ranked[0][1] == ranked[1][1]):
        return None
    return ranked[0][0]


class Reader:
    """Reads messages for one dialog. Construction starts building the NLP pipeline in the
    background; a message that arrives first waits for it."""

    def __init__(self, dialog: Dialog) -> None:
        self.dialog = dialog
        self._pipeline: Future[Pipeline] = load_pipeline(dialog)
        self._commands = {}
        self._numbers: dict[str, int] = {}

    @property
    def pipeline(self) -> Pipeline:
        pipeline = self._pipeline.result()
        if not self._commands:
            self._commands = {
                pipeline.words_of(phrase): command
                for command, phrases in self.dialog.language.commands.items()
                for phrase in phrases
            }
        return pipeline

    def read(self, text: str) -> Reading:
        truncated = len(text) > MAX_READ_CHARS
        if truncated:
            text = text[:MAX_READ_CHARS].rsplit(" ", 1)[0]
        if not normalise(text).strip():
            return Reading(empty=True, truncated=truncated)
        pipeline = self.pipeline
        analysis = pipeline.analyse(text)
        words = [n for n, p in zip(analysis.norms, analysis.punct, strict=True) if not p]
        if not words:
            # Only punctuation: "?" is an answer ("not sure"); anything else says nothing.
            return Reading(
                empty=not analysis.answers,
                truncated=truncated,
                answers=_answer_cues(analysis, self.dialog.language.polite),
            )
        polite = self.dialog.language.polite
        bare = tuple(words)
        command = self._commands.get(bare) or self._commands.get(tuple(w for w in words if w not in polite))
        return Reading(
            command=command,
            numbers=_numbers(words, polite),
            foreign=_foreign(words, pipeline),
            truncated=truncated,
            findings=tuple(
                Finding(
                    kind=m.rule.kind,
                    target=m.rule.target,
                    value=m.rule.value,
                    categories=m.categories,
                    start=m.start,
                    length=m.end - m.start,
                )
                for m in analysis.findings
            ),
            answers=_answer_cues(analysis, polite),
        )


def _numbers(words: list[str], polite: frozenset[str]) -> tuple[int, ...]:
    """The option numbers a message consists of: "3", "#3", "option 3", "1 and 4", "1,4"."""
    numbers: list[int] = []
    for word in words:
        if _NUMBER.match(word):
            numbers.extend(int(part) for part in _SPLIT.split(word.rstrip(".)")) if part)
        elif word not in _NUMBER_GLUE and word not in polite:
            return ()
    return tuple(dict.fromkeys(numbers))


_NUMBER_GLUE = frozenset({"and", "or", "&", "+", "#", "option", "options", "number", "numbers", "no", "choice", "nos"})


def _foreign(words: list[str], pipeline: Pipeline) -> bool:
    """Another language: mostly non-Latin letters, or several words of which few are words
    of this language."""
    letters = [ch for word in words for ch in word if ch.isalpha()]
    if not letters:
        return False
    if sum(1 for ch in letters if "LATIN" in unicodedata.name(ch, "")) < len(letters) / 2:
        return True
    telling = [w for w in words if w.isalpha() and len(w) > 2]
    return len(telling) >= 2 and sum(map(pipeline.corrector.is_word, telling)) < len(telling) / 2


def _answer_cues(analysis: Analysis, polite: frozenset[str]) -> tuple[AnswerCue, ...]:
    """Answer words that count: opening the message ("no, but it hurts on stairs") or making
    up a clause of their own ("it's worse on hills, yes"). An `alone` form ("I do", "it does")
    counts only as a whole clause."""
    clauses = analysis.clauses
    content = [
        i for i, (n, c) in enumerate(zip(analysis.norms, clauses, strict=True)) if c >= 0 and n not in polite
    ]
    first = content[0] if content else None
    covered: dict[int, set[int]] = {}
    for match in analysis.answers:
        for i in range(match.start, match.end):
            covered.setdefault(clauses[i], set()).add(i)
    out = []
    for match in analysis.answers:
        clause = clauses[match.start]
        if clause < 0:
            if not match.rule.alone:
                continue
            clause = -1
        words_in_clause = {i for i in content if clauses[i] == clause}
        standalone = bool(words_in_clause) and words_in_clause <= covered.get(clause, set())
        whole = words_in_clause <= set(range(match.start, match.end)) if words_in_clause else True
        if match.rule.alone:
            if whole:
                out.append(AnswerCue(value=match.rule.value, leading=match.start == first, standalone=True))
            continue
        leading = match.start == first
        if leading or standalone:
            out.append(AnswerCue(value=match.rule.value, leading=leading, standalone=standalone))
    return tuple(out)

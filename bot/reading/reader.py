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
from dataclasses import dataclass

from bot.dialog.model import Dialog, Language
from bot.reading.context import FactStatus, SignStatus, fact_status, sign_status
from bot.reading.normalise import MAX_READ_CHARS, normalise
from bot.reading.pipeline import Analysis, Match, Pipeline, load_pipeline

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
    `leading`: it opens the message or closes a clause; `standalone`: its clause says nothing
    else; `symbol`: an emoji rather than words."""

    value: str
    leading: bool
    standalone: bool
    start: int = 0
    end: int = 0
    symbol: bool = False


@dataclass(frozen=True, kw_only=True, slots=True)
class Reading:
    """What one message says, before any decision about the conversation."""

    command: str | None = None
    marked: bool = False
    """The command came with a leading / or ! ("/back"): a command even where its word could
    answer the question."""
    numbers: tuple[int, ...] = ()
    """Option numbers the message gives ("3", "1 and 4", "one and five", "1-3")."""
    numbers_only: bool = False
    """The message is nothing but option numbers (and words such as "and", "only")."""
    numbers_denied: bool = False
    """The numbers are ruled out ("not 1, 2 or 3", "none of 1-3")."""
    except_from: int | None = None
    """Where "all ... except" starts leaving options out (a token position)."""
    excluded: tuple[int, ...] = ()
    """Option numbers left out after "except"."""
    empty: bool = False
    foreign: bool = False
    truncated: bool = False
    findings: tuple[Finding, ...] = ()
    answers: tuple[AnswerCue, ...] = ()

    @property
    def number(self) -> int | None:
        """The one option number a message consists of."""
        return (
            self.numbers[0]
            if len(self.numbers) == 1 and self.numbers_only and not self.numbers_denied
            else None
        )

    def signs(self, dialog: Dialog) -> dict[str, SignStatus]:
        """Each warning sign the message mentions, at its most definite: stated over doubtful
        over dropped (safety first when a message says it twice)."""
        rank = {"dropped": 0, "doubtful": 1, "stated": 2}
        out: dict[str, SignStatus] = {}
        for finding in self.findings:
            if finding.kind not in ("sign", "hint"):
                continue
            flag = dialog.red_flags[finding.target]
            if finding.value == "no":
                # Said to be absent ("walking fine"): a denial if said plainly; doubted ("not
                # sure I can walk on it"), the sign itself is in doubt.
                said = fact_status(finding.categories)
                if said not in ("stated", "unsure"):
                    continue
                status: SignStatus = "dropped" if said == "stated" else "doubtful"
            else:
                status = sign_status(finding.categories, past_counts=flag.past_counts)
            if finding.kind == "hint" and status == "stated":
                status = "doubtful"  # a hint of a sign is worth one question, never an alarm
            if rank[status] > rank[out.get(finding.target, "dropped")] or finding.target not in out:
                out[finding.target] = status
        return out

    def about_someone_else(self) -> frozenset[str]:
        """Warning signs the message tells of another person ("my dad's calf is swollen"):
        their check is to be answered for that person."""
        return frozenset(
            f.target
            for f in self.findings
            if f.kind in ("sign", "hint") and f.categories & {"other_person", "proxy"}
        )

    def facts(
        self,
        dialog: Dialog,
        kinds: tuple[str, ...] = ("fact",),
        only: str | None = None,
        overlapping: tuple[tuple[int, int], ...] | None = None,
    ) -> dict[str, str]:
        """Facts the message states: a yes/no fact said (yes), denied (no) or doubted (unsure);
        a choice fact's value, even in a doubtful clause ("not sure if long runs make it worse"
        still says they run), but a plain mention wins over a doubtful one. Where a message says
        two things of one fact alike, the longer phrase wins ("I run and cycle" is both, not
        running); a tie says nothing.
        `overlapping`: only findings that take in one of these stretches of words."""
        candidates: dict[str, dict[str, int]] = {}
        for finding in self.findings:
            if finding.kind not in kinds or (only is not None and finding.target != only):
                continue
            end = finding.start + finding.length
            if overlapping is not None and not any(s < end and finding.start < e for s, e in overlapping):
                continue
            fact = dialog.facts.get(finding.target)
            if fact is None:
                continue
            status = fact_status(finding.categories)
            value = _fact_value(fact.kind, finding.value, status)
            if value is None:
                continue
            scores = candidates.setdefault(finding.target, {})
            score = finding.length + (0 if status == "unsure" else PLAIN)
            scores[value] = max(scores.get(value, 0), score)
        out = {}
        for fact_id, scores in candidates.items():
            winner = _strict_winner(scores)
            if winner is not None:
                out[fact_id] = winner
        return out


PLAIN = 1000
"""What a plainly said value scores over a doubtful one (beyond its phrase's length)."""


def _fact_value(kind: str, value: str, status: FactStatus) -> str | None:
    if status == "dropped":
        return None
    if kind == "yesno":
        if value == "no":
            # A phrase that says no outright ("it came on gradually"); in a doubtful clause it
            # leaves the fact open ("not sure my saddle height is right"), denied it says nothing.
            return {"stated": "no", "unsure": "unsure"}.get(status)
        return {"stated": "yes", "denied": "no", "unsure": "unsure"}[status]
    return value if status in ("stated", "unsure") else None


def _strict_winner(scores: Mapping[str, int]) -> str | None:
    ranked = sorted(scores.items(), key=lambda item: item[1], reverse=True)
    if not ranked or (len(ranked) > 1 and ranked[0][1] == ranked[1][1]):
        return None
    return ranked[0][0]


EVERYDAY_CHARS = 60
"""The longest message kept as an everyday answer (see `Reader._said_before`)."""
EVERYDAY_KEPT = 4096


class Reader:
    """Reads messages for one dialog. `warm` builds the NLP pipeline in the background; a
    message that arrives first waits for it (or builds it)."""

    def __init__(self, dialog: Dialog) -> None:
        self.dialog = dialog
        self._pipeline = load_pipeline(dialog)
        self._commands: dict[tuple[str, ...], str] = {}
        self._numbers: dict[str, int] = {}
        self._said_before: dict[str, Reading] = {}
        """Readings of short messages made only of answer words (also a question's own:
        "never", "none"), numbers, commands and polite words ("none of these", "nope 👍", "1 and
        3", "help please"): most turns of most people, the same few strings, read once. Kept in
        this process's memory only, never linked to who sent them; a reading depends on the
        text alone, so a kept one is exactly what reading again would give."""

    def warm(self) -> None:
        """Start building the pipeline in the background, off the critical path."""
        self._pipeline.warm()

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
        known = self._said_before.get(text)
        if known is not None:
            return known
        reading, everyday = self._read(text)
        if everyday and len(text) <= EVERYDAY_CHARS:
            if len(self._said_before) >= EVERYDAY_KEPT:
                self._said_before.clear()
            self._said_before[text] = reading
        return reading

    def _read(self, text: str) -> tuple[Reading, bool]:
        """The reading, and whether the message was nothing but everyday answer words."""
        truncated = len(text) > MAX_READ_CHARS
        if truncated:
            text = text[:MAX_READ_CHARS].rsplit(" ", 1)[0]
        if not normalise(text).strip():
            return Reading(empty=True, truncated=truncated), False
        pipeline = self.pipeline
        analysis = pipeline.analyse(text)
        words = [n for n, p in zip(analysis.norms, analysis.punct, strict=True) if not p]
        if not words:
            # Only punctuation: "?" is an answer ("not sure"); anything else says nothing.
            reading = Reading(
                empty=not analysis.answers,
                truncated=truncated,
                answers=_answer_cues(analysis, self.dialog.language.polite),
            )
            return reading, True
        language = self.dialog.language
        polite = language.polite
        bare = tuple(words)
        plain = tuple(w for w in words if w not in polite and any(ch.isalnum() for ch in w))  # "stop 🙏"
        command = self._commands.get(bare) or self._commands.get(plain)
        answers = _answer_cues(analysis, polite)
        numbers = _numbers(analysis, language, {at for c in answers for at in range(c.start, c.end)})
        except_from = _except_from(analysis, language) if any(c.value == "all" for c in answers) else None
        reading = Reading(
            command=command,
            marked=command is not None and analysis.norms[0] in ("/", "!"),
            numbers=tuple(n for n, at in numbers.found if except_from is None or at < except_from),
            excluded=tuple(n for n, at in numbers.found if except_from is not None and at > except_from),
            numbers_only=numbers.only,
            numbers_denied=numbers.denied,
            except_from=except_from,
            foreign=_foreign(list(analysis.typed), pipeline),
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
            answers=answers,
        )
        covered = {at for cue in answers for at in range(cue.start, cue.end)}
        covered |= {at for m in analysis.findings if m.rule.kind == "word" for at in range(m.start, m.end)}
        everyday = all(m.rule.kind == "word" for m in analysis.findings) and (
            command is not None
            or all(
                at in covered
                or analysis.punct[at]
                or norm in polite
                or not any(ch.isalnum() for ch in norm)
                or _as_numbers(norm, language.numbers)
                or norm in language.number_glue
                for at, norm in enumerate(analysis.norms)
            )
        )
        return reading, everyday


@dataclass(frozen=True, slots=True)
class _Numbers:
    found: tuple[tuple[int, int], ...]  # (number, token position)
    only: bool
    denied: bool


def _numbers(analysis: Analysis, language: Language, answer_words: set[int]) -> _Numbers:
    """The option numbers a message gives: "3", "#3", "option 3", "1 and 4", "1,4", "one and
    five", "the first", "1-3", "4️⃣"; whether the message is nothing else; and whether they are
    ruled out ("not 1, 2 or 3", "none of the 3"). Numbers count where they open the message
    (among glue and answer words, `answer_words` being those tokens) or follow "option"."""
    norms = analysis.norms
    found: list[tuple[int, int]] = []
    only = True
    lead = 0  # where the message's opening run of numbers and glue words ends
    lead_words = _lead_words(language)
    for at, word in enumerate(norms):
        numbers = _as_numbers(word, language.numbers)
        before = norms[at - 1] if at else ""
        if numbers and not word[0].isdigit() and before.isalpha() and before not in language.number_glue:
            numbers = []  # "the lump one": a word, not an option number
        unit = at + 1 < len(norms) and norms[at + 1] in language.units
        if numbers and not unit and (lead == at or before in language.option_words):
            found += [(n, at) for n in numbers]
        elif not (analysis.punct[at] or word in language.number_glue or word in language.polite):
            only = False
        if lead == at and (numbers or analysis.punct[at] or word in lead_words or at in answer_words):
            lead = at + 1
    last = max((at for _, at in found if at < lead), default=-1)
    if lead < len(norms) and not any(analysis.punct[last + 1 : lead]):
        # "2 spin classes a week", "4 laps of the park": a count, not options; "3 - I
        # twisted it" and "option 2, the lump" are options.
        found = [(n, at) for n, at in found if at and norms[at - 1] in language.option_words]
    expanded: list[tuple[int, int]] = []
    for index, (number, at) in enumerate(found):  # "1-3", "1 to 5"
        expanded.append((number, at))
        after = found[index + 1] if index + 1 < len(found) else None
        if (
            after
            and after[1] == at + 2
            and norms[at + 1] in language.range_words
            and number < after[0] <= number + 9
        ):
            expanded += [(n, at + 1) for n in range(number + 1, after[0])]
    first = expanded[0][1] if expanded else 0
    denied = any(w in language.number_denials for w in norms[:first])
    unique = dict((n, at) for n, at in reversed(expanded))
    return _Numbers(
        found=tuple(sorted(unique.items(), key=lambda pair: pair[1])),
        only=only and bool(expanded),
        denied=denied,
    )


def _lead_words(language: Language) -> frozenset[str]:
    """Words that may stand among option numbers at the start of a message ("all except 3",
    "not 1 or 2", "maybe 2 and 4")."""
    words = {w for pattern in language.all_options for w in pattern.text.split()}
    return frozenset(
        words | language.except_words | language.number_glue | language.polite | language.number_denials
    )


def _as_numbers(word: str, words: Mapping[str, int]) -> list[int]:
    if _NUMBER.match(word):
        return [int(part) for part in _SPLIT.split(word.rstrip(".)")) if part]
    return [words[word]] if word in words else []


def _except_from(analysis: Analysis, language: Language) -> int | None:
    """In "all except 3" / "everything but the lump", where leaving out begins."""
    alls = [c.end for c in _answer_cues(analysis, language.polite) if c.value == "all"]
    if not alls:
        return None
    for at in range(min(alls), len(analysis.norms)):
        if analysis.norms[at] in language.except_words:
            return at
    return None


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
    """Answer words that count: opening the message ("no, but it hurts on stairs"), closing a
    clause ("a bit at night, yes"), or making up a clause of their own ("it's worse on hills,
    yes"). Where answer words overlap, the longest is meant ("i don't know", not "i don't").
    An `alone` form ("I do", "it does") counts only as a whole clause; a degree word
    ("sometimes", "a bit") never opens an answer ("sometimes my knee locks" answers nothing)."""
    clauses = analysis.clauses
    content = [
        i for i, (n, c) in enumerate(zip(analysis.norms, clauses, strict=True)) if c >= 0 and n not in polite
    ]
    first = content[0] if content else None
    last_of = {clauses[i]: i for i in content}
    matches = _longest(analysis.answers)
    covered: dict[int, set[int]] = {}
    for match in matches:
        for i in range(match.start, match.end):
            covered.setdefault(clauses[i], set()).add(i)
    out = []
    wordy = any(any(ch.isalnum() for ch in n) for n in analysis.norms)
    by_clause: dict[int, set[int]] = {}
    for i in content:
        by_clause.setdefault(clauses[i], set()).add(i)
    full = {clause: words <= covered.get(clause, set()) for clause, words in by_clause.items()}
    for match in matches:
        if wordy and all(analysis.punct[match.start : match.end]):
            continue  # a "?" is "not sure" only on its own, never the end of a question
        clause = clauses[match.start]
        words_in_clause = by_clause.get(clause, set()) if clause >= 0 else set()
        standalone = not words_in_clause or full.get(clause, False)
        if match.rule.alone:
            inside = len(words_in_clause) <= match.end - match.start and all(
                match.start <= i < match.end for i in words_in_clause
            )
            if not words_in_clause or inside:
                out.append(AnswerCue(value=match.rule.value, leading=match.start == first, standalone=True,
                                     start=match.start, end=match.end, symbol=_symbol(analysis, match)))  # fmt: skip
            continue
        if clause < 0:
            continue
        degree = match.rule.value == "partly"
        leading = match.start == first and not degree
        closing = last_of.get(clause) == match.end - 1 and not degree
        if leading or closing or standalone:
            out.append(AnswerCue(value=match.rule.value, leading=leading or closing, standalone=standalone,
                                 start=match.start, end=match.end, symbol=_symbol(analysis, match)))  # fmt: skip
    return tuple(out)


def _longest(matches: tuple[Match, ...]) -> list[Match]:
    """Overlapping answer words: the longest wins ("i don't know" over "i don't"); words of
    the same length over the same span all stay (a word may be an answer of several kinds)."""
    kept: list[Match] = []
    taken: dict[int, tuple[int, int]] = {}  # token -> the span of the kept word covering it
    for m in sorted(matches, key=lambda m: (m.start - m.end, m.start)):  # longest first
        span = (m.start, m.end)
        if all(taken.get(i, span) == span for i in range(m.start, m.end)):
            kept.append(m)
            taken.update(dict.fromkeys(range(m.start, m.end), span))
    return sorted(kept, key=lambda m: m.start)


def _symbol(analysis: Analysis, match: Match) -> bool:
    """An emoji answer (👍): it gives way to words ("nope 👍" is a no)."""
    return not any(ch.isalnum() for word in analysis.norms[match.start : match.end] for ch in word)

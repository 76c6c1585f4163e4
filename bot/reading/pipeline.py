"""spaCy and medspaCy, set up from a dialog: tokens, Matcher patterns, ConText rules.

Built once per dialog (importing spaCy and medspaCy and compiling a few thousand patterns
takes about a second), in a background thread started with the engine, so a console's first
prompt and a platform's start-up never wait for it. `Pipeline.analyse` is then pure and
linear in the length of a message: the tokenizer and matcher are linear, near rules are
joined from short lists of matches, and ConText, whose rule resolution is quadratic in the
cues of a text, runs on one bounded chunk of a sentence at a time.
"""

from __future__ import annotations

import gc
import re
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import Future
from dataclasses import dataclass
from typing import Any

from bot.dialog.model import Dialog, Language, Near, Patterns
from bot.logs import quiet
from bot.reading.cues import build_context, categories
from bot.reading.normalise import normalise
from bot.reading.patterns import Compiler, RoutedMatcher, Span, TokenPattern, join_near, words_in
from bot.reading.typos import Corrector, word_list

MAX_CHUNK = 48
FRAMINGS = frozenset({"negated", "hypothetical", "question", "other_person", "generic"})
"""Context that frames a whole statement, so it counts wherever it reaches a near rule's phrases
("my knee isn't hot, I'm tired" is no hot tired knee); time and degree count only at
the finding's own words ("a lump since last month that is pulsing now")."""
"""ConText runs on at most this many tokens at a time (a long sentence is cut into chunks)."""


@dataclass(frozen=True, slots=True)
class Rule:
    """What a match stands for. `kind`: sign, hint (suggests a sign: ask, never escalate), fact,
    word (an answer to its question when that is asked), confirm (an answer to a warning sign's
    confirming question in its own terms), option (a signs question's option, in words), answer
    (yes, no...), except (not the finding after all), part (one phrase of a near rule)."""

    kind: str
    target: str
    value: str
    alone: bool = False
    near: int = -1
    """For a part: which near rule; `part` says which of its phrases."""
    part: int = -1

    @property
    def label(self) -> str:
        return f"{self.kind}:{self.target}".upper()


@dataclass(frozen=True, slots=True)
class Match:
    """A pattern found in a message, in token positions of the whole message: the finding's
    own words (`start`, `end`), the whole stretch matched, the positions of words that filled
    gaps, and (after ConText) the context categories reaching it."""

    rule: Rule
    start: int
    end: int
    whole: tuple[int, int] = (0, 0)
    filled: frozenset[int] = frozenset()
    categories: frozenset[str] = frozenset()
    others: tuple[tuple[int, int], ...] = ()
    """A near rule's other phrases: context reaching any of them counts too ("my knee isn't
    hot, but I feel tired" is no hot, tired knee)."""


@dataclass(frozen=True, slots=True)
class Analysis:
    """A message taken apart: its normalised tokens, clause number of each token, and matches."""

    norms: tuple[str, ...]
    clauses: tuple[int, ...]
    punct: tuple[bool, ...]
    findings: tuple[Match, ...]
    answers: tuple[Match, ...]
    typed: tuple[str, ...] = ()
    """The words as typed (lower case, before any typo was mended): what tells another
    language, which the mending would turn towards this one ("nicht" -> "night")."""


class Pipeline:
    """The compiled reader of one dialog."""

    def __init__(self, dialog: Dialog) -> None:
        quiet("medspacy")
        import spacy

        language = dialog.language
        self.language = language
        self.nlp = spacy.blank(language.spacy)
        self._sentencizer = self.nlp.add_pipe(
            "sentencizer", config={"punct_chars": list(language.sentence_ends)}
        )
        self._norms = dict(language.norms)
        breaks = frozenset(
            tokens[0]
            for cue in language.context
            if cue.category == "break"
            for pattern in cue.patterns
            if len(tokens := self.words_of(pattern.text)) == 1
        )
        self._breaks = breaks
        self._compiler = Compiler(self.words_of, breaks)
        self.rules: list[Rule] = []
        self._gaps: list[frozenset[int]] = []
        self._near: list[tuple[Rule, Near]] = []
        rarity = _rarity(language)
        self._matcher = RoutedMatcher(self.nlp.vocab, rarity)
        self._answers = RoutedMatcher(self.nlp.vocab, rarity)
        vocabulary: set[str] = set()
        for rule, patterns in self._dialog_rules(dialog):
            self._add(self._matcher, rule, patterns, vocabulary)
        for cue in language.context:  # asking for someone: said anywhere, it holds for the message
            if cue.category == "proxy":
                patterns = [p for phrase in cue.patterns for p in self._compiler.compile(phrase.alternatives)]
                self._add(self._answers, Rule(kind="proxy", target="", value="proxy"), patterns, vocabulary)
        every = [p for phrase in language.all_options for p in self._compiler.compile(phrase.alternatives)]
        self._add(self._answers, Rule(kind="answer", target="", value="all"), every, vocabulary)
        for kind, words in language.answers.items():
            for alone, group in ((False, words.words), (True, words.alone)):
                rule = Rule(kind="answer", target="", value=kind, alone=alone)
                patterns = [
                    p for phrase in group.phrases for p in self._compiler.compile(phrase.alternatives)
                ]
                self._add(self._answers, rule, patterns, vocabulary)
        self._matcher.file()  # now, while the pipeline is built off the critical path
        self._answers.file()
        vocabulary |= {t for phrases in language.commands.values() for p in phrases for t in self.words_of(p)}
        self.context = build_context(self.nlp, language, self._compiler, vocabulary, rarity)
        self.corrector = Corrector(
            vocabulary | _surface_words(dialog),
            [word_list(name) for name in language.word_lists],
            language.known_words | set(self._norms),
        )

    # ----- compiling ---------------------------------------------------------------------------
    def words_of(self, text: str) -> tuple[str, ...]:
        """A phrase word as the tokenizer splits and normalises it: "can't" -> ("can", "not")."""
        doc = self.nlp.make_doc(normalise(text))
        return tuple(self._norm(token.norm_, token.lower_) for token in doc if not token.is_space)

    def _norm(self, norm: str, lower: str) -> str:
        """spaCy's norm (contractions: "n't" -> "not"), then the language's chat forms ("u" ->
        "you") where spaCy left the word as typed."""
        return self._norms.get(lower, norm) if norm == lower or lower in ("'s", "s") else norm

    def _dialog_rules(self, dialog: Dialog) -> Iterator[tuple[Rule, list[TokenPattern]]]:
        compile_ = self._compiler.compile

        def findings(rule: Rule, patterns: Patterns) -> Iterator[tuple[Rule, list[TokenPattern]]]:
            yield rule, [p for phrase in patterns.phrases for p in compile_(phrase.alternatives)]
            exceptions = [p for phrase in patterns.exceptions for p in compile_(phrase.alternatives)]
            yield Rule(kind="except", target=rule.target, value=rule.value), exceptions
            for near in patterns.near:
                index = len(self._near)
                self._near.append((rule, near))
                for number, part in enumerate(near.parts):
                    part_rule = Rule(
                        kind="part", target=rule.target, value=rule.value, near=index, part=number
                    )
                    yield part_rule, compile_(part)

        for flag in dialog.red_flags.values():
            for answer, said in flag.confirm_words.items():
                yield from findings(Rule(kind="confirm", target=flag.id, value=answer), said)
            yield from findings(Rule(kind="sign", target=flag.id, value="yes"), flag.patterns)
            yield from findings(Rule(kind="hint", target=flag.id, value="yes"), flag.hints)
            yield from findings(Rule(kind="sign", target=flag.id, value="no"), flag.denials)
        for fact in dialog.facts.values():
            for value in fact.values:
                if value.patterns:
                    yield from findings(Rule(kind="fact", target=fact.id, value=value.value), value.patterns)
                if value.words:
                    yield from findings(Rule(kind="word", target=fact.id, value=value.value), value.words)
        for question in dialog.questions.values():
            if question.kind == "signs":
                for option in question.options:
                    if option.words:
                        yield from findings(
                            Rule(kind="option", target=question.id, value=option.fact), option.words
                        )

    def _add(self, matcher: Any, rule: Rule, patterns: list[TokenPattern], vocabulary: set[str]) -> None:
        for pattern in patterns:
            index = len(self.rules)
            self.rules.append(rule)
            self._gaps.append(
                frozenset(i for i, token in enumerate(pattern) if str(token.get("OP", "")).startswith("{"))
            )
            matcher.add(f"r{index}", pattern)
            vocabulary.update(words_in(pattern))

    # ----- reading ---------------------------------------------------------------------------
    def analyse(self, text: str) -> Analysis:
        """Tokens, clauses and matches of one (already bounded) message."""
        doc, typed = self._tokens(normalise(text))
        self._sentencizer(doc)
        norms = tuple(t.norm_ for t in doc)
        punct = tuple(t.is_punct or t.is_space for t in doc)
        sentence = _sentence_numbers(doc)
        answers = [self._match(r, s, e, None) for r, s, e in self._answers(doc)]
        proxy = any(m.rule.kind == "proxy" for m in answers)
        answers = [m for m in answers if m.rule.kind != "proxy"]
        aligned: list[tuple[int, int, int, list[int]]] = self._matcher(doc, with_alignments=True)  # type: ignore[assignment]
        matched = [self._match(r, s, e, a) for r, s, e, a in aligned]
        matched += self._joined([m for m in matched if m.rule.kind == "part"], norms, punct, sentence)
        found = _without_exceptions([m for m in matched if m.rule.kind != "part"])
        return Analysis(
            norms=norms,
            clauses=_clauses(norms, punct, self._breaks),
            punct=punct,
            findings=tuple(self._in_context(doc, found, proxy=proxy)),
            answers=tuple(answers),
            typed=typed,
        )

    def _tokens(self, text: str) -> tuple[Any, tuple[str, ...]]:
        """The message as tokens with their normal forms, and its words as typed. A word on no
        word list is mended towards the dialog's vocabulary first, and the text tokenized
        again, so a mended "cnat" splits like "can't" does."""
        doc = self.nlp.make_doc(text)
        typed = tuple(t.lower_ for t in doc if not t.is_punct and not t.is_space)
        fix = self.corrector.fix
        mended = [fix(t.lower_) if t.is_alpha else t.lower_ for t in doc]
        if any(new != t.lower_ for new, t in zip(mended, doc, strict=True)):
            doc = self.nlp.make_doc("".join(new + t.whitespace_ for new, t in zip(mended, doc, strict=True)))
        for token in doc:
            if not token.is_space:
                token.norm_ = self._norm(token.norm_, token.lower_)
        return doc, typed

    def _match(self, rule_id: int, start: int, end: int, aligned: list[int] | None) -> Match:
        index = int(self.nlp.vocab.strings[rule_id][1:])
        gaps = self._gaps[index]
        filled = (
            frozenset(start + i for i, p in enumerate(aligned) if p in gaps)
            if aligned and gaps
            else frozenset()
        )
        return Match(self.rules[index], start, end, whole=(start, end), filled=filled)

    def _joined(
        self, parts: list[Match], norms: tuple[str, ...], punct: tuple[bool, ...], sentence: list[int]
    ) -> list[Match]:
        """Near rules whose phrases were found together (see `join_near`)."""
        by_rule: dict[int, dict[int, set[Span]]] = {}
        for part in parts:
            by_rule.setdefault(part.rule.near, {}).setdefault(part.rule.part, set()).add(
                Span(part.start, part.end)
            )
        out = []
        for index, found in by_rule.items():
            rule, near = self._near[index]
            if len(found) < len(near.parts):
                continue
            spans = [sorted(found[i], key=lambda s: s.start) for i in range(len(near.parts))]
            for joined in join_near(
                near, spans, norms, punct, sentence, gaps=self.language.near_gaps, breaks=self._breaks
            ):
                out.append(
                    Match(
                        rule,
                        joined.head.start,
                        joined.head.end,
                        whole=(joined.whole.start, joined.whole.end),
                        filled=joined.between,
                        others=tuple((p.start, p.end) for p in joined.parts[:-1]),
                    )
                )
        return out

    def _in_context(self, doc: Any, found: list[Match], *, proxy: bool) -> Iterator[Match]:
        """Each finding with the context categories ConText finds around it, one bounded chunk
        of a sentence at a time. A near rule's finding also takes the context of its other
        phrases. Someone asking for a person in their care ("asking for my son") speaks for
        them throughout the message: "proxy" reaches every finding."""
        from spacy.tokens import Span as SpacySpan

        unique: dict[tuple[str, str, str, int, int], Match] = {}
        for match in found:  # several patterns of one rule on the same words count once
            unique.setdefault(
                (match.rule.kind, match.rule.target, match.rule.value, match.start, match.end), match
            )
        matches = list(unique.values())
        targets = [(i, m.start, m.end, True) for i, m in enumerate(matches)]
        targets += [(i, start, end, False) for i, m in enumerate(matches) for start, end in m.others]
        found_categories: list[set[str]] = [{"proxy"} if proxy else set() for _ in matches]
        for start, end in _chunks(doc):
            here = [t for t in targets if start <= t[1] and t[2] <= end]
            if not here:
                continue
            chunk = doc if (start, end) == (0, len(doc)) else doc[start:end].as_doc()  # a copy only when cut
            spans = [
                SpacySpan(chunk, s - start, e - start, label=matches[i].rule.label) for i, s, e, _ in here
            ]
            chunk.spans["findings"] = spans
            self.context(chunk)
            cues = chunk._.context_graph.modifiers
            for (index, _, _, own), span in zip(here, spans, strict=True):
                filled = frozenset(i - start for i in matches[index].filled)
                reaching = categories(span, filled, cues)
                found_categories[index] |= reaching if own else reaching & FRAMINGS
        for match, found_here in zip(matches, found_categories, strict=True):
            yield Match(
                match.rule,
                match.start,
                match.end,
                whole=match.whole,
                filled=match.filled,
                categories=frozenset(found_here),
                others=match.others,
            )


def _rarity(language: Language) -> Callable[[str], float]:
    """How common a word is in the language (wordfreq, when it knows the language), for
    `RoutedMatcher` to file a pattern under its rarest word."""
    try:
        from wordfreq import word_frequency
    except ImportError:  # pragma: no cover - a base dependency
        return lambda word: 0.0
    code = language.code

    def rarity(word: str) -> float:
        return float(word_frequency(word, code)) if code else 0.0

    return rarity


def _without_exceptions(matched: list[Match]) -> list[Match]:
    """Findings, less those overlapping an exception of their own target and value ("calf
    sleeves are red" is no red calf; "lower back pain" is not pain at the back of the knee, but
    it is pain from the back)."""
    exceptions: dict[tuple[str, str], list[tuple[int, int]]] = {}
    for m in matched:
        if m.rule.kind == "except":
            exceptions.setdefault((m.rule.target, m.rule.value), []).append(m.whole)
    return [
        m
        for m in matched
        if m.rule.kind != "except"
        and not any(
            s < m.whole[1] and m.whole[0] < e for s, e in exceptions.get((m.rule.target, m.rule.value), ())
        )
    ]


def _sentence_numbers(doc: Any) -> list[int]:
    out = []
    for number, sentence in enumerate(doc.sents):
        out.extend([number] * len(sentence))
    return out


def _chunks(doc: Any) -> Iterator[tuple[int, int]]:
    for sentence in doc.sents:
        for start in range(sentence.start, sentence.end, MAX_CHUNK):
            yield start, min(start + MAX_CHUNK, sentence.end)


def _clauses(norms: tuple[str, ...], punct: tuple[bool, ...], breaks: frozenset[str]) -> tuple[int, ...]:
    """The clause number of every token: a clause ends at punctuation or a break word ("no,
    but it hurts on stairs" is two clauses). Separators get -1."""
    out, clause = [], 0
    for norm, is_punct in zip(norms, punct, strict=True):
        if is_punct or norm in breaks:
            clause += 1
            out.append(-1)
            continue
        out.append(clause)
    return tuple(out)


_WORD = re.compile(r"[^\W\d_]+(?:'[^\W\d_]+)*")


def _surface_words(dialog: Dialog) -> set[str]:
    """Every word of every phrase as people type it ("can't" as "cant"), so a typo of it can be
    mended to it before tokenizing."""
    language = dialog.language
    texts: list[str] = [w for words in dialog.groups.values() for w in words]
    texts += [p.text for cue in language.context for p in cue.patterns]
    texts += [p.text for a in language.answers.values() for g in (a.words, a.alone) for p in g.phrases]
    texts += [p for phrases in language.commands.values() for p in phrases]
    for patterns in _all_patterns(dialog):
        texts += [p.text for p in patterns.phrases] + [n.text for n in patterns.near]
    return {w.replace("'", "") for text in texts for w in _WORD.findall(text.lower())}


def _all_patterns(dialog: Dialog) -> Iterator[Patterns]:
    for flag in dialog.red_flags.values():
        yield flag.patterns
    for fact in dialog.facts.values():
        for value in fact.values:
            yield value.patterns
            yield value.words
    for question in dialog.questions.values():
        for option in question.options:
            yield option.words


# ----- building off the critical path ----------------------------------------------------------
class Build:
    """One dialog's pipeline, built once per dialog file and process (engines of the same file
    share it): in a background thread when `warm` is called (an adapter does so once its first
    words are out, so they never wait for spaCy), else by the first message that needs it."""

    def __init__(self, dialog: Dialog) -> None:
        self.dialog = dialog
        self.future: Future[Pipeline] = Future()
        self._started = False
        self._lock = threading.Lock()

    def _claim(self) -> bool:
        with self._lock:
            started, self._started = self._started, True
            return not started

    def warm(self) -> None:
        if self._claim():
            threading.Thread(
                target=_build, args=(self.dialog, self.future), name="kneebot-reader", daemon=True
            ).start()

    def result(self) -> Pipeline:
        if self._claim():
            _build(self.dialog, self.future)
        return self.future.result()


_built: dict[tuple[str, float, int], Build] = {}
_built_lock = threading.Lock()


def load_pipeline(dialog: Dialog) -> Build:
    """The dialog's pipeline, shared by every reader of the same file as it is now."""
    key = _identity(dialog)
    with _built_lock:
        build = _built.get(key) if key else None
        if build is None:
            build = Build(dialog)
            if key:
                _built[key] = build
    return build


def _build(dialog: Dialog, future: Future[Pipeline]) -> None:
    try:
        pipeline = Pipeline(dialog)
        # The pipeline is some hundred thousand objects that live as long as the process: put
        # them out of the garbage collector's sweeps, which otherwise stall a turn now and then
        # (a long message's reading went from 60 ms to over 200 ms when one fell in it).
        gc.freeze()
        future.set_result(pipeline)
    except BaseException as exc:  # surfaced to the first reader, with its traceback
        future.set_exception(exc)


def _identity(dialog: Dialog) -> tuple[str, float, int] | None:
    """A dialog file and its language file, as they are now (an edited file is built anew)."""
    paths = [p for p in (dialog.source, dialog.language.source) if p is not None]
    if len(paths) < 2:
        return None
    try:
        stats = [p.stat() for p in paths]
    except OSError:
        return None
    return (
        "|".join(str(p.resolve()) for p in paths),
        max(s.st_mtime for s in stats),
        sum(s.st_size for s in stats),
    )

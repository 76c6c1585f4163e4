"""The dialog as typed, immutable data: what `dialogs/*.yaml` says, checked and resolved.

Nothing here reads files or knows YAML; `bot.dialog.loader` builds these objects. The engine,
the reader and the result builder only ever see this form.

A dialog is a set of *facts* (what kneebot may learn about the pain: each question asks one,
or several at once; warning signs are facts too; some facts are only ever read from what the
person writes), the *flow* that decides, after every answer, what to do next, and the
*outcomes*: a warning sign's advice, an honest "not one of these" result, or the causes weighed.
"""

from __future__ import annotations

import string
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from bot.messages import Urgency
from bot.reading.syntax import Phrase

ASSESS = "assess"
"""The state where the questions end and the answers are weighed against the causes."""
CHOOSE = "choose_next"
"""The state every answer leads to; its conditional transitions (the flow) pick what comes next."""
CONFIRM_PREFIX = "confirm_"
"""A warning sign's confirming question is the state `confirm_<sign>`."""
UNKNOWN = "unknown"
"""In a condition: the fact is not known yet."""

COMMANDS = ("help", "back", "restart", "stop", "forget", "hello")
YES_NO = ("yes", "no", "unsure")
ANSWER_KINDS = ("yes", "no", "unsure", "partly", "none")
"""The everyday answers a language file spells out; `partly` is "a bit", "sometimes"."""

SIGN_RAISED = ("mentioned", "confirmed", "unsure")
"""A warning sign's fact value when it applies: said in the person's words, confirmed by a yes
or a tap, or not ruled out ("not sure", which for a warning sign is reason enough)."""
SIGN_DOUBTED = "doubted"
"""Mentioned with doubt (a question, "I think", the past): its confirming question comes next."""
SIGN_VALUES = (*SIGN_RAISED, SIGN_DOUBTED, "no", "dismissed")
"""Every value a warning sign's fact can have: "no" when denied, "dismissed" when a doubtful
mention was then answered no."""

QuestionKind = Literal["yesno", "choice", "signs", "multi"]
Direction = Literal["forward", "backward", "both", "none"]

REQUIRED_MESSAGES = (
    "greeting", "help", "not_understood", "noted", "noted_first", "hello_again", "out_of_range",
    "yes_to_choice", "yes_to_multi", "empty", "non_english", "too_long", "concern", "stale_button",
    "button_after_end", "nothing_to_undo", "undone", "undone_red_flag", "restarted", "stopped",
    "forgotten", "finished", "dialog_changed", "resumed", "unavailable", "error", "start_again_label",
    "multi_done_label", "multi_hint", "label_yes", "label_no", "label_unsure", "example_yesno", "example_choice", "example_signs", "example_multi",
    "for_someone_else", "busy", "nothing_to_stop", "multi_prompt", "language_switched",
)  # fmt: skip
REQUIRED_LABELS = (
    "why", "what_to_do", "advice", "also_possible", "summary", "reasons", "would_confirm",
    "fits_well", "fits_partly", "one_cause", "two_causes", "more_causes", "possible_cause",
    "summary_intro", "summary_unsure", "summary_no", "summary_confirmed", "summary_mentioned",
    "summary_doubted", "summary_unchecked",
)  # fmt: skip
PLACEHOLDERS: dict[str, frozenset[str]] = {
    "forgotten": frozenset({"count"}),
    "out_of_range": frozenset({"count"}),
    "noted": frozenset({"facts"}),
    "non_english": frozenset({"others"}),
    "noted_first": frozenset({"facts"}),
    "not_understood": frozenset({"example"}),
    "example_choice": frozenset({"first"}),
    "one_cause": frozenset({"first"}),
    "two_causes": frozenset({"first", "second"}),
    "more_causes": frozenset({"first", "second"}),
    "possible_cause": frozenset({"first", "second"}),
    "summary_unsure": frozenset({"what"}),
    "summary_no": frozenset({"what"}),
    "summary_confirmed": frozenset({"what"}),
    "summary_mentioned": frozenset({"what"}),
    "summary_doubted": frozenset({"what"}),
    "summary_unchecked": frozenset({"what"}),
}
"""The `{name}` placeholders each message or label may use; any other text has none."""

Condition = Mapping[str, frozenset[str]]
"""Fact -> the values that count (`unknown` included when an unknown fact counts)."""


def holds(condition: Condition, facts: Mapping[str, str]) -> bool:
    """Whether every fact of the condition has one of its listed values (or is unknown, where
    `unknown` is listed)."""
    return all(facts.get(fact, UNKNOWN) in values for fact, values in condition.items())


# ----- phrases -----------------------------------------------------------------------------
@dataclass(frozen=True, kw_only=True, slots=True)
class Pattern:
    """A phrase as written (for messages and tests), where (for errors), and parsed: each of
    its alternatives a sequence of slots."""

    text: str
    line: int | None
    alternatives: tuple[Phrase, ...]


@dataclass(frozen=True, kw_only=True, slots=True)
class Near:
    """Phrases that count together when they meet in one clause, in any order; the last one
    carries the finding (context is read around it)."""

    text: str
    line: int | None
    parts: tuple[tuple[Phrase, ...], ...]
    gap: int | None = None
    """Up to this many words between the phrases in any order; None: the language's near gaps
    (wide in the written order, narrow in the other, as for "my calf is swollen" / "swollen calf")."""


@dataclass(frozen=True, kw_only=True, slots=True)
class Patterns:
    phrases: tuple[Pattern, ...] = ()
    near: tuple[Near, ...] = ()
    exceptions: tuple[Pattern, ...] = ()
    """Phrases that look like the finding but are not ("calf sleeve", "dead legs"): a match
    overlapping one of these does not count."""

    def __bool__(self) -> bool:
        return bool(self.phrases or self.near)


# ----- the language ------------------------------------------------------------------------
@dataclass(frozen=True, kw_only=True, slots=True)
class Cue:
    """Context cue words of one category (medspaCy ConText's rule shape): which way they
    reach, how far, and which other categories end their reach."""

    category: str
    direction: Direction
    scope: int | None
    stops_at: frozenset[str]
    applies_to: frozenset[str] | None
    patterns: tuple[Pattern, ...]
    line: int | None


@dataclass(frozen=True, kw_only=True, slots=True)
class AnswerWords:
    words: Patterns
    alone: Patterns


@dataclass(frozen=True, kw_only=True, slots=True)
class Language:
    """What the reader knows of one language, apart from the medicine."""

    code: str
    name: str
    spacy: str
    word_lists: tuple[str, ...]
    known_words: frozenset[str]
    norms: Mapping[str, str]
    polite: frozenset[str]
    sentence_ends: tuple[str, ...]
    list_words: frozenset[str]
    near_gaps: tuple[int, int]
    groups: Mapping[str, tuple[str, ...]]
    answers: Mapping[str, AnswerWords]
    commands: Mapping[str, tuple[str, ...]]
    context: tuple[Cue, ...]
    numbers: Mapping[str, int] = field(default_factory=dict)
    """Number words ("one", "first") for the options they name."""
    all_options: tuple[Pattern, ...] = ()
    """Words for every option of a multi-select question ("all of them")."""
    except_words: frozenset[str] = frozenset()
    """Words that leave options out after those ("all except 3", "everything but the lump")."""
    number_glue: frozenset[str] = frozenset()
    """Words that may stand between option numbers ("1 and 4", "only number 2")."""
    option_words: frozenset[str] = frozenset()
    """Words that make the number after them an option anywhere in a message ("option 3")."""
    number_denials: frozenset[str] = frozenset()
    """Words that rule out the option numbers after them ("not 1 or 2", "none of the 3")."""
    range_words: frozenset[str] = frozenset()
    """Words between two numbers that mean every option from one to the other ("1 to 3")."""
    units: frozenset[str] = frozenset()
    """Words after a number that make it a measure, not an option ("10 km", "3 weeks")."""
    switch_words: tuple[str, ...] = ()
    """A whole message that asks for this language, in any language ("español", "spanish")."""
    switch_hint: str = ""
    """How to ask for this language, said in it: told to anyone writing in another one."""
    leave_words: frozenset[str] = frozenset()
    """What people type to leave a terminal program ("quit", "salir"): the console keeps the
    check and exits, where a chat platform reads the same words as `stop`."""
    source: Path | None = None


# ----- facts and questions -------------------------------------------------------------------
@dataclass(frozen=True, kw_only=True, slots=True)
class Value:
    """One value of a fact: how to say it on a button, how people say it, the clinician's line."""

    value: str
    label: str = ""
    words: Patterns = field(default_factory=Patterns)
    """Recognised as an answer when this fact's question is asked ("both", "the first one")."""
    patterns: Patterns = field(default_factory=Patterns)
    """Recognised in any message: they give the fact before it is asked."""
    note: str = ""
    """The line this value adds to the summary for a clinician ("" adds none)."""


@dataclass(frozen=True, kw_only=True, slots=True)
class Fact:
    """Something kneebot may learn. A yes/no fact is stated by its `yes` patterns (denied by
    context: "no lump"); a choice fact by each value's patterns."""

    id: str
    kind: Literal["yesno", "choice"]
    values: tuple[Value, ...]
    short: str = ""
    """A short label for the fact as one option of a multi-select question."""

    def value(self, name: str) -> Value | None:
        return next((v for v in self.values if v.value == name), None)


@dataclass(frozen=True, kw_only=True, slots=True)
class Option:
    """One tappable option of a `signs` or `multi` question: the fact it stands for."""

    fact: str
    label: str
    words: Patterns = field(default_factory=Patterns)


@dataclass(frozen=True, kw_only=True, slots=True)
class Question:
    """A question state. `yesno` and `choice` ask one fact (the question's id); `signs` asks
    whether any of several warning signs applies (one tap escalates); `multi` asks which of
    several yes/no facts apply (picked: yes, not picked: no)."""

    id: str
    kind: QuestionKind
    text: str
    fact: str = ""
    """The fact a yesno/choice question asks (its own id)."""
    options: tuple[Option, ...] = ()
    none_label: str = ""
    unsure_label: str = ""
    intro: str | None = None
    sign: str | None = None
    """Set on a warning sign's confirming question: yes and not sure raise the sign."""
    may_mention: tuple[str, ...] = ()
    """Warning signs an answer to this question may name without raising them (tingling, to a
    question about tingling): named, they get their confirming question instead."""

    @property
    def facts(self) -> tuple[str, ...]:
        return tuple(o.fact for o in self.options) if self.options else (self.fact,)


# ----- warning signs, outcomes, causes -------------------------------------------------------
@dataclass(frozen=True, kw_only=True, slots=True)
class RedFlag:
    id: str
    urgency: Urgency
    title: str
    reasons: Mapping[str, str]
    """How the sign was established -> what is said back: confirmed, mentioned, unsure."""
    note: str
    """The summary line for a clinician, without how it was established (added per case)."""
    confirm: str
    """The one plain question that confirms a doubtful mention ("...right now?")."""
    advice: tuple[str, ...]
    patterns: Patterns
    denials: Patterns = field(default_factory=Patterns)
    """What says the sign is absent in ordinary words ("walking fine", "my foot's warm"): a
    screen need not ask about it again."""
    hints: Patterns = field(default_factory=Patterns)
    """What only suggests the sign ("it swelled up after I twisted it", with no word of how
    fast): never escalates by itself, always asks the confirming question."""
    past_counts: bool = False
    """The sign is an event told in the past ("it swelled up within an hour"): the past tense
    does not make it doubtful (long ago still does)."""
    confirm_words: Mapping[str, Patterns] = field(default_factory=dict)
    """Answers to the confirming question that say yes or no in its own terms, read only there
    and before the everyday answer words: "swollen n red" to the calf's check, "no I can't" to
    whether someone can walk."""


@dataclass(frozen=True, kw_only=True, slots=True)
class Outcome:
    """An honest result for pain none of the causes explains, reached by its condition."""

    id: str
    when: tuple[Condition, ...]
    """Alternatives: the outcome applies when any of them holds."""
    urgency: Urgency
    title: str
    reasons: tuple[str, ...]
    advice: tuple[str, ...]


@dataclass(frozen=True, kw_only=True, slots=True)
class Sign:
    when: Condition
    weight: int
    reason: str
    key: bool = False
    """A cause is only named when one of its key signs matches: risk factors alone (a cyclist
    with a high saddle) never name a cause whose telltale symptom was denied."""

    def matches(self, facts: Mapping[str, str]) -> bool:
        return holds(self.when, facts)


@dataclass(frozen=True, kw_only=True, slots=True)
class Line:
    """A line of advice, shown when its condition holds (always, without one)."""

    text: str
    when: Condition = field(default_factory=dict)


@dataclass(frozen=True, kw_only=True, slots=True)
class Cause:
    id: str
    name: str
    about: str
    urgency: Urgency
    threshold: int
    possible_threshold: int
    confirm: str
    signs: tuple[Sign, ...]
    treatment: tuple[Line, ...]


@dataclass(frozen=True, kw_only=True, slots=True)
class Unclear:
    urgency: Urgency
    title: str
    advice: tuple[str, ...]


# ----- the flow ------------------------------------------------------------------------------
@dataclass(frozen=True, kw_only=True, slots=True)
class Step:
    """One step of the flow (see the `flow` comment in the dialog file)."""

    kind: Literal["ask", "outcome", "result"]
    targets: tuple[str, ...]
    when: tuple[Condition, ...] = ()
    """Alternatives (any holds); empty: always."""
    only_if_useful: bool = False
    fits_none: bool = False
    line: int | None = None


# ----- the dialog ------------------------------------------------------------------------------
@dataclass(frozen=True, kw_only=True, slots=True)
class Dialog:
    id: str
    version: int
    language: Language
    groups: Mapping[str, tuple[str, ...]]
    messages: Mapping[str, str]
    labels: Mapping[str, Any]
    reminder: str
    red_flags: Mapping[str, RedFlag]
    facts: Mapping[str, Fact]
    questions: Mapping[str, Question]
    flow: tuple[Step, ...]
    outcomes: Mapping[str, Outcome]
    causes: Mapping[str, Cause]
    unclear: Unclear
    source: Path | None = None

    @property
    def states(self) -> tuple[str, ...]:
        return (CHOOSE, *self.questions, *self.red_flags, *self.outcomes, ASSESS)

    @property
    def start(self) -> str:
        return CHOOSE

    def is_terminal(self, state: str) -> bool:
        return state == ASSESS or state in self.red_flags or state in self.outcomes

    def confirm_question(self, sign: str) -> str:
        return f"{CONFIRM_PREFIX}{sign}"


def placeholders_in(text: str) -> set[str] | None:
    """The `{names}` a text uses, or None when its braces are broken."""
    try:
        return {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}
    except ValueError:
        return None


def sentence_problems(messages: Mapping[str, str], needed: Mapping[str, frozenset[str]]) -> list[str]:
    """What keeps `messages` from serving code that reads `needed` (message name -> the
    placeholders that code fills): missing messages first, then unusable ones. Checked when a
    bot starts, so a bad dialog fails there rather than with a KeyError in someone's turn."""
    problems = [f"no {name} message" for name in needed if name not in messages]
    for name, allowed in needed.items():
        if name not in messages:
            continue
        used = placeholders_in(messages[name])
        if used is None:
            problems.append(f"unmatched braces in {name}")
        elif used - allowed:
            fill = ", ".join(f"{{{field}}}" for field in sorted(allowed)) or "none"
            wrong = ", ".join(f"{{{field}}}" for field in sorted(used - allowed))
            problems.append(f"{name} uses {wrong} (placeholders it may use: {fill})")
    return problems

"""The dialog as typed, immutable data: what `dialogs/*.yaml` says, checked and resolved.

Nothing here reads files or knows YAML; `bot.dialog.loader` builds these objects. The engine,
the input reader and the result builder only ever see this form.
"""

from __future__ import annotations

import string
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bot.messages import Urgency

ASSESS = "assess"
"""The state where the questions end and the answers are weighed against the causes."""

COMMANDS = ("help", "back", "restart", "stop", "forget", "hello")
YES_NO = ("yes", "no", "unsure")
REQUIRED_MESSAGES = (
    "greeting", "help", "not_understood", "noted", "hello_again", "out_of_range", "yes_to_choice",
    "empty", "non_english", "too_long", "stale_button", "button_after_end", "nothing_to_undo",
    "undone", "undone_red_flag", "restarted", "stopped", "forgotten", "finished", "dialog_changed",
    "resumed", "unavailable", "error", "start_again_label", "busy", "nothing_to_stop",
)  # fmt: skip
REQUIRED_LABELS = (
    "why", "what_to_do", "advice", "also_possible", "summary", "reasons", "one_cause",
    "two_causes", "more_causes", "summary_intro",
)  # fmt: skip
PLACEHOLDERS: dict[str, frozenset[str]] = {
    "forgotten": frozenset({"count"}),
    "out_of_range": frozenset({"count"}),
    "noted": frozenset({"facts"}),
    "one_cause": frozenset({"first"}),
    "two_causes": frozenset({"first", "second"}),
    "more_causes": frozenset({"first", "second"}),
}
"""The `{name}` placeholders each message or label may use; any other text has none."""


@dataclass(frozen=True, kw_only=True, slots=True)
class Answer:
    value: str
    label: str
    words: tuple[str, ...] = ()
    """Recognised when this question is the one being asked."""
    alone: tuple[str, ...] = ()
    """Recognised only as the whole message ("i do"), since inside a sentence they mislead."""
    mentions: tuple[str, ...] = ()
    """Recognised anywhere, any time: they answer the question before it is asked."""
    next: str
    note: str | None = None
    """The line this answer adds to the summary for a clinician."""


@dataclass(frozen=True, kw_only=True, slots=True)
class Question:
    id: str
    kind: str  # "choice" or "yesno"
    text: str
    answers: tuple[Answer, ...]
    next: str | None = None
    intro: str | None = None
    ask_if: Mapping[str, frozenset[str]] = field(default_factory=dict)

    def answer(self, value: str) -> Answer | None:
        return next((a for a in self.answers if a.value == value), None)


@dataclass(frozen=True, kw_only=True, slots=True)
class RedFlag:
    id: str
    urgency: Urgency
    title: str
    reason: str
    """Why the flag was raised, said to the person ("You told me ...")."""
    unsure_reason: str
    """Why, when it was raised because the person was not sure it applied."""
    note: str
    """The line for the summary a clinician reads, in the third person."""
    advice: tuple[str, ...]
    mentions: tuple[str, ...] = ()
    combos: tuple[tuple[tuple[str, ...], ...], ...] = ()
    """Groups of words that raise the flag when one word of every group meets in a clause."""


@dataclass(frozen=True, kw_only=True, slots=True)
class Sign:
    when: Mapping[str, frozenset[str]]
    weight: int
    reason: str
    key: bool = False
    """A cause is only named when at least one of its key signs matches: risk factors alone
    (a cyclist with a high saddle) never name a cause whose telltale symptom was denied."""

    def matches(self, answers: Mapping[str, str]) -> bool:
        return all(answers.get(question) in values for question, values in self.when.items())


@dataclass(frozen=True, kw_only=True, slots=True)
class Cause:
    id: str
    name: str
    about: str
    urgency: Urgency
    threshold: int
    signs: tuple[Sign, ...]
    treatment: tuple[str, ...]


@dataclass(frozen=True, kw_only=True, slots=True)
class Unclear:
    urgency: Urgency
    title: str
    advice: tuple[str, ...]


@dataclass(frozen=True, kw_only=True, slots=True)
class Dialog:
    id: str
    version: int
    start: str
    vocabulary: Mapping[str, Answer]
    """yes / no / unsure: their button labels and the words that mean them."""
    commands: Mapping[str, tuple[str, ...]]
    messages: Mapping[str, str]
    labels: Mapping[str, Any]
    reminder: str
    red_flags: Mapping[str, RedFlag]
    questions: Mapping[str, Question]
    causes: Mapping[str, Cause]
    unclear: Unclear
    source: Path | None = None

    @property
    def states(self) -> tuple[str, ...]:
        return (*self.questions, *self.red_flags, ASSESS)

    def is_terminal(self, state: str) -> bool:
        return state == ASSESS or state in self.red_flags


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

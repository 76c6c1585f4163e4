"""Simulated patients: people with a known picture answering whatever kneebot asks.

Each patient (tests/corpus/patients_*.yaml) has a ground truth for every fact, an opening
message and, for each fact, how they would put it in their own words. A patient takes the
check in one of three styles:

- clicking: taps the button that matches their truth (a multi-select: every option that is
  true for them; "None of these" when none is, "Not sure" when they are unsure of them all);
- typing: types short answers ("yes", "no", "not sure", an option's number or label);
- talking: opens with their own first message and answers in their own words.

`run` returns what happened: the questions asked (their ids) and the result. The engine is
driven through `Dialogue.turn`, the same pure function every adapter reaches.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from bot.conversation import Conversation
from bot.dialog.model import Dialog, Question
from bot.messages import Incoming, Reply, Result
from bot.replies import NONE, UNSURE, options_of, picks_token
from bot.turn import Dialogue

CORPUS = Path(__file__).resolve().parents[1] / "tests" / "corpus"
STYLES = ("clicking", "typing", "talking")
MAX_TURNS = 30

OUT_OF_SCOPE = {
    "front_of_knee": ("not_behind_knee",),
    "outer_side": ("not_behind_knee",),
    "inner_side": ("not_behind_knee",),
    "from_hip": ("not_behind_knee",),
    "from_thigh": ("not_behind_knee",),
    "from_back_tingling": ("from_back_tingling", "not_behind_knee"),
    "child_no_injury": ("child_no_injury",),
    "night_pain_unwell": ("night_or_rest_pain",),
    "claudication": ("claudication",),
}
"""A corpus out-of-scope kind -> the dialog outcomes that honestly answer it."""


@dataclass(frozen=True, slots=True)
class Patient:
    id: str
    expect: str
    also_ok: tuple[str, ...]
    truth: Mapping[str, str]
    opening: str
    says: Mapping[str, str]

    @property
    def acceptable(self) -> tuple[str, ...]:
        """Result labels that answer this patient honestly ("cause:<id>", "outcome:<id>",
        "unclear")."""
        out: list[str] = []
        for expected in (self.expect, *self.also_ok):
            if expected == "unclear":
                out.append("unclear")
            elif expected.startswith("out_of_scope:"):
                out += [f"outcome:{o}" for o in OUT_OF_SCOPE[expected.split(":", 1)[1]]]
            else:
                out.append(f"cause:{expected}")
        return tuple(out)


def load_patients(pattern: str = "patients_*.yaml") -> list[Patient]:
    patients = []
    for path in sorted(CORPUS.glob(pattern)):
        for raw in yaml.safe_load(path.read_text(encoding="utf-8")):
            patients.append(
                Patient(
                    id=raw["id"],
                    expect=raw["expect"],
                    also_ok=tuple(raw.get("also_ok") or ()),
                    truth=_facts(raw["truth"]),
                    opening=raw["opening"],
                    says=raw.get("says") or {},
                )
            )
    return patients


def _facts(truth: Mapping[str, Any]) -> dict[str, str]:
    """The corpus's facts in the dialog's terms: onset -> injury; night pain with feeling unwell
    -> night_pain_unwell; a child with no injury and no sport -> child_no_sport."""
    facts = {str(k): str(v) for k, v in truth.items()}
    onset = facts.pop("onset", None)
    if onset is not None:
        facts["injury"] = "yes" if onset == "injury" else "no"
    night, unwell = facts.pop("night_pain", "no"), facts.pop("unwell", "no")
    facts["night_pain_unwell"] = "yes" if night == "yes" and unwell == "yes" else "no"
    child = (
        facts.get("age") == "child"
        and facts.get("injury") != "yes"
        and facts.get("activity") in ("other", None)
    )
    facts["child_no_sport"] = "yes" if child else "no"
    return facts


@dataclass(frozen=True, slots=True)
class Outcome:
    asked: tuple[str, ...]
    result: Result | None

    @property
    def label(self) -> str:
        if self.result is None:
            return "none"
        if self.result.kind == "cause":
            return f"cause:{self.result.cause}"
        if self.result.kind == "not_covered":
            return f"outcome:{self.result.outcome}"
        if self.result.kind == "red_flag":
            return f"red_flag:{self.result.red_flag}"
        return "unclear"

    @property
    def questions(self) -> int:
        return len(self.asked)


def run(dialogue: Dialogue, patient: Patient, style: str) -> Outcome:
    """One patient through one check, answering in `style`."""
    conversation: Conversation | None = None
    asked: list[str] = []
    first = patient.opening if style == "talking" else "hi"
    replies, conversation = _send(dialogue, conversation, Incoming(key="sim", user="sim", text=first))
    for _ in range(MAX_TURNS):
        result = next((r.result for r in replies if r.result is not None), None)
        if result is not None or conversation is None:
            return Outcome(tuple(asked), result)
        reply = next(r for r in reversed(replies) if r.kind == "question")
        question = dialogue.current(conversation)
        asked.append(question.id)
        incoming = _answer(dialogue.dialog, question, reply, patient, style)
        replies, conversation = _send(dialogue, conversation, incoming)
    return Outcome(tuple(asked), None)


def _send(
    dialogue: Dialogue, conversation: Conversation | None, incoming: Incoming
) -> tuple[list[Reply], Any]:
    turn = dialogue.turn(conversation, incoming, now=1000.0)
    return list(turn.replies), turn.conversation


def _truth(patient: Patient, dialog: Dialog, fact: str) -> str:
    if fact in dialog.red_flags:
        return "no"  # these patients have no warning signs
    return patient.truth.get(
        fact, "no" if dialog.facts.get(fact) and dialog.facts[fact].kind == "yesno" else "unsure"
    )


def _answer(dialog: Dialog, question: Question, reply: Reply, patient: Patient, style: str) -> Incoming:
    values = _values(dialog, question, patient)
    if style == "clicking":
        tokens = {c.value: c.token for c in reply.choices}
        token = tokens[values[0]] if len(values) == 1 else picks_token([tokens[v] for v in values])
        return Incoming(key="sim", user="sim", button=token)
    if style == "typing":
        numbers = [i for i, c in enumerate(reply.choices, 1) if c.value in values]
        if question.kind in ("multi", "signs") or question.kind == "choice":
            return Incoming(key="sim", user="sim", text=" and ".join(str(n) for n in numbers))
        return Incoming(
            key="sim", user="sim", text={"yes": "yes", "no": "no", "unsure": "not sure"}[values[0]]
        )
    return Incoming(key="sim", user="sim", text=_words(dialog, question, patient, values))


def _values(dialog: Dialog, question: Question, patient: Patient) -> list[str]:
    """The choice values this patient's truth picks on this question."""
    if question.kind in ("yesno", "choice"):
        truth = _truth(patient, dialog, question.fact)
        offered = [v for v, _ in options_of(dialog, question)]
        if question.sign:
            return ["no"]
        return [truth if truth in offered else UNSURE if UNSURE in offered else offered[-1]]
    truths = {o.fact: _truth(patient, dialog, o.fact) for o in question.options}
    picked = [fact for fact, value in truths.items() if value == "yes"]
    if question.kind == "signs":
        return [NONE]
    if picked:
        return picked
    return [UNSURE] if any(v == "unsure" for v in truths.values()) else [NONE]


def _words(dialog: Dialog, question: Question, patient: Patient, values: list[str]) -> str:
    """What a talking patient types: their own words for the fact asked."""
    if question.kind == "signs" or question.sign:
        return "no, none of those"
    if question.kind == "multi":
        if values[0] in (NONE, UNSURE):
            return "not sure" if values == [UNSURE] else "none of those really"
        labels = dict(options_of(dialog, question))
        said = []
        for fact in values:
            words = " and ".join(w for f in _SAYS.get(fact, (fact,)) if (w := patient.says.get(f, "")))
            # A bare "yes" says nothing about which one: a person names it, as the label does.
            said.append(words if len(words.split()) > 2 else labels[fact].lower())
        return ", and ".join(said)
    fact = question.fact
    said = " and ".join(w for f in _SAYS.get(fact, (fact,)) if (w := patient.says.get(f, "")))
    return said or {"yes": "yes", "no": "no"}.get(values[0], "not sure")


_SAYS = {"injury": ("onset",), "night_pain_unwell": ("night_pain", "unwell"), "child_no_sport": ("age",)}
"""The dialog's facts that the corpus's patients put in other words."""


def runs(dialogue: Dialogue, patients: list[Patient]) -> Iterator[tuple[Patient, str, Outcome]]:
    for patient in patients:
        for style in STYLES:
            yield patient, style, run(dialogue, patient, style)

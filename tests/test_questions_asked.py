"""Asking only what matters, measured on simulated patients (tests/corpus/patients_*.yaml,
written without sight of the dialog) taking the check by clicking, typing short answers, and
talking in their own words (see bench/patients.py).

What a person relies on: few questions (the safety screens included), never a question their
own words already answered, the cause that fits them named first, pain that is not one of the
four causes told so honestly, and no cause forced onto a picture that fits none."""

from __future__ import annotations

import statistics
from collections import Counter

import pytest

from bench.patients import STYLES, Outcome, Patient, load_patients, runs
from bot.dialog import Dialog
from bot.reading.reader import Reader
from bot.turn import Dialogue

PatientRun = tuple[Patient, str, Outcome]


@pytest.fixture(scope="module")
def played(dialog: Dialog) -> list[PatientRun]:
    return list(runs(Dialogue(dialog), load_patients()))


def _group(patient: Patient) -> str:
    if patient.expect.startswith("out_of_scope:"):
        return "out_of_scope"
    return "unclear" if patient.expect == "unclear" else "cause"


@pytest.mark.parametrize("style", STYLES)
def test_a_check_takes_six_questions_or_fewer_and_rarely_more_than_eight(
    played: list[PatientRun], style: str
) -> None:
    counts = sorted(out.questions for _, how, out in played if how == style)
    p90 = counts[int(len(counts) * 0.9) - 1]
    assert statistics.median(counts) <= 6 and p90 <= 8, (style, Counter(counts))


def test_no_question_asks_what_the_opening_message_said(played: list[PatientRun], dialog: Dialog) -> None:
    reader = Reader(dialog)
    repeated = []
    for patient, style, out in played:
        if style != "talking":
            continue
        said = reader.read(patient.opening).facts(dialog)
        asked = {q: dialog.questions[q] for q in out.asked}
        again = [q for q, question in asked.items() if question.fact and question.fact in said]
        if again:
            repeated.append(f"{patient.id}: asked {again} after {patient.opening!r}")
    assert not repeated, "\n".join(repeated)


def test_the_cause_that_fits_comes_first(played: list[PatientRun]) -> None:
    cases = [(p, how, out) for p, how, out in played if _group(p) == "cause"]
    wrong = [
        f"{p.id} [{how}]: {out.label}, expected {p.acceptable}"
        for p, how, out in cases
        if out.label not in p.acceptable
    ]
    assert len(wrong) <= 0.05 * len(cases), "\n".join(wrong)


def test_pain_outside_the_four_causes_gets_an_honest_answer(played: list[PatientRun]) -> None:
    cases = [(p, how, out) for p, how, out in played if _group(p) == "out_of_scope"]
    wrong = [
        f"{p.id} [{how}]: {out.label}, expected {p.acceptable}"
        for p, how, out in cases
        if out.label not in p.acceptable
    ]
    assert len(wrong) <= len(cases) / 16, "\n".join(wrong)
    forced = [w for w in wrong if ": cause:" in w]
    assert not forced, "one of the four causes was forced onto pain outside them:\n" + "\n".join(forced)


def test_a_picture_that_fits_no_cause_is_never_given_one(played: list[PatientRun]) -> None:
    cases = [(p, how, out) for p, how, out in played if _group(p) == "unclear"]
    assert cases
    wrong = [f"{p.id} [{how}]: {out.label}" for p, how, out in cases if out.label not in p.acceptable]
    assert not wrong, "\n".join(wrong)


def test_the_fast_step_goes_where_the_machine_itself_goes(played: list[PatientRun], dialog: Dialog) -> None:
    """`DialogMachine.next_state` calls the machine's guards directly; `step` fires its trigger.
    Over every state of the facts the simulated patients passed through, they agree."""
    from bot.machine import DialogMachine

    machine = DialogMachine(dialog)
    facts: dict[str, str] = {}
    checked = 0
    for patient, _, out in played[:60]:
        for value_facts in ({}, dict(patient.truth), {**patient.truth, "location": "behind"}):
            facts = {k: v for k, v in value_facts.items() if k in dialog.facts}
            for question in out.asked:
                assert machine.next_state(facts) == machine.step(facts), (patient.id, facts)
                checked += 1
                if question in dialog.facts:
                    facts[question] = patient.truth.get(question, "unsure")
    assert checked > 100

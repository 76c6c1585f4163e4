"""Whole conversations that end in each cause, phrased the ways people actually write."""

from __future__ import annotations

import pytest

from tests.conftest import Person

SAFE = {"screen_emergency": "none of these", "screen_urgent": "none", "onset": "not sure"}


@pytest.mark.parametrize(
    ("opening", "answers"),
    [
        ("hi", {"activity": "running", "start_stiffness": "yes", "long_runs": "yep"}),
        (
            "I'm training for a marathon and the back of my knee hurts",
            {"start_stiffness": "yeah, it's stiff when I set off and then it eases off"},
        ),
        ("hello", {"activity": "1", "start_stiffness": "👍", "long_runs": "n"}),
    ],
)
def test_start_of_run_stiffness_points_to_hamstring_tendonitis(
    person: Person, opening: str, answers: dict[str, str]
) -> None:
    person.say(opening)
    result = person.answer_until_done({**SAFE, **answers})
    assert result.kind == "cause"
    assert result.cause == "hamstring_tendonitis"
    assert result.urgency == "soon"
    assert any("gait analysis" in step for step in result.treatment)


@pytest.mark.parametrize(
    ("opening", "answers"),
    [
        ("hi", {"activity": "running", "lump": "yes", "bend_straighten": "yes"}),
        ("there's a squishy lump behind my knee, like a water balloon", {"activity": "other"}),
        (
            "hey",
            {"activity": "something else", "lump": "yes, a squishy bulge", "bend_straighten": "y"},
        ),
    ],
)
def test_a_lump_behind_the_knee_points_to_a_bakers_cyst(
    person: Person, opening: str, answers: dict[str, str]
) -> None:
    person.say(opening)
    result = person.answer_until_done({**SAFE, **answers})
    assert result.cause == "bakers_cyst"
    assert any("drain" in step for step in result.treatment)


@pytest.mark.parametrize(
    ("opening", "answers"),
    [
        ("I twisted my knee playing football", {"activity": "other"}),
        ("hi", {"activity": "running", "onset": "a fall or a twist"}),
        ("hi", {"activity": "cycling", "onset": "gradually", "giving_way": "yes it gives way sometimes"}),
    ],
)
def test_a_twist_or_giving_way_points_to_a_torn_meniscus(
    person: Person, opening: str, answers: dict[str, str]
) -> None:
    person.say(opening)
    result = person.answer_until_done({**SAFE, **answers})
    assert result.cause == "torn_meniscus"
    assert any("MRI" in step for step in result.treatment)


@pytest.mark.parametrize(
    ("opening", "answers"),
    [
        ("hi", {"activity": "cycling", "toes_up": "yes", "bike_fit": "probably, yes"}),
        ("I'm a cyclist and it's worse on climbs", {"toes_up": "yes"}),
        ("hi", {"activity": "both", "toes_up": "yes"}),
    ],
)
def test_calf_stretch_pain_points_to_gastrocnemius_tendonitis(
    person: Person, opening: str, answers: dict[str, str]
) -> None:
    person.say(opening)
    result = person.answer_until_done({**SAFE, **answers})
    assert result.cause == "gastrocnemius_tendonitis"
    assert any("bike fit" in step for step in result.treatment)


def test_two_fitting_causes_are_both_named_best_first(person: Person) -> None:
    person.say("hi")
    result = person.answer_until_done(
        {**SAFE, "activity": "running", "lump": "yes", "bend_straighten": "yes", "onset": "a twist"}
    )
    assert result.causes == ("bakers_cyst", "torn_meniscus")
    assert "a Baker's cyst" in result.title and "a torn meniscus" in result.title
    assert result.findings[0].reasons and result.findings[1].reasons


def test_answers_that_fit_no_cause_say_so_and_send_to_a_clinician(person: Person) -> None:
    person.say("hi")
    result = person.answer_until_done({**SAFE, "activity": "running", "onset": "not sure"})
    assert result.kind == "unclear"
    assert result.cause is None
    assert result.urgency == "soon"
    assert any("doctor" in line for line in result.advice)


def test_every_result_says_why_and_reminds_to_see_a_doctor_without_claiming_certainty(
    person: Person,
) -> None:
    person.say("hi")
    result = person.answer_until_done({**SAFE, "activity": "running", "start_stiffness": "yes"})
    text = person.texts()
    assert result.reminder and result.reminder in text
    assert "not a diagnosis" in result.reminder
    assert "It is stiff or sore when you set off" in text
    assert result.summary[0] == "Pain behind the knee."
    assert "Runs regularly." in result.summary
    for overclaim in ("you have ", "definitely", "certainly", "for sure"):
        assert overclaim not in text.lower()


def test_facts_in_the_opening_message_skip_their_questions(person: Person) -> None:
    person.say("I'm a cyclist and twisted it last week")
    person.say("none")
    person.say("none")
    asked = person.question.question
    assert asked not in ("activity", "onset")
    result = person.answer_until_done({})
    assert result.cause == "torn_meniscus"
    assert "Cycles regularly." in result.summary
    assert "Started with a fall or a twist." in result.summary


@pytest.mark.parametrize(
    ("answers", "cause"),
    [
        ({"activity": "cycling", "bike_fit": "yes", "hills": "yes"}, "gastrocnemius_tendonitis"),
        ({"activity": "running", "bend_straighten": "yes", "swelling": "yes"}, "bakers_cyst"),
        ({"activity": "running", "long_runs": "yes"}, "hamstring_tendonitis"),
    ],
)
def test_risk_factors_alone_never_name_a_cause_whose_telltale_sign_was_denied(
    person: Person, answers: dict[str, str], cause: str
) -> None:
    person.say("hi")
    result = person.answer_until_done({**SAFE, **answers})
    assert cause not in result.causes
    assert result.kind == "unclear"

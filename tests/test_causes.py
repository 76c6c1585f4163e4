"""Whole conversations that end in a cause, in an honest "unclear", or in one of the honest
"not one of these" outcomes, phrased the ways people actually answer (buttons and words).

Every wording check looks the text up in the loaded dialog, so rewording the dialog file does
not break these tests; what they pin down is which result a set of answers reaches, how well
a cause is said to fit, what advice comes with it, and that no result overclaims.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

import pytest

from bot.dialog import Dialog
from bot.dialog.model import Cause
from bot.messages import Result
from tests.conftest import Answer, Person

BEHIND: dict[str, Answer] = {"location": "behind"}
"""Every check that is to weigh the causes says the pain is behind the knee."""

KEY_SIGNS = {
    "hamstring_tendonitis": ("start_stiffness",),
    "bakers_cyst": ("lump",),
    "torn_meniscus": ("injury", "giving_way"),
    "gastrocnemius_tendonitis": ("toes_up",),
}
"""The telltale answer of each cause: the one that alone names it."""

CLINICIAN = re.compile(r"\b(doctor|physiotherapist|physio|clinician|GP)\b", re.IGNORECASE)
OVERCLAIMS = re.compile(
    r"\b(definitely|certainly|for sure|without (a )?doubt|100 ?%|you('ve| have) got|i('m| am) sure)\b"
    r"|(?<!if )(?<!whether )\byou have (a|an)\b",
    re.IGNORECASE,
)
"""Words that claim more than a chat can know ("if you have a fever" is advice, not a claim)."""


def result_text(person: Person) -> str:
    (reply,) = [r for r in person.last if r.result is not None]
    return reply.text


def key_reason(cause: Cause, fact: str) -> str:
    (sign,) = [s for s in cause.signs if s.key and fact in s.when]
    return sign.reason


def check(person: Person, answers: Mapping[str, Answer], opening: str = "hi") -> Result:
    person.say(opening)
    return person.answer_until_done({**BEHIND, **answers})


def asked(person: Person) -> list[str]:
    """Every question asked so far in this conversation, in order."""
    return [r.question for r in person.offered if r.question]


# ----- each cause from its telltale answer ---------------------------------------------------
@pytest.mark.parametrize(
    ("cause", "fact"), [(cause, fact) for cause, facts in KEY_SIGNS.items() for fact in facts]
)
def test_each_cause_is_named_from_its_telltale_answer_tapped(
    person: Person, dialog: Dialog, cause: str, fact: str
) -> None:
    result = check(person, {fact: "yes"})
    named = dialog.causes[cause]
    assert result.kind == "cause"
    assert result.causes == (cause,)
    (finding,) = result.findings
    assert (finding.fit, finding.fit_label) == ("well", dialog.labels["fits_well"])
    assert key_reason(named, fact) in finding.reasons
    assert finding.confirm == ""  # nothing left to confirm: the telltale sign was a yes
    assert result.title == dialog.labels["one_cause"].format(first=named.name)
    assert result.urgency == named.urgency
    text = result_text(person)
    assert result.title in text and key_reason(named, fact) in text


@pytest.mark.parametrize(
    ("cause", "opening", "answers"),
    [
        (
            "hamstring_tendonitis",
            "I'm training for a marathon and the back of my knee is stiff when I set off, then it eases after a mile",
            {},
        ),
        (
            "hamstring_tendonitis",
            "hi",
            {"key_signs": "it's stiff when I start running and loosens up after a few minutes"},
        ),
        ("bakers_cyst", "there's a squishy lump behind my knee, like a water balloon", {}),
        (
            "bakers_cyst",
            "hi",
            {"key_signs": "a soft lump, like a water balloon", "confirm_pulsing_lump": "nope"},
        ),
        ("torn_meniscus", "I twisted my knee playing football and now the back of it hurts", {}),
        ("torn_meniscus", "hi", {"key_signs": "3"}),
        ("gastrocnemius_tendonitis", "hi", {"key_signs": "it hurts behind my knee when I stretch my calf"}),
        (
            "gastrocnemius_tendonitis",
            "I'm a cyclist and the back of my knee hurts when I do a calf stretch",
            {},
        ),
    ],
)
def test_each_cause_is_named_from_its_telltale_answer_in_words(
    person: Person, dialog: Dialog, cause: str, opening: str, answers: dict[str, Answer]
) -> None:
    result = check(person, answers, opening)
    assert result.kind == "cause"
    assert result.cause == cause
    assert result.findings[0].fit == "well"
    facts = person.stored.answers if person.stored else {}
    assert any(facts.get(fact) == "yes" for fact in KEY_SIGNS[cause])


def test_facts_in_the_opening_are_not_asked_again_and_reach_the_summary(
    person: Person, dialog: Dialog
) -> None:
    result = check(person, {}, "I'm a cyclist and twisted it last week")
    assert "activity" not in asked(person)
    key_signs = next(r for r in person.offered if r.question == "key_signs")
    assert "injury" not in {c.value for c in key_signs.choices}  # already told: not offered
    assert result.cause == "torn_meniscus"
    for fact, value in (("activity", "cycling"), ("injury", "yes")):
        note = dialog.facts[fact].value(value)
        assert note is not None and note.note in result.summary


# ----- treatment: what usually helps, for the person asking ----------------------------------
ACTIVITIES = {
    "running": "I'm a runner",
    "cycling": "I'm a cyclist",
    "both": "I run and cycle",
    "other": "I play football",
}


@pytest.mark.parametrize("activity", list(ACTIVITIES))
@pytest.mark.parametrize("cause", list(KEY_SIGNS))
def test_treatment_lines_follow_what_the_person_does(
    person: Person, dialog: Dialog, cause: str, activity: str
) -> None:
    result = check(person, {KEY_SIGNS[cause][0]: "yes"}, ACTIVITIES[activity])
    assert person.stored is not None and person.stored.answers.get("activity") == activity
    (finding,) = [f for f in result.findings if f.cause == cause]
    lines = dialog.causes[cause].treatment
    for line in lines:
        condition = line.when.get("activity")
        shown = condition is None or activity in condition
        assert (line.text in finding.treatment) is shown, (line.text, line.when)
    assert set(finding.treatment) <= {line.text for line in lines}  # nothing else slips in


@pytest.mark.parametrize("cause", list(KEY_SIGNS))
def test_advice_for_someone_who_never_said_what_they_do_fits_any_sport(
    person: Person, dialog: Dialog, cause: str
) -> None:
    """The activity question is skipped when it cannot change the result; the advice then
    names no one sport ("watch how you move", not "watching you run")."""
    result = check(person, {KEY_SIGNS[cause][0]: "yes"})
    assert person.stored is not None and "activity" not in person.stored.answers
    (finding,) = [f for f in result.findings if f.cause == cause]
    for line in dialog.causes[cause].treatment:
        condition = line.when.get("activity")
        assert (line.text in finding.treatment) is (condition is None or "unknown" in condition), line.text
    one_sport = re.compile(r"\b(run|runs|running|ride|rides|riding)\b", re.IGNORECASE)
    assert not [text for text in finding.treatment if one_sport.search(text)]


def _bike_fit_line(dialog: Dialog) -> str:
    """Gastrocnemius tendonitis's advice only for people who cycle (a professional bike fit)."""
    (line,) = [
        line.text
        for line in dialog.causes["gastrocnemius_tendonitis"].treatment
        if "cycling" in line.when.get("activity", ()) and "running" not in line.when.get("activity", ())
    ]
    return line


def test_a_cyclist_gets_the_saddle_advice(person: Person, dialog: Dialog) -> None:
    result = check(person, {"toes_up": "yes"}, "I'm a cyclist")
    assert result.cause == "gastrocnemius_tendonitis"
    assert _bike_fit_line(dialog) in result.findings[0].treatment
    assert _bike_fit_line(dialog) in result_text(person)


def test_a_runner_gets_no_saddle_advice(person: Person, dialog: Dialog) -> None:
    result = check(person, {"toes_up": "yes"}, "I'm a runner")
    assert result.cause == "gastrocnemius_tendonitis"
    assert _bike_fit_line(dialog) not in result_text(person)
    running_only = [
        line.text
        for line in dialog.causes["gastrocnemius_tendonitis"].treatment
        if "running" in line.when.get("activity", ()) and "cycling" not in line.when.get("activity", ())
    ]
    assert running_only and all(text in result.findings[0].treatment for text in running_only)


# ----- how well a cause fits -------------------------------------------------------------------
def test_a_telltale_sign_answered_not_sure_only_partly_fits_and_says_what_would_confirm_it(
    person: Person, dialog: Dialog
) -> None:
    result = check(person, {"key_signs": "unsure", "activity": "cycling", "bike_fit": "yes"})
    cause = dialog.causes["gastrocnemius_tendonitis"]
    assert result.kind == "cause"
    assert result.causes == (cause.id,)
    (finding,) = result.findings
    assert (finding.fit, finding.fit_label) == ("partly", dialog.labels["fits_partly"])
    assert finding.confirm == cause.confirm
    assert key_reason(cause, "toes_up") not in finding.reasons  # they weren't sure: not a reason
    assert finding.reasons  # the answers that do support it
    assert result.title == dialog.labels["possible_cause"].format(first=cause.name, second=cause.name)
    text = result_text(person)
    assert dialog.labels["would_confirm"] in text and cause.confirm in text
    assert dialog.labels["fits_well"] not in text


@pytest.mark.parametrize(
    "doubt",
    [
        "maybe there's a lump behind my knee",
        "there might be a lump behind my knee",
        "I'm not sure if there's a lump behind my knee",
    ],
)
def test_a_telltale_sign_doubted_in_words_only_partly_fits(
    person: Person, dialog: Dialog, doubt: str
) -> None:
    result = check(
        person,
        {"key_signs": "none"},
        f"{doubt}, the knee has been swollen and it hurts when I bend and straighten it",
    )
    assert "confirm_pulsing_lump" not in asked(person)  # no lump was said to be there
    assert [(f.cause, f.fit) for f in result.findings] == [("bakers_cyst", "partly")]
    assert result.findings[0].confirm == dialog.causes["bakers_cyst"].confirm


def test_a_doubted_telltale_sign_with_too_little_support_names_nothing(person: Person) -> None:
    result = check(
        person,
        {
            "key_signs": "unsure",
            "activity": "cycling",
            "bike_fit": "no",
            "hills": "no",
            "other_signs": "none",
        },
    )
    assert result.kind == "unclear"
    assert result.findings == ()


def test_a_cause_that_fits_well_comes_before_one_that_only_partly_fits(
    person: Person, dialog: Dialog
) -> None:
    # A lump they aren't sure of, with a swollen knee that hurts both ways (a possible Baker's
    # cyst, as strong on weight as the calf strain) and a clear calf-stretch pain.
    result = check(
        person,
        {"toes_up": "yes"},
        "I play football, there might be a lump behind my knee, the knee has been swollen "
        "and it hurts when I bend and straighten it",
    )
    assert [(f.cause, f.fit) for f in result.findings] == [
        ("gastrocnemius_tendonitis", "well"),
        ("bakers_cyst", "partly"),
    ]
    first, second = (dialog.causes[f.cause].name for f in result.findings)
    assert result.title == dialog.labels["two_causes"].format(first=first, second=second)
    assert result.findings[1].confirm == dialog.causes["bakers_cyst"].confirm
    assert result.findings[0].confirm == ""


# ----- several causes ----------------------------------------------------------------------------
def test_two_fitting_causes_are_both_named_in_order(person: Person, dialog: Dialog) -> None:
    result = check(person, {"lump": "yes", "injury": "yes"})
    assert result.causes == ("bakers_cyst", "torn_meniscus")
    first, second = (dialog.causes[c].name for c in result.causes)
    assert result.title == dialog.labels["two_causes"].format(first=first, second=second)
    assert all(f.reasons and f.treatment and f.fit == "well" for f in result.findings)
    text = result_text(person)
    assert text.index(dialog.causes["bakers_cyst"].about) < text.index(dialog.causes["torn_meniscus"].about)


def test_the_cause_with_more_matching_answers_comes_first(person: Person) -> None:
    # A cyclist who twisted it and whose calf stretch hurts: the calf strain has the cyclist's
    # weight on its side, the tear comes second although it comes first in the dialog file.
    result = check(
        person,
        {"injury": "yes", "toes_up": "yes", "bend_straighten": "no", "swelling": "no"},
        "I'm a cyclist",
    )
    assert result.causes == ("gastrocnemius_tendonitis", "torn_meniscus")


def test_three_fitting_causes_name_the_best_and_list_the_rest(person: Person, dialog: Dialog) -> None:
    result = check(person, {"start_stiffness": "yes", "lump": "yes", "injury": "yes", "activity": "running"})
    assert len(result.causes) == 3
    assert set(result.causes) == {"hamstring_tendonitis", "bakers_cyst", "torn_meniscus"}
    best = dialog.causes[result.causes[0]].name
    assert result.title == dialog.labels["more_causes"].format(
        first=best, second=dialog.causes[result.causes[-1]].name
    )


def test_a_question_that_cannot_change_the_result_is_not_asked(person: Person) -> None:
    result = check(person, {"start_stiffness": "yes"})
    assert result.cause == "hamstring_tendonitis"
    assert set(asked(person)).isdisjoint({"activity", "long_runs", "bike_fit", "hills", "other_signs"})


def test_a_question_that_could_reorder_two_causes_is_asked(person: Person) -> None:
    person.say("I'm a cyclist")
    person.answer_until_asked("bend_straighten", {**BEHIND, "injury": "yes", "toes_up": "yes"})


# ----- the key-sign rule: risk factors alone never name a cause --------------------------------
@pytest.mark.parametrize(
    ("opening", "cause"),
    [
        ("I'm a cyclist, my saddle is too high and it's worse on climbs", "gastrocnemius_tendonitis"),
        ("I'm training for a marathon", "hamstring_tendonitis"),
        ("my knee has been swollen and it hurts when I bend and straighten it", "bakers_cyst"),
    ],
)
def test_risk_factors_alone_never_name_a_cause_whose_telltale_sign_was_denied(
    person: Person, opening: str, cause: str
) -> None:
    result = check(person, {"key_signs": "none", "other_signs": "none"}, opening)
    assert cause not in result.causes
    assert result.kind == "unclear"


# ----- nothing fits: say so -------------------------------------------------------------------------
@pytest.mark.parametrize("other_signs", ["none", "unsure"])
def test_when_nothing_fits_the_bot_says_so_and_sends_to_a_clinician(
    person: Person, dialog: Dialog, other_signs: str
) -> None:
    result = check(person, {"key_signs": "none", "other_signs": other_signs})
    assert "other_signs" in asked(person)  # the signs of something else were asked for first
    unclear = dialog.unclear
    assert result.kind == "unclear"
    assert (result.findings, result.cause) == ((), None)
    assert (result.title, result.advice, result.urgency) == (unclear.title, unclear.advice, unclear.urgency)
    assert any(CLINICIAN.search(line) for line in result.advice)
    text = result_text(person)
    assert unclear.title in text and all(line in text for line in unclear.advice)
    for cause in dialog.causes.values():  # no guess slips in
        assert cause.name.lower() not in text.lower()


def test_the_signs_of_something_else_are_only_asked_when_no_cause_fits(person: Person) -> None:
    check(person, {"lump": "yes"})
    assert "other_signs" not in asked(person)


# ----- pain none of the four causes explains --------------------------------------------------
@pytest.mark.parametrize("location", ["front", "outer", "inner", "from_hip", "from_back", "from_thigh"])
def test_pain_elsewhere_is_not_one_of_the_four_causes(person: Person, dialog: Dialog, location: str) -> None:
    result = check(person, {"location": location})
    _assert_outcome(person, dialog, result, "not_behind_knee")
    note = dialog.facts["location"].value(location)
    assert note is not None and note.note in result.summary


OUTCOMES = [
    # (outcome, opening, answers): each reached by its own answers
    ("not_behind_knee", "hi", {"location": "it spreads from my hip"}),
    ("not_behind_knee", "the pain comes from my lower back down to my knee", {}),
    ("child_no_injury", "hi", {"key_signs": "none", "child_no_sport": "yes"}),
    ("child_no_injury", "my 12 year old daughter has knee pain", {"activity": "other"}),
    ("night_or_rest_pain", "hi", {"key_signs": "none", "night_pain_unwell": "yes"}),
    ("night_or_rest_pain", "it hurts at night and I've lost weight without trying", {}),
    ("from_back_tingling", "hi", {"key_signs": "none", "back_tingling": "yes"}),
    (
        "from_back_tingling",
        "hi",
        {"key_signs": "none", "other_signs": "my back hurts and I get tingling down my leg"},
    ),
    ("claudication", "hi", {"key_signs": "none", "walking_calf_pain": "yes"}),
    ("claudication", "my calf hurts when I walk and eases when I stand still", {}),
]


@pytest.mark.parametrize(("outcome", "opening", "answers"), OUTCOMES)
def test_each_out_of_scope_outcome_is_reached_by_its_answers(
    person: Person, dialog: Dialog, outcome: str, opening: str, answers: dict[str, Answer]
) -> None:
    result = check(person, answers, opening)
    _assert_outcome(person, dialog, result, outcome)


def test_tingling_told_with_back_pain_checks_the_foot_before_the_nerve_outcome(
    person: Person, dialog: Dialog
) -> None:
    person.say("hi")
    person.answer_until_asked("other_signs", {**BEHIND, "key_signs": "none"})
    person.say("my back hurts and I get tingling down my leg")
    assert not any(r.result for r in person.last)  # no alarm for what the question asked about
    assert person.question.question == dialog.confirm_question("blood_supply")
    person.say("no")
    assert (person.result.kind, person.result.outcome) == ("not_covered", "from_back_tingling")


def test_a_child_hurt_in_sport_is_not_sent_to_the_child_outcome(person: Person) -> None:
    result = check(person, {"key_signs": "none"}, "my 12 year old son twisted his knee at football")
    assert result.outcome != "child_no_injury"
    assert result.cause == "torn_meniscus"


def _assert_outcome(person: Person, dialog: Dialog, result: Result, outcome: str) -> None:
    expected = dialog.outcomes[outcome]
    assert (result.kind, result.outcome) == ("not_covered", outcome)
    assert (result.findings, result.cause) == ((), None)
    assert result.urgency == expected.urgency
    assert (result.title, result.reasons, result.advice) == (
        expected.title,
        expected.reasons,
        expected.advice,
    )
    assert any(CLINICIAN.search(line) for line in result.advice)
    text = result_text(person)
    assert all(part in text for part in (expected.title, *expected.reasons, *expected.advice))


# ----- every result: honest, and a reminder to see a doctor -----------------------------------
EVERY_KIND = {
    "one cause": ("hi", {"start_stiffness": "yes"}),
    "two causes": ("hi", {"lump": "yes", "injury": "yes"}),
    "three causes": ("hi", {"start_stiffness": "yes", "lump": "yes", "toes_up": "yes", "activity": "both"}),
    "partly": ("hi", {"key_signs": "unsure", "activity": "cycling", "bike_fit": "yes"}),
    "unclear": ("hi", {"key_signs": "none", "other_signs": "none"}),
    **{f"outcome {o} {i}": (opening, answers) for i, (o, opening, answers) in enumerate(OUTCOMES)},
    "red flag": ("my calf is swollen and red", {}),
    "red flag confirmed": ("hi", {"screen_emergency": "blood_supply"}),
    "red flag unsure": ("hi", {"screen_emergency": "unsure", "confirm_clot_lungs": "not sure"}),
}


@pytest.mark.parametrize("kind", list(EVERY_KIND))
def test_no_result_claims_certainty_and_every_one_says_to_see_a_doctor(
    person: Person, dialog: Dialog, kind: str
) -> None:
    opening, answers = EVERY_KIND[kind]
    result = check(person, answers, opening)
    text = result_text(person)
    assert not OVERCLAIMS.search(text), OVERCLAIMS.search(text)
    for cause in dialog.causes.values():
        for claim in (
            f"you have {cause.name}",
            f"it is {cause.name}",
            f"it's {cause.name}",
            f"this is {cause.name}",
        ):
            assert claim.lower() not in text.lower()
    assert result.reminder == dialog.reminder and CLINICIAN.search(result.reminder)
    assert text.rstrip().endswith(dialog.reminder)
    assert text.startswith(dialog.labels["urgency"][result.urgency])

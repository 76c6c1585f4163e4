"""Safety before diagnosis: every red flag escalates, at the start and mid-dialog."""

from __future__ import annotations

import pytest

from tests.conftest import Person

FLAGS = {
    "clot_lungs": (
        "emergency",
        "my knee hurts and I'm short of breath",
        "Short of breath, chest pain or coughing blood",
    ),
    "blood_supply": ("emergency", "my foot is numb and cold", "Foot cold, pale, numb or tingling"),
    "cannot_bear_weight": (
        "emergency",
        "I fell and can't put weight on it",
        "Hurt it and can't take 4 steps, or knee looks deformed",
    ),
    "calf_clot": (
        "urgent",
        "my calf is swollen and red since my flight",
        "One calf swollen, red, warm or throbbing",
    ),
    "infection": (
        "urgent",
        "the knee is hot and I have a fever",
        "Knee hot, red and swollen, with fever or chills",
    ),
    "locked_knee": ("urgent", "my knee is locked and won't straighten", "Knee locked and won't straighten"),
}
SCREEN = {"emergency": "screen_emergency", "urgent": "screen_urgent"}


@pytest.mark.parametrize("flag", FLAGS)
def test_a_red_flag_in_the_first_message_escalates_at_once(person: Person, flag: str) -> None:
    urgency, opening, _ = FLAGS[flag]
    person.say(opening)
    assert person.result.kind == "red_flag"
    assert person.result.red_flag == flag
    assert person.result.urgency == urgency
    assert person.result.cause is None
    text = person.texts()
    assert text.index(person.result.urgency_text) < text.index(person.result.title)
    assert person.result.reminder in text


@pytest.mark.parametrize("flag", FLAGS)
def test_a_red_flag_chosen_on_the_safety_screen_escalates(person: Person, flag: str) -> None:
    urgency, _, label = FLAGS[flag]
    person.say("hi")
    if urgency == "urgent":
        person.click("None of these")
    assert person.question.question == SCREEN[urgency]
    person.click(label)
    assert (person.result.red_flag, person.result.urgency) == (flag, urgency)


@pytest.mark.parametrize("flag", FLAGS)
def test_a_red_flag_mentioned_mid_dialog_escalates(person: Person, flag: str) -> None:
    urgency, sentence, _ = FLAGS[flag]
    person.say("hi")
    person.say("none")
    person.say("none")
    person.say("running")
    assert person.question.question == "start_stiffness"
    person.say(f"not really, but {sentence}")
    assert (person.result.red_flag, person.result.urgency) == (flag, urgency)


def test_emergency_outranks_urgent_when_both_are_mentioned(person: Person) -> None:
    person.say("I've got a fever and now chest pain too")
    assert (person.result.red_flag, person.result.urgency) == ("clot_lungs", "emergency")


@pytest.mark.parametrize(
    "opening", ["no chest pain, just an ache", "I don't have a fever", "my foot is not numb"]
)
def test_a_denied_warning_sign_does_not_escalate(person: Person, opening: str) -> None:
    person.say(opening)
    assert not any(r.result for r in person.last)
    assert person.question.question == "screen_emergency"


def test_not_sure_on_the_screen_goes_through_each_sign_and_escalates_on_doubt(person: Person) -> None:
    person.say("hi")
    person.click("Not sure")
    assert person.question.question == "check_clot_lungs"
    person.say("no")
    assert person.question.question == "check_blood_supply"
    person.say("dunno")
    assert (person.result.red_flag, person.result.urgency) == ("blood_supply", "emergency")


def test_a_red_flag_after_a_finished_check_still_escalates(person: Person) -> None:
    person.say("hi")
    person.answer_until_done(
        {"screen_emergency": "none", "screen_urgent": "none", "activity": "other", "onset": "not sure"}
    )
    person.say("now my calf is swollen and throbbing")
    assert person.result.red_flag == "calf_clot"


def test_back_after_an_escalation_returns_to_the_question(person: Person) -> None:
    person.say("hi")
    person.click("Foot cold, pale, numb or tingling")
    person.say("back")
    assert person.question.question == "screen_emergency"


def test_a_red_flag_at_the_end_of_a_very_long_message_still_escalates(person: Person) -> None:
    person.say("hi")
    person.say("let me tell you everything. " * 200 + "Oh, and now I have chest pain.")
    assert (person.result.red_flag, person.result.urgency) == ("clot_lungs", "emergency")


def test_a_flag_raised_on_doubt_says_so_instead_of_claiming_the_person_said_it(person: Person) -> None:
    person.say("hi")
    person.click("Not sure")
    person.say("not sure")
    result = person.result
    assert result.red_flag == "clot_lungs"
    assert result.reasons[0].startswith("You weren't sure")
    assert "You told me" not in person.texts()
    assert result.summary[-1] == "Reports breathlessness, chest pain or coughing blood."


def test_a_no_followed_by_a_warning_sign_at_a_later_question_escalates(person: Person) -> None:
    person.say("I'm a runner")
    person.say("none")
    person.say("none")
    person.say("yes")
    person.say("yes")
    assert person.question.question == "lump"
    person.say("no my foot is numb")
    assert (person.result.red_flag, person.result.urgency) == ("blood_supply", "emergency")

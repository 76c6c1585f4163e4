"""Safety before diagnosis: every warning sign escalates at its urgency, whenever it is said,
and a doubtful mention gets one plain confirming question instead of an alarm or silence.

What the result says back is checked against the dialog's own sentences: how the sign was
established (confirmed, mentioned, not sure), never more than the person said.
"""

from __future__ import annotations

import pytest

from bot.dialog import Dialog
from bot.dialog.model import RedFlag
from bot.messages import Result
from tests.conftest import Answer, Person

STATED = {
    "clot_lungs": "my knee hurts and I'm short of breath",
    "blood_supply": "my foot is numb and cold",
    "cannot_bear_weight": "I fell and can't put weight on it",
    "calf_clot": "my calf is swollen and red",
    "infection": "the knee is hot and swollen and I have a fever",
    "locked_knee": "my knee is locked and won't straighten",
    "pulsing_lump": "there's a lump behind my knee that pulses with my heartbeat",
    "rapid_swelling": "I twisted it and within an hour the knee had blown up",
}
"""Each warning sign stated plainly, about the person, now."""

DOUBTFUL = {
    "clot_lungs": "I might be a bit short of breath",
    "blood_supply": "I think my foot is a bit numb",
    "cannot_bear_weight": "it's hard to put weight on it",
    "calf_clot": "should I be worried about a clot?",
    "infection": "could my knee be infected?",
    "locked_knee": "sometimes my knee locks for a second",
    "pulsing_lump": "the lump seems to throb",
    "rapid_swelling": "it swelled up after I twisted it",
}
"""Each warning sign mentioned with doubt: a question, a hedge, now-and-then, no time given."""

SCREENS = {
    "screen_emergency": ("clot_lungs", "blood_supply", "cannot_bear_weight"),
    "screen_urgent": ("calf_clot", "infection", "locked_knee", "rapid_swelling"),
}
"""The safety screens and the signs each offers, in the order they are confirmed one by one."""
ON_SCREENS = [(screen, sign) for screen, signs in SCREENS.items() for sign in signs]

BEHIND: dict[str, Answer] = {"location": "behind"}
MID_CHECK: dict[str, dict[str, Answer]] = {
    "location": {},
    "key_signs": BEHIND,
    "bend_straighten": {**BEHIND, "key_signs": "unsure", "activity": "running"},
}
"""Questions in the middle of a check, and the answers that reach each."""


def escalated(person: Person) -> Result:
    result = person.result
    assert result.kind == "red_flag", f"no warning sign raised: {person.texts()}"
    assert not any(r.kind == "question" for r in person.last)  # nothing else is asked
    return result


def assert_flag(dialog: Dialog, result: Result, sign: str, how: str) -> RedFlag:
    """The result escalates `sign` at its urgency, saying how it was established."""
    flag = dialog.red_flags[sign]
    assert (result.red_flag, result.urgency) == (sign, flag.urgency)
    assert result.reasons == (flag.reasons[how],)
    assert (result.title, result.advice) == (flag.title, flag.advice)
    assert result.urgency_text == dialog.labels["urgency"][flag.urgency]
    assert result.findings == () and result.cause is None
    return flag


def result_text(person: Person) -> str:
    (reply,) = [r for r in person.last if r.result is not None]
    return reply.text


def summary_line(dialog: Dialog, sign: str, label: str) -> str:
    return str(dialog.labels[label]).format(what=dialog.red_flags[sign].note)


# ----- stated: escalated at once, wherever it is said ------------------------------------------
@pytest.mark.parametrize("sign", list(STATED))
def test_a_warning_sign_in_the_first_message_escalates_at_its_urgency(
    person: Person, dialog: Dialog, sign: str
) -> None:
    person.say(STATED[sign])
    result = escalated(person)
    assert_flag(dialog, result, sign, "mentioned")
    text = result_text(person)
    assert text.startswith(result.urgency_text)  # the urgency before anything else
    assert text.index(result.title) < text.index(result.advice[0])
    assert text.rstrip().endswith(dialog.reminder)
    assert summary_line(dialog, sign, "summary_mentioned") in result.summary


@pytest.mark.parametrize("where", list(MID_CHECK))
@pytest.mark.parametrize("sign", list(STATED))
def test_a_warning_sign_mentioned_mid_check_escalates(
    person: Person, dialog: Dialog, sign: str, where: str
) -> None:
    person.say("hi")
    person.answer_until_asked(where, MID_CHECK[where])
    person.say(f"no, but {STATED[sign]}")
    assert_flag(dialog, escalated(person), sign, "mentioned")


@pytest.mark.parametrize("sign", list(STATED))
def test_a_warning_sign_after_a_finished_check_starts_a_new_one_that_escalates(
    person: Person, dialog: Dialog, sign: str
) -> None:
    person.say("hi")
    finished = person.answer_until_done({**BEHIND, "start_stiffness": "yes"})
    assert finished.kind == "cause"
    person.say(f"now {STATED[sign]}")
    assert_flag(dialog, escalated(person), sign, "mentioned")
    kept = person.stored
    assert kept is not None and kept.state == sign
    assert "start_stiffness" not in kept.answers  # a fresh check, not the finished one


def test_the_most_urgent_of_two_signs_in_one_message_wins(person: Person, dialog: Dialog) -> None:
    person.say("I've got a fever and my knee is hot, and now chest pain too")
    assert_flag(dialog, escalated(person), "clot_lungs", "mentioned")


def test_a_doubted_emergency_sign_is_checked_before_an_urgent_one_is_acted_on(
    person: Person, dialog: Dialog
) -> None:
    """A faint last night next to a swollen red calf: whether it is happening now decides
    between same-day care and an ambulance, so it is asked first."""
    person.say("I nearly passed out last night and my calf is swollen and red")
    assert not any(r.result for r in person.last)
    assert person.question.question == dialog.confirm_question("clot_lungs")
    person.say("yes")
    assert_flag(dialog, escalated(person), "clot_lungs", "confirmed")


def test_an_urgent_sign_is_acted_on_once_the_doubted_emergency_is_denied(
    person: Person, dialog: Dialog
) -> None:
    person.say("I nearly passed out last night and my calf is swollen and red")
    person.say("no")
    assert_flag(dialog, escalated(person), "calf_clot", "mentioned")


def test_a_warning_sign_at_the_end_of_a_long_message_still_escalates(person: Person, dialog: Dialog) -> None:
    person.say("hi")
    person.say("let me tell you everything. " * 60 + "Oh, and now I have chest pain.")  # ~1,700 characters
    assert_flag(dialog, escalated(person), "clot_lungs", "mentioned")


# ----- tapped on a screen -----------------------------------------------------------------------
def test_the_screens_offer_each_sign_as_a_button_with_none_and_not_sure(
    person: Person, dialog: Dialog
) -> None:
    person.say("hi")
    for screen, signs in SCREENS.items():
        question = dialog.questions[screen]
        assert person.question.question == screen
        assert question.facts == signs
        assert [(c.label, c.value) for c in person.question.choices] == [
            *((o.label, o.fact) for o in question.options),
            (question.none_label, "none"),
            (question.unsure_label, "unsure"),
        ]
        assert all(
            dialog.red_flags[o.fact].urgency == screen.removeprefix("screen_") for o in question.options
        )
        person.tap("none")


@pytest.mark.parametrize(("screen", "sign"), ON_SCREENS)
def test_a_sign_tapped_on_its_screen_escalates_as_confirmed(
    person: Person, dialog: Dialog, screen: str, sign: str
) -> None:
    person.say("hi")
    person.answer_until_asked(screen)
    person.tap(sign)
    result = escalated(person)
    assert_flag(dialog, result, sign, "confirmed")
    assert summary_line(dialog, sign, "summary_confirmed") in result.summary


# ----- doubtful: one confirming question --------------------------------------------------------
@pytest.mark.parametrize("sign", list(DOUBTFUL))
def test_a_doubtful_mention_gets_exactly_one_confirming_question(
    person: Person, dialog: Dialog, sign: str
) -> None:
    person.say(DOUBTFUL[sign])
    assert not any(r.result for r in person.last)
    asked = [r for r in person.last if r.kind == "question"]
    assert [r.question for r in asked] == [dialog.confirm_question(sign)]
    assert asked[0].text.startswith(dialog.red_flags[sign].confirm)


@pytest.mark.parametrize(("answer", "how"), [("yes", "confirmed"), ("not sure", "unsure")])
@pytest.mark.parametrize("sign", list(DOUBTFUL))
def test_yes_or_not_sure_to_the_confirming_question_escalates_saying_which(
    person: Person, dialog: Dialog, sign: str, answer: str, how: str
) -> None:
    person.say(DOUBTFUL[sign])
    person.say(answer)
    result = escalated(person)
    assert_flag(dialog, result, sign, how)
    label = {"confirmed": "summary_confirmed", "unsure": "summary_unsure"}[how]
    assert summary_line(dialog, sign, label) in result.summary
    assert summary_line(dialog, sign, "summary_mentioned") not in result.summary  # never "in their own words"


@pytest.mark.parametrize("sign", list(DOUBTFUL))
def test_no_to_the_confirming_question_carries_on_and_never_asks_it_again(
    person: Person, dialog: Dialog, sign: str
) -> None:
    person.say(DOUBTFUL[sign])
    person.tap("no")
    assert not any(r.result for r in person.last)
    result = person.answer_until_done({**BEHIND, "activity": "running", "other_signs": "none"})
    asked = [r.question for r in person.offered]
    assert asked.count(dialog.confirm_question(sign)) == 1
    for screen in SCREENS:  # nor offered again on its screen
        assert all(sign not in {c.value for c in r.choices} for r in person.offered if r.question == screen)
    assert result.kind != "red_flag"
    assert summary_line(dialog, sign, "summary_doubted") in result.summary


def test_a_doubt_dismissed_is_not_asked_again_when_it_comes_up_again(person: Person, dialog: Dialog) -> None:
    person.say("I think my foot is a bit numb")
    person.say("no")
    person.answer_until_asked("location")
    person.say("behind the knee, and my foot feels a bit numb sometimes")
    assert person.question.question == "key_signs"
    assert not any(r.question == dialog.confirm_question("blood_supply") for r in person.last)


def test_a_plain_statement_after_a_dismissed_doubt_still_escalates(person: Person, dialog: Dialog) -> None:
    person.say("I think my foot is a bit numb")
    person.say("no")
    person.answer_until_asked("location")
    person.say("my foot is numb and cold now")
    assert_flag(dialog, escalated(person), "blood_supply", "mentioned")


def test_the_lump_question_checks_for_a_pulse(person: Person, dialog: Dialog) -> None:
    person.say("hi")
    question = person.answer_until_asked(dialog.confirm_question("pulsing_lump"), {**BEHIND, "lump": "yes"})
    assert question.text.startswith(dialog.red_flags["pulsing_lump"].confirm)
    person.say("yes")
    assert_flag(dialog, escalated(person), "pulsing_lump", "confirmed")


# ----- screens answered "not sure" ---------------------------------------------------------------
def test_not_sure_on_a_screen_confirms_each_sign_one_at_a_time(person: Person, dialog: Dialog) -> None:
    person.say("hi")
    for screen, signs in SCREENS.items():
        assert person.question.question == screen
        person.tap("unsure")
        for sign in signs:
            assert [r.question for r in person.last if r.kind == "question"] == [
                dialog.confirm_question(sign)
            ]
            assert person.question.text.startswith(dialog.red_flags[sign].confirm)
            person.say("no")
    assert person.question.question == "location"  # every sign ruled out: the check goes on


@pytest.mark.parametrize(("screen", "sign"), ON_SCREENS)
def test_not_sure_on_a_screen_then_not_sure_again_escalates_as_unsure(
    person: Person, dialog: Dialog, screen: str, sign: str
) -> None:
    person.say("hi")
    person.answer_until_asked(screen)
    person.tap("unsure")
    while person.question.question != dialog.confirm_question(sign):
        person.say("no")
    person.say("not sure")
    result = escalated(person)
    assert_flag(dialog, result, sign, "unsure")
    assert summary_line(dialog, sign, "summary_unsure") in result.summary


def test_signs_still_unconfirmed_when_another_escalates_stay_in_the_summary(
    person: Person, dialog: Dialog
) -> None:
    person.say("hi")
    person.answer_until_asked("screen_urgent")
    person.tap("unsure")
    person.say("yes")  # the first sign of the screen is confirmed; the others were never asked
    result = escalated(person)
    first, *rest = SCREENS["screen_urgent"]
    assert result.red_flag == first
    for sign in rest:  # they answered "not sure" to these: a clinician should hear so
        assert any(dialog.red_flags[sign].note in line for line in result.summary), sign


# ----- never lowered, never asked twice -----------------------------------------------------------
@pytest.mark.parametrize("screen", ["screen_emergency", "screen_urgent"])
@pytest.mark.parametrize("answer", ["none of these, but", "not sure, but"])
def test_a_sign_named_with_a_screen_answer_is_never_lowered_by_it(
    person: Person, dialog: Dialog, screen: str, answer: str
) -> None:
    person.say("hi")
    person.answer_until_asked(screen)
    person.say(f"{answer} {STATED['calf_clot']}")
    if screen == "screen_emergency" and answer.startswith("not sure"):
        # Doubted emergency signs are checked before an urgent one is acted on, one by one.
        for sign in SCREENS[screen]:
            assert person.question.question == dialog.confirm_question(sign)
            person.say("no")
    result = escalated(person)
    assert_flag(dialog, result, "calf_clot", "mentioned")
    assert summary_line(dialog, "calf_clot", "summary_mentioned") in result.summary


def test_signs_denied_in_the_opening_are_not_asked_again(person: Person, dialog: Dialog) -> None:
    person.say("no chest pain and my foot is fine")
    assert person.question.question == "screen_emergency"
    offered = {c.value for c in person.question.choices}
    assert "clot_lungs" not in offered and "blood_supply" not in offered
    assert "cannot_bear_weight" in offered
    person.tap("none")
    person.answer_until_asked("location")
    assert person.stored is not None
    assert {s: person.stored.answers[s] for s in ("clot_lungs", "blood_supply", "cannot_bear_weight")} == {
        "clot_lungs": "no",
        "blood_supply": "no",
        "cannot_bear_weight": "no",
    }


def test_a_screen_whose_signs_were_all_denied_is_skipped(person: Person) -> None:
    person.say("no chest pain, my foot is fine and I'm walking fine")
    assert person.question.question == "screen_urgent"


# ----- what the summary says: what the person said, no more -----------------------------------
def test_the_summary_says_how_each_sign_was_established(person: Person, dialog: Dialog) -> None:
    person.say("I think my foot is a bit numb")
    person.say("no")  # doubted, then not confirmed
    person.tap("none")  # the other emergency signs denied
    person.tap("calf_clot")  # confirmed by a tap
    result = escalated(person)
    summary = result.summary
    assert summary_line(dialog, "blood_supply", "summary_doubted") in summary
    assert summary_line(dialog, "clot_lungs", "summary_no") in summary
    assert summary_line(dialog, "cannot_bear_weight", "summary_no") in summary
    assert summary_line(dialog, "calf_clot", "summary_confirmed") in summary
    assert summary_line(dialog, "calf_clot", "summary_mentioned") not in summary
    for sign in ("infection", "locked_knee", "rapid_swelling"):  # never asked: nothing claimed
        assert not any(dialog.red_flags[sign].note in line for line in summary)


def test_a_mentioned_sign_is_never_called_confirmed(person: Person, dialog: Dialog) -> None:
    person.say(STATED["calf_clot"])
    result = escalated(person)
    assert result.reasons == (dialog.red_flags["calf_clot"].reasons["mentioned"],)
    assert summary_line(dialog, "calf_clot", "summary_confirmed") not in result.summary
    assert dialog.red_flags["calf_clot"].reasons["confirmed"] not in result_text(person)


# ----- someone else's warning sign -----------------------------------------------------------------
@pytest.mark.parametrize(
    ("text", "sign"),
    [
        ("my dad is short of breath and his knee hurts", "clot_lungs"),
        ("my mum's calf is swollen and red right now", "calf_clot"),
        ("asking for my son, he fell and can't stand on his leg", "cannot_bear_weight"),
        ("my husband has a lump behind his knee that pulses", "pulsing_lump"),
        ("my husband's knee is swollen and hot and he's burning up", "infection"),
    ],
)
def test_someone_elses_sign_told_in_the_present_escalates(
    person: Person, dialog: Dialog, text: str, sign: str
) -> None:
    person.say(text)
    assert_flag(dialog, escalated(person), sign, "mentioned")


@pytest.mark.parametrize(
    ("text", "sign"),
    [
        ("my dad said his calf swelled up", "calf_clot"),
        ("a friend of mine hurt his knee and it locked", "locked_knee"),
        ("my friend's knee locked after a tackle", "locked_knee"),
    ],
)
def test_someone_elses_sign_told_without_a_time_is_checked_and_answered_for_them(
    person: Person, dialog: Dialog, text: str, sign: str
) -> None:
    person.say(text)
    assert not any(r.result for r in person.last)
    names = [r.name or r.question for r in person.last]
    assert names.index("for_someone_else") == names.index(dialog.confirm_question(sign)) - 1
    assert person.last[names.index("for_someone_else")].text == dialog.messages["for_someone_else"]
    person.say("yes")
    assert_flag(dialog, escalated(person), sign, "confirmed")


# ----- answers that must never clear a warning sign -------------------------------------------------
def test_no_i_cant_to_the_weight_bearing_check_escalates(person: Person, dialog: Dialog) -> None:
    # The check asks "can you put weight on that leg ...?": "no I can't" is the alarming answer.
    person.say(DOUBTFUL["cannot_bear_weight"])
    assert person.question.question == dialog.confirm_question("cannot_bear_weight")
    person.say("no I can't")
    assert_flag(dialog, escalated(person), "cannot_bear_weight", "confirmed")


def test_an_answer_in_another_language_never_clears_a_warning_sign(person: Person, dialog: Dialog) -> None:
    person.say("hi")
    person.tap("unsure")
    assert person.question.question == dialog.confirm_question("clot_lungs")
    person.say("no puedo respirar")  # "I can't breathe"
    assert person.stored is not None and person.stored.answers.get("clot_lungs") != "dismissed"
    assert any(r.name == "non_english" for r in person.last)

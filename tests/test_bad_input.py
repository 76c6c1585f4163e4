"""Whatever arrives, the person gets a helpful reply and nothing they said is lost."""

from __future__ import annotations

import re

import pytest

from bot.engine import Engine
from bot.messages import Incoming
from tests.conftest import Person


def _mid_dialog(person: Person) -> dict[str, str]:
    """Reach a yes/no question in the middle of a check (two causes fit, so the long runs
    question is asked); return the answers held at that point."""
    person.say("I'm a runner")
    person.say("none")
    person.say("none")
    person.say("behind the knee")
    person.tap("start_stiffness", "toes_up")
    assert person.question.question == "long_runs"
    assert person.stored is not None
    return dict(person.stored.answers)


def _moved_on_with(person: Person, before: dict[str, str], value: str) -> None:
    """The yes/no question was answered with `value`, nothing else changed, and the check went
    on (to another question or to its result)."""
    kept = person.stored
    assert kept is not None and kept.state != "long_runs"
    assert kept.answers == {**before, "long_runs": value}


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "empty"),
        ("   \n\t ", "empty"),
        ("🦄🌈", "not_understood"),
        ("膝の裏が痛いです", "non_english"),
        ("Болит под коленом", "non_english"),
        ("\x00\x01\x02\ufffd\x7f", "empty"),
        ("asdfghjkl qwerty", "not_understood"),
        ("/frobnicate", "not_understood"),
    ],
)
def test_input_it_cannot_read_gets_a_clear_reply_and_the_same_question(
    person: Person, engine: Engine, text: str, message: str
) -> None:
    before = _mid_dialog(person)
    person.say(text)
    assert person.last[0].name == message
    assert person.question.question == "long_runs"
    assert [c.value for c in person.question.choices] == ["yes", "no", "unsure"]
    person.say("yes")
    _moved_on_with(person, before, "yes")  # nothing was lost on the way


def test_a_huge_message_is_read_from_its_start_and_says_so(person: Person, engine: Engine) -> None:
    before = _mid_dialog(person)
    person.say("yes " + "blah " * 2500)  # about 12,500 characters
    assert person.last[0].text == engine.dialog.messages["too_long"]
    _moved_on_with(person, before, "yes")


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("yse", "yes"),
        ("yess", "yes"),
        ("Yesss!", "yes"),
        ("nah", "no"),
        ("🤷", "unsure"),
    ],
)
def test_small_typos_and_emphasis_are_understood(person: Person, typed: str, expected: str) -> None:
    before = _mid_dialog(person)
    person.say(typed)
    _moved_on_with(person, before, expected)


def test_yes_to_a_list_asks_which_one(person: Person, engine: Engine) -> None:
    person.say("hi")
    person.say("yes")
    assert person.last[0].text == engine.dialog.messages["yes_to_choice"]
    assert person.question.question == "screen_emergency"
    person.say("2")
    assert person.result.red_flag == "blood_supply"


def test_yes_to_a_choice_that_has_no_yes_asks_which_one(person: Person, engine: Engine) -> None:
    person.say("hi")
    person.say("none")
    person.say("none")
    assert person.question.question == "location"
    person.say("yes")
    assert person.last[0].text == engine.dialog.messages["yes_to_choice"]
    assert person.question.question == "location"
    person.say("behind")
    assert person.question.question == "key_signs"
    person.say("yes")  # a pick-all-that-apply question: which ones?
    assert person.last[0].text == engine.dialog.messages["yes_to_multi"]
    assert person.question.question == "key_signs"
    assert person.stored is not None and "start_stiffness" not in person.stored.answers


def test_a_number_out_of_range_is_not_taken_as_an_answer(person: Person, engine: Engine) -> None:
    person.say("hi")
    person.say("9")
    assert person.last[0].text == engine.dialog.messages["out_of_range"].format(count=5)
    assert person.question.question == "screen_emergency"


def test_a_click_on_an_old_question_changes_nothing(person: Person, engine: Engine) -> None:
    person.say("hi")
    first = person.question
    person.click("None of these")
    assert person.question.question == "screen_urgent"
    person.click("Short of breath, chest pain or coughing blood", on=first)
    assert person.last[0].text == engine.dialog.messages["stale_button"]
    assert person.question.question == "screen_urgent"
    assert not any(r.result for r in person.last)


def test_a_double_click_is_applied_once(person: Person, engine: Engine) -> None:
    person.say("hi")
    token = next(c.token for c in person.question.choices if c.label == "None of these")
    person.click("None of these")
    again = engine.handle(Incoming(key=person.key, user=person.user, button=token))
    assert again[0].text == engine.dialog.messages["stale_button"]
    assert again[-1].question == "screen_urgent"


def test_a_forged_or_mangled_button_token_is_treated_as_stale(person: Person, engine: Engine) -> None:
    person.say("hi")
    for token in ("screen_emergency|0|made_up", "garbage", "screen_emergency|x|none", "|||"):
        replies = engine.handle(Incoming(key=person.key, user=person.user, button=token))
        assert replies[0].text == engine.dialog.messages["stale_button"]
        assert replies[-1].question == "screen_emergency"


def test_a_duplicate_delivery_is_answered_once(person: Person) -> None:
    person.say("hi", event_id="evt-1")
    person.say("none", event_id="evt-2")
    assert person.question.question == "screen_urgent"
    assert person.say("none", event_id="evt-2") == []
    person.say("none", event_id="evt-3")
    assert person.question.question == "location"


def test_a_conversation_survives_a_restart_of_the_bot(tmp_path) -> None:
    from bot.dialog.loader import load_dialog
    from bot.engine import default_dialog_path
    from bot.store import SQLiteStore

    dialog = load_dialog(default_dialog_path())
    first = Person(Engine(dialog, SQLiteStore(tmp_path / "kb.sqlite3")))
    first.say("I'm a cyclist")
    first.say("none")
    first.engine.store.close()

    second = Person(Engine(dialog, SQLiteStore(tmp_path / "kb.sqlite3")))
    resumed = second.engine.resume(second.key)
    assert resumed[0].text == dialog.messages["resumed"]
    assert resumed[-1].question == "screen_urgent"
    second.say("none")
    assert second.question.question == "location"
    result = second.answer_until_done({"location": "behind", "key_signs": ("start_stiffness", "toes_up")})
    asked = [r.question for r in second.offered if r.kind == "question"]
    # the cyclist said before the restart counts: no question about it, none about runs
    assert "bike_fit" in asked and "activity" not in asked and "long_runs" not in asked
    cycles = dialog.facts["activity"].value("cycling")
    assert cycles is not None and cycles.note in result.summary
    second.engine.store.close()


@pytest.mark.parametrize("sentence", ["hi, I am a runner", "I do like cycling", "I don't have a fever"])
def test_short_yes_no_phrases_inside_a_sentence_are_not_taken_as_answers(
    person: Person, engine: Engine, sentence: str
) -> None:
    before = _mid_dialog(person)
    person.say(sentence)
    assert person.stored is not None and person.stored.answers == before
    assert person.question.question == "long_runs"
    person.say("I do")  # alone, the same words are an answer
    _moved_on_with(person, before, "yes")


def test_a_greeting_mid_check_says_hello_and_asks_the_same_question(person: Person, engine: Engine) -> None:
    _mid_dialog(person)
    person.say("hello!")
    assert person.last[0].text == engine.dialog.messages["hello_again"]
    assert person.question.question == "long_runs"


def test_a_button_from_a_stopped_check_starts_a_fresh_one_and_says_why(
    person: Person, engine: Engine
) -> None:
    person.say("hi")
    old_question = person.question
    person.say("stop")
    person.click("None of these", on=old_question)
    assert person.last[0].text == engine.dialog.messages["button_after_end"]
    assert person.question.question == "screen_emergency"


def test_back_with_no_check_offers_to_start_one(person: Person, engine: Engine) -> None:
    person.say("hi")
    person.say("stop")
    person.say("back")
    assert person.last[0].text == engine.dialog.messages["nothing_to_undo"]
    assert [c.label for c in person.last[0].choices] == ["Start a new check"]


def test_the_intro_of_a_question_answered_in_passing_is_still_shown(person: Person, engine: Engine) -> None:
    assert engine.dialog.questions["location"].intro == "questions_intro"
    person.say("I'm a runner and it hurts behind my knee")  # the location, answered in passing
    person.say("none")
    person.say("none")
    assert engine.dialog.messages["questions_intro"] in person.texts()
    assert person.question.question == "key_signs"


def test_a_first_message_in_another_language_gets_the_note_at_once(person: Person, engine: Engine) -> None:
    person.say("no puedo respirar bien y me duele la rodilla")
    assert [r.name for r in person.last[:2]] == ["greeting", "non_english"]
    assert person.question.question == "screen_emergency"


# ----- strict tokens: anything kneebot did not draw is a stale button ------------------------
def _stored(engine: Engine, person: Person) -> tuple[object, ...]:
    kept = engine.store.load(person.key, now=engine.clock())
    assert kept is not None
    return (kept.state, kept.answers, kept.history, kept.step)


@pytest.mark.parametrize("digits", ["²", "①", "٣", "𝟘", "¹²"])
def test_a_token_whose_step_is_not_ascii_digits_is_a_stale_button(
    person: Person, engine: Engine, digits: str
) -> None:
    """`str.isdigit` accepts these and `int` refuses them: they must not crash the turn."""
    person.say("hi")
    asked = person.question
    before = _stored(engine, person)
    forged = [re.sub(r"\|[0-9]+\|", f"|{digits}|", choice.token) for choice in asked.choices]
    for token in [*forged, f"x|{digits}|y", f"{asked.question}|{digits}|none"]:
        replies = engine.handle(Incoming(key=person.key, user=person.user, button=token))
        assert replies[0].name == "stale_button", token
        assert replies[-1].question == asked.question
    assert _stored(engine, person) == before


@pytest.mark.parametrize("token", ["cmd|xyz", "cmd|hello", "cmd|", "cmd|restart|x", "cmd|Restart", "cmd|²"])
def test_a_command_token_kneebot_never_drew_is_stale_and_undoes_nothing(
    person: Person, engine: Engine, token: str
) -> None:
    person.say("hi")
    person.click(person.question.choices[0].label)  # one answer given, so there is one to undo
    before = _stored(engine, person)

    replies = engine.handle(Incoming(key=person.key, user=person.user, button=token))

    assert _stored(engine, person) == before
    assert {r.name for r in replies}.isdisjoint({"undone", "undone_red_flag", "restarted", "help"})


@pytest.mark.parametrize("how", ["restart", "stop"])
def test_a_button_from_an_earlier_check_is_stale_in_the_next_one(
    person: Person, engine: Engine, how: str
) -> None:
    """After `restart` (or `stop` and a new start) the new check opens with the same question at
    the same step as the old one did: a button from the old check must still be stale."""
    person.say("hi")
    old = person.question
    person.say(how)
    if how == "stop":
        person.say("hi")
    new = person.question
    assert (new.question, new.text) == (old.question, old.text)
    before = _stored(engine, person)

    for choice in old.choices:
        replies = engine.handle(Incoming(key=person.key, user=person.user, button=choice.token))
        assert replies[0].name == "stale_button"
        assert replies[-1].question == new.question
        assert not any(r.result for r in replies)
    assert _stored(engine, person) == before
    person.click(new.choices[0].label)  # the new check's own buttons work
    assert person.last[0].name != "stale_button"


def test_the_command_tokens_accepted_are_the_engines_commands() -> None:
    """`Engine.command` sends `cmd|<name>` for each of its `Command`s: exactly those are read."""
    from typing import get_args

    from bot.engine import Command
    from bot.replies import BUTTON_COMMANDS

    assert set(get_args(Command)) == BUTTON_COMMANDS

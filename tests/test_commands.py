"""help, back, restart, stop and forget work at any point, typed or as buttons."""

from __future__ import annotations

from bot.engine import Engine
from tests.conftest import Person

TWO_CAUSES = {"location": "behind", "key_signs": ("start_stiffness", "toes_up"), "activity": "running"}
"""Answers that leave two causes in play, so the supporting questions (activity, long runs,
hills) are asked."""


def _to_location(person: Person) -> None:
    person.say("hi")
    person.say("none")
    person.say("none")
    assert person.question.question == "location"


def test_help_explains_and_asks_the_same_question_again(person: Person, engine: Engine) -> None:
    _to_location(person)
    person.say("help")
    assert person.last[0].text == engine.dialog.messages["help"]
    assert person.question.question == "location"
    person.say("behind the knee")
    assert person.question.question == "key_signs"


def test_commands_accept_a_leading_slash_or_bang(person: Person, engine: Engine) -> None:
    person.say("hi")
    person.say("none")
    assert person.question.question == "screen_urgent"  # where "back" can only be the command
    person.say("/help")
    assert person.last[0].text == engine.dialog.messages["help"]
    person.say("!back")
    assert person.question.question == "screen_emergency"


def test_help_before_any_conversation_offers_to_start(person: Person, engine: Engine) -> None:
    person.say("help")
    assert person.last[0].text == engine.dialog.messages["help"]
    assert [c.label for c in person.last[0].choices] == ["Start a new check"]
    person.click("Start a new check", on=person.last[0])
    assert person.question.question == "screen_emergency"


def test_back_undoes_one_answer_including_facts_it_brought(person: Person, engine: Engine) -> None:
    _to_location(person)
    before = person.stored
    assert before is not None
    person.say("behind my knee, and I'm training for a marathon")  # long runs mentioned too
    assert person.question.question == "key_signs"
    assert person.stored is not None and person.stored.answers["long_runs"] == "yes"
    person.say("back")
    assert person.last[0].text == engine.dialog.messages["undone"]
    assert person.question.question == "location"
    assert person.stored is not None and person.stored.answers == before.answers
    # the long runs mentioned in the undone turn are undone too: asked for after all
    person.answer_until_asked("long_runs", TWO_CAUSES)


def test_back_at_the_first_question_says_there_is_nothing_to_undo(person: Person, engine: Engine) -> None:
    person.say("hi")
    person.say("back")
    assert person.last[0].text == engine.dialog.messages["nothing_to_undo"]
    assert person.question.question == "screen_emergency"


def test_restart_clears_answers_and_starts_again(person: Person, engine: Engine) -> None:
    person.say("I'm a runner")
    person.say("none")
    person.say("restart")
    assert person.last[0].text == engine.dialog.messages["restarted"]
    assert person.question.question == "screen_emergency"
    assert person.stored is not None and person.stored.answers == {}
    person.answer_until_asked("activity", TWO_CAUSES)  # "runner" from before is forgotten


def test_stop_ends_the_check_and_deletes_it(person: Person, engine: Engine) -> None:
    _to_location(person)
    person.say("stop")
    assert person.last[0].text == engine.dialog.messages["stopped"]
    assert engine.store.load(person.key, now=engine.clock()) is None
    person.say("hi")
    assert person.question.question == "screen_emergency"


def test_forget_deletes_every_conversation_of_the_person_and_says_so(engine: Engine) -> None:
    sam_dm = Person(engine, "sam", "dm")
    sam_channel = Person(engine, "sam", "c-general")
    alex = Person(engine, "alex", "dm")
    for someone in (sam_dm, sam_channel, alex):
        someone.say("I'm a runner")
    sam_dm.say("forget me")
    assert sam_dm.last[-1].text == engine.dialog.messages["forgotten"].format(count=2)
    now = engine.clock()
    assert engine.store.load(sam_dm.key, now=now) is None
    assert engine.store.load(sam_channel.key, now=now) is None
    assert engine.store.load(alex.key, now=now) is not None


def test_after_a_result_typing_prompts_and_the_start_button_begins_again(
    person: Person, engine: Engine
) -> None:
    person.say("my foot is numb")
    result_reply = person.last[-1]
    person.say("thanks")
    assert person.last[0].text == engine.dialog.messages["finished"]
    person.click("Start a new check", on=result_reply)
    assert person.question.question == "screen_emergency"
    person.say("1")  # the chest pain option: a fresh check really is running
    assert person.result.red_flag == "clot_lungs"


def test_opening_kneebot_resumes_a_check_in_progress(person: Person, engine: Engine) -> None:
    _to_location(person)
    replies = engine.open(person.key, person.user)
    assert replies[0].text == engine.dialog.messages["resumed"]
    assert replies[-1].question == "location"


def test_opening_kneebot_after_a_finished_check_starts_a_new_one(person: Person, engine: Engine) -> None:
    person.say("my foot is numb")
    assert person.result.red_flag == "blood_supply"
    replies = engine.open(person.key, person.user)
    assert replies[0].name == "greeting"
    assert replies[-1].question == "screen_emergency"


def test_opening_kneebot_twice_with_one_event_id_answers_once(person: Person, engine: Engine) -> None:
    assert engine.open(person.key, person.user, event_id="slash-1")[0].name == "greeting"
    assert engine.open(person.key, person.user, event_id="slash-1") == []


def test_discarding_a_conversation_deletes_only_that_one(engine: Engine) -> None:
    dm, other = Person(engine, "sam", "dm"), Person(engine, "sam", "c-general")
    dm.say("hi")
    other.say("hi")
    engine.discard(dm.key)
    assert engine.store.load(dm.key, now=engine.clock()) is None
    assert engine.store.load(other.key, now=engine.clock()) is not None


def test_start_with_no_check_greets_with_the_disclaimer_first(person: Person, engine: Engine) -> None:
    person.say("start")
    assert person.last[0].name == "greeting"
    assert person.question.question == "screen_emergency"


def test_back_after_a_warning_sign_says_it_still_matters(person: Person, engine: Engine) -> None:
    person.say("hi")
    person.click("Foot cold, pale, numb or tingling")
    person.say("back")
    assert person.last[0].text == engine.dialog.messages["undone_red_flag"]
    assert person.question.question == "screen_emergency"


def test_a_fact_noted_in_passing_is_said_back_and_back_undoes_it(person: Person, engine: Engine) -> None:
    person.say("hi")
    person.say("I'm a cyclist")
    cycles = engine.dialog.facts["activity"].value("cycling")
    assert cycles is not None
    # the screen itself is still unanswered: the fact is said back, then the screen comes again
    assert person.last[0].text == engine.dialog.messages["noted_first"].format(facts=cycles.note)
    assert person.question.question == "screen_emergency"
    assert person.stored is not None and person.stored.answers == {"activity": "cycling"}
    person.say("back")
    assert person.stored is not None and person.stored.answers == {}
    person.answer_until_asked("activity", TWO_CAUSES)  # the undone fact is asked for after all


def test_a_later_fact_corrects_one_noted_in_passing_but_never_a_direct_answer(person: Person) -> None:
    dialog = person.engine.dialog
    person.say("I'm a runner and there's no lump")
    assert person.stored is not None and person.stored.answers["lump"] == "no"
    person.say("none")
    person.say("none")
    assert person.question.question == "location"
    person.say("behind, and actually I can feel a lump after all")
    assert person.stored is not None and person.stored.answers["lump"] == "yes"
    result = person.answer_until_done()
    lump = dialog.facts["lump"].value("yes")
    assert lump is not None and lump.note in result.summary  # the correction stood
    assert "bakers_cyst" in result.causes

    said = "it's stiff at the start of runs now I think of it"
    noted = Person(person.engine, "kim")  # the same words before the question: a fact noted
    noted.say("hi")
    noted.answer_until_asked("location")
    noted.say(f"behind, and {said}")
    assert noted.stored is not None and noted.stored.answers["start_stiffness"] == "yes"

    other = Person(person.engine, "robin")
    other.say("hi")
    other.answer_until_asked("key_signs", {"location": "behind"})
    other.tap("none")  # start stiffness (and every other key sign) answered directly: no
    assert other.question.question == "other_signs"
    other.say(f"none, though {said}")
    assert other.stored is not None and other.stored.answers["start_stiffness"] == "no"

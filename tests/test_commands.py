"""help, back, restart, stop and forget work at any point, typed or as buttons."""

from __future__ import annotations

from bot.engine import Engine
from tests.conftest import Person


def _to_activity(person: Person) -> None:
    person.say("hi")
    person.say("none")
    person.say("none")
    assert person.question.question == "activity"


def test_help_explains_and_asks_the_same_question_again(person: Person, engine: Engine) -> None:
    _to_activity(person)
    person.say("help")
    assert person.last[0].text == engine.dialog.messages["help"]
    assert person.question.question == "activity"
    person.say("running")
    assert person.question.question == "start_stiffness"


def test_commands_accept_a_leading_slash_or_bang(person: Person, engine: Engine) -> None:
    _to_activity(person)
    person.say("/help")
    assert person.last[0].text == engine.dialog.messages["help"]
    person.say("!back")
    assert person.question.question == "screen_urgent"


def test_help_before_any_conversation_offers_to_start(person: Person, engine: Engine) -> None:
    person.say("help")
    assert person.last[0].text == engine.dialog.messages["help"]
    assert [c.label for c in person.last[0].choices] == ["Start a new check"]
    person.click("Start a new check", on=person.last[0])
    assert person.question.question == "screen_emergency"


def test_back_undoes_one_answer_including_facts_it_brought(person: Person, engine: Engine) -> None:
    _to_activity(person)
    person.say("running")
    person.say("yes")  # start_stiffness
    person.say("there's a lump, and I did a marathon")  # long_runs yes, lump mentioned too
    assert person.question.question == "bend_straighten"
    person.say("back")
    assert person.last[0].text == engine.dialog.messages["undone"]
    assert person.question.question == "long_runs"
    person.say("no")
    assert person.question.question == "lump"  # the lump mentioned in the undone turn is undone too


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
    person.say("none")
    person.say("none")
    assert person.question.question == "activity"  # "runner" from before is forgotten


def test_stop_ends_the_check_and_deletes_it(person: Person, engine: Engine) -> None:
    _to_activity(person)
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
    _to_activity(person)
    replies = engine.open(person.key, person.user)
    assert replies[0].text == engine.dialog.messages["resumed"]
    assert replies[-1].question == "activity"


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
    assert person.last[0].text == engine.dialog.messages["noted"].format(facts="Cycles regularly.")
    assert person.question.question == "screen_emergency"
    person.say("back")
    person.say("none")
    person.say("none")
    assert person.question.question == "activity"  # the undone fact is asked for after all


def test_a_later_fact_corrects_one_noted_in_passing_but_never_a_direct_answer(person: Person) -> None:
    person.say("I'm a runner and there's no lump")
    person.say("none")
    person.say("none")
    assert person.question.question == "start_stiffness"
    person.say("yes, and actually I can feel a lump after all")
    result = person.answer_until_done({"onset": "not sure"})
    assert "Soft swelling or lump behind the knee." in result.summary  # the correction stood
    assert "bakers_cyst" in result.causes

    other = Person(person.engine, "robin")
    other.say("hi")
    other.say("none")
    other.say("none")
    other.say("running")
    other.say("no")  # start_stiffness, answered directly
    other.say("yes, though it's stiff at the start of runs now I think of it")  # long_runs
    assert other.engine.store.load(other.key, now=other.engine.clock()).answers["start_stiffness"] == "no"

"""The same conversation suite on every store: memory, SQLite and a real Redis.

Whatever store a deployment picks, a person must get the same check: a whole conversation to
a result, `back`, `forget`, expiry after the idle time, duplicates answered once, a dialog
changed under a conversation in flight, and a bot restart in the middle.
"""

from __future__ import annotations

import dataclasses

import pytest

from bot.conversation import Conversation
from bot.messages import Incoming

FIRST_QUESTION = "screen_emergency"
"""Every new check starts with the emergency screen."""


def test_a_whole_check_reaches_its_result_and_stays_small(backend, make_engine, chat, check):
    store = backend.store()
    ann = chat(make_engine(store))
    ann.say("hi")
    assert ann.texts()[0] == ann.engine.dialog.messages["greeting"]
    assert ann.answer_all() == check.questions

    result = ann.result()
    assert result is not None and result.result is not None
    assert (result.result.cause, result.result.urgency) == (check.cause, "soon")
    kept = ann.stored(store)
    assert kept is not None and kept.answers == check.facts and kept.step == len(check.answers)
    assert store.stored_bytes(ann.key) <= 2048  # type: ignore[attr-defined]

    ann.say("thanks")
    assert ann.texts()[0] == ann.engine.dialog.messages["finished"]


def test_back_undoes_exactly_the_last_answer(backend, make_engine, chat):
    store = backend.store()
    ann = chat(make_engine(store))
    ann.say("hi")
    for value in ("none", "none"):
        ann.click(value)
    before = ann.stored(store).answers
    ann.click("behind")
    assert ann.question() == "key_signs"

    ann.say("back")
    assert ann.texts()[0] == ann.engine.dialog.messages["undone"]
    assert ann.question() == "location"
    assert ann.stored(store).answers == before

    ann.click("front")  # another answer takes its place, and leads elsewhere
    assert ann.result().result.outcome == "not_behind_knee"
    assert ann.stored(store).answers == {**before, "location": "front"}


def test_forget_deletes_every_conversation_of_the_person_and_says_so(backend, make_engine, chat):
    store = backend.store()
    engine = make_engine(store)
    ann_dm, ann_channel, bob = chat(engine), chat(engine, channel="C1"), chat(engine, user="bob")
    for person in (ann_dm, ann_channel, bob):
        person.say("hi")
        person.click("none")

    ann_dm.say("forget")
    assert ann_dm.texts() == [engine.dialog.messages["forgotten"].format(count=2)]
    assert set(store.keys()) == {bob.key}
    assert ann_channel.stored(store) is None
    assert bob.stored(store).answers == dict.fromkeys(engine.dialog.questions["screen_emergency"].facts, "no")

    ann_channel.say("none")  # whatever Ann says next starts a new check
    assert engine.dialog.messages["greeting"] in ann_channel.texts()


def test_stop_deletes_only_this_conversation(backend, make_engine, chat):
    store = backend.store()
    engine = make_engine(store)
    ann_dm, ann_channel = chat(engine), chat(engine, channel="C1")
    ann_dm.say("hi")
    ann_channel.say("hi")

    ann_dm.say("stop")
    assert ann_dm.texts() == [engine.dialog.messages["stopped"]]
    assert set(store.keys()) == {ann_channel.key}


def test_an_idle_conversation_expires_after_the_ttl(backend, make_engine, chat):
    now = [1_000_000.0]
    store = backend.store(ttl_seconds=3600)
    ann = chat(make_engine(store, clock=lambda: now[0]))
    ann.say("hi")
    ann.click("none")

    now[0] += 3599  # just inside the idle time: the check carries on
    ann.click("none")
    assert ann.question() == "location"

    now[0] += 3601  # idle for longer than the TTL: forgotten, a new check begins
    ann.say("running")
    assert ann.engine.dialog.messages["greeting"] in ann.texts()
    assert ann.question() == FIRST_QUESTION
    assert ann.stored(store).answers == {"activity": "running"}


def test_purging_removes_idle_conversations_only(backend, make_engine, chat):
    now = [1_000_000.0]
    store = backend.store(ttl_seconds=60)
    engine = make_engine(store, clock=lambda: now[0])
    ann, bob = chat(engine), chat(engine, user="bob")
    ann.say("hi")
    now[0] += 50
    bob.say("hi")
    now[0] += 20  # Ann has been idle 70 s, Bob 20 s

    store.purge_expired(now=now[0])
    assert ann.stored(store) is None
    assert bob.stored(store) is not None
    if backend.name != "redis":  # Redis deletes by its own clock (see test_redis.py)
        assert set(store.keys()) == {bob.key}


def _stored_mid_check(ann, dialog) -> Conversation:
    """A conversation of this dialog at the location question (both screens answered), as a
    store would hold it, with an answer kept from a question an older version of the dialog had."""
    screens = (*dialog.questions["screen_emergency"].facts, *dialog.questions["screen_urgent"].facts)
    return Conversation(
        key=ann.key,
        user=ann.user,
        dialog=dialog.id,
        version=dialog.version,
        state="location",
        answers={**dict.fromkeys(screens, "no"), "activity": "running", "old_question": "yes"},
        history=[["screen_emergency", dict.fromkeys(screens)]],
        step=7,
        started_at=ann.engine.clock(),
        updated_at=ann.engine.clock(),
    )


def test_a_stored_conversation_of_this_dialog_carries_on(backend, make_engine, chat):
    """The counterpart of the test below: the same conversation, unchanged, is simply resumed."""
    store = backend.store()
    ann = chat(make_engine(store))
    dialog = ann.engine.dialog
    store.save(_stored_mid_check(ann, dialog))

    ann.click("behind", on=[ann.engine.dialogue.question_reply(ann.stored(store))])
    assert dialog.messages["dialog_changed"] not in ann.texts()
    assert ann.question() == "key_signs"
    assert ann.stored(store).answers["location"] == "behind"


@pytest.mark.parametrize(
    "changed",
    [
        {"state": "pain_score"},  # the question it waited on was removed
        {"history": [["old_question", {"old_question": None}]]},  # a step of its path was removed
        {"dialog": "another_dialog"},
    ],
    ids=["state-gone", "history-gone", "other-dialog"],
)
def test_a_conversation_from_an_older_dialog_restarts_politely(backend, make_engine, chat, changed):
    store = backend.store()
    ann = chat(make_engine(store))
    dialog = ann.engine.dialog
    store.save(dataclasses.replace(_stored_mid_check(ann, dialog), **changed))

    ann.say("yes")
    assert ann.texts()[:2] == [dialog.messages["dialog_changed"], dialog.messages["greeting"]]
    assert ann.question() == FIRST_QUESTION
    fresh = ann.stored(store)
    assert (fresh.state, fresh.step, fresh.history) == (FIRST_QUESTION, 0, [])
    assert "old_question" not in fresh.answers


def test_a_duplicate_delivery_is_answered_once_even_on_another_engine(backend, make_engine, chat):
    first, second = make_engine(backend.store()), make_engine(backend.store())
    ann = chat(first)
    ann.say("hi")
    ann.say("none", event_id="Ev1")
    assert ann.question() == "screen_urgent"

    retry = Incoming(key=ann.key, user=ann.user, text="none", event_id="Ev1")
    assert second.handle(retry) == []
    assert first.handle(retry) == []
    assert ann.stored(backend.store()).state == "screen_urgent"  # not answered a second time

    ann.say("none", event_id="Ev2")
    assert ann.question() == "location"


def test_a_failed_turn_does_not_swallow_the_retry_of_its_event(backend, make_engine, chat, monkeypatch):
    store = backend.store()
    ann = chat(make_engine(store))
    ann.say("hi")
    real_turn = ann.engine.dialogue.turn

    def broken(*args, **kwargs):
        raise RuntimeError("a bug in this turn")

    monkeypatch.setattr(ann.engine.dialogue, "turn", broken)
    ann.say("none", event_id="Ev9")
    assert ann.texts() == [ann.engine.dialog.messages["error"]]

    monkeypatch.setattr(ann.engine.dialogue, "turn", real_turn)
    ann.say("none", event_id="Ev9")  # the platform retries the same event
    assert ann.question() == "screen_urgent"


def test_a_new_engine_on_the_same_store_resumes_the_check(backend, make_engine, chat, check):
    ann = chat(make_engine(backend.store()))
    ann.say("hi")
    for question in check.questions[:3]:
        ann.click(check.answers[question])

    restarted = chat(make_engine(backend.store()))  # as after a bot restart
    opening = restarted.engine.resume(restarted.key)
    assert opening[0].text == restarted.engine.dialog.messages["resumed"]
    assert opening[1].question == check.questions[3]

    restarted.last = opening
    assert restarted.answer_all() == check.questions[3:]
    assert restarted.result().result.cause == check.cause
    assert restarted.stored(backend.store()).answers == check.facts

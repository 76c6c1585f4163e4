"""A stored conversation that no longer decodes (a field renamed by a schema change, a damaged
row) must not lock the person out: whatever they send next, and `kneebot chat` resuming, gets
a fresh start; the row is deleted; the log names the conversation id only, never the data."""

from __future__ import annotations

import json
import logging
import sqlite3
import time

import pytest
import redis

from bot.conversation import Conversation, CorruptConversation
from bot.engine import conversation_id
from bot.keys import conversation_key

SPOILT = {
    "renamed-field": lambda good: good.replace('"state":', '"stage":'),
    "not-json": lambda good: '\x00{"key": "half a row',
    "wrong-type": lambda good: json.dumps({**json.loads(good), "answers": ["none", "none"]}),
}


def _spoil(backend, key: str, how: str) -> str:
    """Replace the stored conversation `key` with a damaged copy, behind the store's back."""
    kind, _, where = backend.spec.partition(":")
    if kind == "sqlite":
        with sqlite3.connect(where) as conn:
            (good,) = conn.execute("SELECT data FROM conversations WHERE key = ?", (key,)).fetchone()
            bad = SPOILT[how](good)
            conn.execute("UPDATE conversations SET data = ? WHERE key = ?", (bad, key))
    else:
        client = redis.Redis.from_url(where)
        good = client.get(f"kneebot:conv:{key}").decode()
        bad = SPOILT[how](good)
        client.set(f"kneebot:conv:{key}", bad, keepttl=True)
        client.close()
    return bad


@pytest.mark.parametrize("how", sorted(SPOILT))
@pytest.mark.parametrize("said", ["forget", "stop", "restart", "hi", "none"])
def test_whatever_the_person_says_next_they_get_a_fresh_start(durable, make_engine, chat, caplog, how, said):
    caplog.set_level(logging.INFO)
    store = durable.store()
    ann = chat(make_engine(store))
    ann.say("hi")
    ann.click("none")
    bad = _spoil(durable, ann.key, how)

    replies = ann.say(said)

    messages = ann.engine.dialog.messages
    assert messages["error"] not in ann.texts() and messages["unavailable"] not in ann.texts()
    assert ann.records[-1].event not in ("error", "store_unavailable")
    if said == "forget":
        assert replies[-1] == ann.engine.dialogue.forgotten(0)  # the damaged row was already gone
    if said in ("hi", "none"):
        assert messages["greeting"] in ann.texts() and ann.question() == "screen_emergency"
    if ann.key in set(store.keys()):  # not deleted: then replaced by a fresh check that reads back
        assert ann.stored(store) is not None
    _logged_the_id_only(caplog, ann, bad)


def test_resuming_a_damaged_conversation_starts_afresh(durable, make_engine, chat, caplog):
    caplog.set_level(logging.INFO)
    store = durable.store()
    ann = chat(make_engine(store))
    ann.say("hi")
    bad = _spoil(durable, ann.key, "renamed-field")

    restarted = chat(make_engine(durable.store()))
    assert restarted.engine.resume(ann.key) == restarted.engine.dialogue.resume(None)
    assert ann.key not in set(store.keys())
    _logged_the_id_only(caplog, ann, bad)


def test_kneebot_chat_resumes_a_damaged_conversation_as_a_new_check(
    durable, spawn, chat, make_engine, dialog
):
    store = durable.store()
    ann = chat(make_engine(store))
    ann.key = conversation_key("console", "local", "terminal", "ann")
    ann.say("hi")
    _spoil(durable, ann.key, "not-json")

    bot = spawn(["-m", "adapters.cli", "chat", *durable.cli_args, "--user", "ann"])
    bot.expect(dialog.questions["screen_emergency"].text[:40])
    bot.send("none")
    bot.expect(dialog.questions["screen_urgent"].text[:40])
    output = bot.finish()

    assert "Traceback" not in output and dialog.messages["resumed"] not in output
    assert store.load(ann.key, now=time.time()).answers == dict.fromkeys(
        dialog.questions["screen_emergency"].facts, "no"
    )


def _logged_the_id_only(caplog, ann, bad: str) -> None:
    warnings = [r for r in caplog.records if r.name == "bot.engine" and r.levelno == logging.WARNING]
    assert len(warnings) == 1
    line = warnings[0].getMessage()
    assert conversation_id(ann.key) in line
    for private in (ann.key, ann.user, bad):
        assert private not in line
    assert all(private not in r.getMessage() for r in caplog.records for private in (ann.key, bad))


@pytest.mark.parametrize(
    "raw",
    [
        b"\xff\xfe not even text",
        "[1, 2, 3]",
        '{"key": "k"}',
        '{"key": "k", "user": "u", "dialog": "d", "version": true, "state": "s", "answers": {}, '
        '"history": [], "step": 0, "started_at": 0, "updated_at": 0}',
        '{"key": "k", "user": "u", "dialog": "d", "version": 1, "state": "s", "answers": {"a": 1}, '
        '"history": [], "step": 0, "started_at": 0, "updated_at": 0}',
        "[" * 100_000,
    ],
    ids=["not-utf8", "a-list", "fields-missing", "bool-for-int", "answer-not-text", "nested-too-deep"],
)
def test_every_kind_of_damage_is_the_one_error_callers_handle(raw):
    with pytest.raises(CorruptConversation):
        Conversation.from_json(raw)


def test_a_conversation_reads_back_as_it_was_written():
    written = Conversation(
        key="k", user="u", dialog="d", version=2, state="s", answers={"a": "b"}, history=[["s", {"a": None}]]
    )
    read = Conversation.from_json(written.to_json())
    assert read.to_json() == written.to_json()


# ----- damage that decodes as JSON but not as a conversation ------------------------------------
def _rewrite(backend, key: str, /, **changes: object) -> None:
    """Change fields of the stored conversation `key` behind the store's back."""
    kind, _, where = backend.spec.partition(":")
    if kind == "sqlite":
        with sqlite3.connect(where) as conn:
            (good,) = conn.execute("SELECT data FROM conversations WHERE key = ?", (key,)).fetchone()
            bad = json.dumps({**json.loads(good), **changes})
            conn.execute("UPDATE conversations SET data = ? WHERE key = ?", (bad, key))
    else:
        client = redis.Redis.from_url(where)
        good = client.get(f"kneebot:conv:{key}").decode()
        client.set(f"kneebot:conv:{key}", json.dumps({**json.loads(good), **changes}), keepttl=True)
        client.close()


DAMAGED_FIELDS = {
    "history-number": {"history": [5]},
    "history-null": {"history": [None]},
    "history-empty-entry": {"history": [[]]},
    "history-state-only": {"history": [["somewhere"]]},
    "history-state-not-text": {"history": [[5, {}]]},
    "history-previous-not-a-mapping": {"history": [["somewhere", ["answer"]]]},
    "history-previous-value-not-text": {"history": [["somewhere", {"answer": 5}]]},
    "history-too-long": {"history": [["somewhere", [], "extra"]]},
    "step-negative": {"step": -3},
    "updated-never": {"updated_at": float("nan")},
    "user-empty": {"user": ""},
}


@pytest.mark.parametrize("damage", sorted(DAMAGED_FIELDS))
@pytest.mark.parametrize("said", ["forget", "stop", "back", "restart", "help", "hi", "1"])
def test_a_damaged_field_is_a_fresh_start_and_forget_and_stop_always_work(
    durable, make_engine, chat, damage, said
):
    store = durable.store()
    ann = chat(make_engine(store))
    ann.say("hi")
    _rewrite(durable, ann.key, **DAMAGED_FIELDS[damage])

    ann.say(said)

    messages = ann.engine.dialog.messages
    assert messages["error"] not in ann.texts(), ann.texts()
    assert ann.records[-1].event not in ("error", "store_unavailable")
    if said == "forget":
        assert ann.texts() == [ann.engine.dialogue.forgotten(0).text]  # the damaged row went first
    if said in ("hi", "1", "restart"):
        assert messages["greeting"] in ann.texts() and ann.question() is not None
    if said in ("forget", "stop"):
        assert ann.key not in set(store.keys())
    else:  # a fresh check or nothing: whatever is kept now reads back
        assert ann.key not in set(store.keys()) or ann.stored(store) is not None


@pytest.mark.parametrize(
    "history", [[5], [None], [["s"]], [[1, []]], [["s", "a"]], [["s", [1]]], [["s", [], 0]]]
)
def test_a_history_of_the_wrong_shape_does_not_decode(history):
    good = json.loads(Conversation(key="k", user="u", dialog="d", version=1, state="s").to_json())
    with pytest.raises(CorruptConversation):
        Conversation.from_json(json.dumps({**good, "history": history}))


# ----- the store's own key and person index are authoritative ----------------------------------
def test_a_row_naming_another_conversation_never_overwrites_it(durable, make_engine, chat):
    store = durable.store()
    engine = make_engine(store)
    ann, bob = chat(engine), chat(engine, user="bob")
    ann.say("hi")
    bob.say("hi")
    bob.click(bob.last[-1].choices[-1].value)  # bob answers something, so his row is his own
    bobs = store.load(bob.key, now=engine.clock()).to_json()
    _rewrite(durable, ann.key, key=bob.key, user=bob.user)

    ann.say("hi")

    assert store.load(bob.key, now=engine.clock()).to_json() == bobs
    assert engine.dialog.messages["greeting"] in ann.texts()  # damage: a fresh start for ann
    assert ann.stored(store).key == ann.key


def test_a_row_naming_another_person_is_still_forgotten_by_its_own(durable, make_engine, chat):
    store = durable.store()
    engine = make_engine(store)
    ann, ann_elsewhere = chat(engine), chat(engine, channel="C1")
    ann.say("hi")
    _rewrite(durable, ann.key, user="test:T1:mallory")

    ann.say("hi")  # a turn on the damaged row: it must not file ann's check under mallory
    assert engine.dialog.messages["greeting"] in ann.texts()
    ann_elsewhere.say("forget")

    assert ann.key not in set(store.keys())
    assert ann_elsewhere.texts() == [engine.dialogue.forgotten(1).text]


@pytest.mark.parametrize("field", ["key", "user"])
def test_decoding_refuses_a_row_filed_under_another_key_or_person(field):
    row = Conversation(key="k", user="u", dialog="d", version=1, state="s").to_json()
    filed = {"key": "k", "user": "u", field: "someone else"}
    with pytest.raises(CorruptConversation):
        Conversation.from_json(row, **filed)
    assert Conversation.from_json(row, key="k", user="u").key == "k"

"""Leaving a place: when a workspace uninstalls kneebot or a Discord server removes it, every
conversation held for that place goes, on every store, and nothing of any other place does.

A conversation belongs to a place when its key lies there (`bot.keys.place_ref` and a colon)
or when it was started from there and is held elsewhere, say a DM opened by `/kneepain` in a
Discord server (`Incoming.origin`, kept as `Conversation.origin`).
"""

from __future__ import annotations

import time

from bot.conversation import Conversation
from bot.keys import conversation_key, person_ref, place_ref
from bot.messages import Incoming


def _start(engine, workspace: str, channel: str, user: str, *, origin: str | None = None) -> str:
    key = conversation_key("test", workspace, channel, user)
    replies = engine.handle(
        Incoming(key=key, user=person_ref("test", workspace, user), text="hi", origin=origin)
    )
    assert replies, "the check started"
    return key


def test_leaving_a_place_deletes_its_conversations_and_no_other(backend, make_engine):
    store = backend.store()
    engine = make_engine(store)
    here = [_start(engine, "T1", "D1", "ann"), _start(engine, "T1", "C9", "bob")]
    elsewhere = [
        _start(engine, "T12", "D1", "ann"),  # a workspace id that merely begins the same way
        _start(engine, "T2", "D2", "cat"),
        _start(engine, "dm", "D3", "dan", origin=place_ref("test", "T2")),
    ]

    assert engine.forget_place(place_ref("test", "T1")) == 2

    assert sorted(store.keys()) == sorted(elsewhere)
    assert engine.forget_place(place_ref("test", "T1")) == 0, "nothing left to delete"
    assert all(store.load(key, now=time.time()) is None for key in here)


def test_a_conversation_started_from_a_place_and_held_elsewhere_goes_with_it(backend, make_engine):
    store = backend.store()
    engine = make_engine(store)
    server = place_ref("test", "G7")
    from_server = _start(engine, "dm", "D1", "ann", origin=server)
    engine.handle(Incoming(key=from_server, user=person_ref("test", "dm", "ann"), text="restart"))
    typed_in_dm = _start(engine, "dm", "D2", "bob")

    assert store.load(from_server, now=time.time()).origin == server  # kept through a restart
    assert engine.forget_place(server) == 1

    assert list(store.keys()) == [typed_in_dm]


def test_a_later_turn_never_moves_a_conversation_to_another_place(backend, make_engine):
    store = backend.store()
    engine = make_engine(store)
    first, second = place_ref("test", "G1"), place_ref("test", "G2")
    key = _start(engine, "dm", "D1", "ann", origin=first)
    engine.open(key, person_ref("test", "dm", "ann"), origin=second)  # /kneepain from another server

    assert engine.forget_place(second) == 0
    assert engine.forget_place(first) == 1


def test_a_conversation_stored_before_origins_existed_still_reads(backend, make_engine):
    """Conversations stored by an older kneebot have no origin field; they are read as before."""
    store = backend.store()
    key = conversation_key("test", "T1", "D1", "ann")
    now = time.time()
    old = Conversation(
        key=key,
        user=person_ref("test", "T1", "ann"),
        dialog="knee_pain",
        version=1,
        state="screen_emergency",
        started_at=now,
        updated_at=now,
    )
    assert "origin" not in old.to_json()
    store.save(old)
    assert store.load(key, now=now).origin == ""
    assert make_engine(store).forget_place(place_ref("test", "T1")) == 1


def test_the_redis_index_never_deletes_a_key_reused_by_another_place(redis_url, make_engine):
    """A DM key listed under one server but since holding a check from another server stays."""
    from bot.store.redis import RedisStore

    store = RedisStore(redis_url)
    try:
        engine = make_engine(store)
        key = _start(engine, "dm", "D1", "ann", origin=place_ref("test", "G1"))
        engine.handle(Incoming(key=key, user=person_ref("test", "dm", "ann"), text="stop"))
        _start(engine, "dm", "D1", "ann", origin=place_ref("test", "G2"))

        assert engine.forget_place(place_ref("test", "G1")) == 0
        assert list(store.keys()) == [key]
    finally:
        store.close()

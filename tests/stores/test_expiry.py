"""Idle conversations are deleted even when nobody talks to the bot: once when an engine
starts (so a restart clears what idled out while it was down), then at most every ten minutes
after a turn; a purge the store cannot do right now never stops the bot from starting."""

from __future__ import annotations

import pytest

from bot.messages import Incoming
from bot.store import SQLiteStore


@pytest.mark.parametrize("backend", ["memory", "sqlite"], indirect=True)  # Redis expires by itself
def test_a_new_engine_purges_what_idled_out_before_anyone_says_anything(backend, make_engine, chat):
    now = [1_000_000.0]
    store = backend.store(ttl_seconds=60)
    engine = make_engine(store, clock=lambda: now[0])
    ann, bob = chat(engine), chat(engine, user="bob")
    ann.say("hi")
    now[0] += 50
    bob.say("hi")
    now[0] += 20  # Ann has been idle 70 s, Bob 20 s

    make_engine(store, clock=lambda: now[0])  # the bot restarts; no one says anything

    assert set(store.keys()) == {bob.key}


def test_an_engine_starts_even_when_the_file_is_locked_and_purges_later(tmp_path, driver, make_engine, chat):
    now = [1_000_000.0]
    path = tmp_path / "kneebot.sqlite3"
    store = SQLiteStore(path, busy_timeout=0.2, ttl_seconds=60)
    ann = chat(make_engine(store, clock=lambda: now[0]))
    ann.say("hi")
    holder = driver("hold", f"sqlite:{path}", "some:other:key", "60")
    holder.expect("holding")
    now[0] += 61

    restarted = make_engine(store, clock=lambda: now[0])  # its purge finds the file locked
    holder.kill9()

    assert list(store.keys()) == [ann.key]  # nothing purged yet, and nothing crashed
    restarted.handle(Incoming(key="test:T1:dm:bob", user="test:T1:bob", text="hi"))
    assert list(store.keys()) == ["test:T1:dm:bob"]  # the next turn's purge did it
    store.close()


def test_housekeeping_forgets_idle_conversations_even_when_nobody_talks(tmp_path):
    """A quiet bot still deletes what idled past the TTL, without waiting for the next turn."""
    import threading

    from bot.dialog.loader import load_dialog
    from bot.engine import Engine, default_dialog_path
    from bot.keys import conversation_key, person_ref
    from bot.messages import Incoming
    from bot.store import SQLiteStore

    now = [1_000_000.0]
    store = SQLiteStore(tmp_path / "quiet.sqlite3", ttl_seconds=60)
    engine = Engine(load_dialog(default_dialog_path()), store, clock=lambda: now[0])
    key = conversation_key("test", "club", "dm", "quiet")
    engine.handle(Incoming(key=key, user=person_ref("test", "club", "quiet"), text="hi"))
    assert list(store.keys()) == [key]

    now[0] += 24 * 3600  # a day later, and nobody has written since
    purged = threading.Event()
    original = store.purge_expired

    def purge_and_tell(*, now: float) -> int:
        count = original(now=now)
        if count:
            purged.set()
        return count

    store.purge_expired = purge_and_tell  # type: ignore[method-assign]
    stop = engine.start_housekeeping(every=0.01)
    try:
        assert purged.wait(timeout=20), "housekeeping never purged"
    finally:
        stop.set()
    assert list(store.keys()) == []

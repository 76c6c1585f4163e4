"""What only the Redis store has to get right: keys that expire in Redis itself, nothing left
about a forgotten person, an outage that is reported once and recovered from without losing
an answer, no fallback to memory, fenced writes, and a URL whose password never reaches a log.
"""

from __future__ import annotations

import dataclasses
import logging
import socket
import subprocess
import sys
import time

import pytest

from bot.store import MemoryStore, SQLiteStore, StoreUnavailable, open_store
from bot.store.redis import RedisStore, redact

ENGINE_LOG = "bot.engine"


def _conv(key: str) -> str:
    return f"kneebot:conv:{key}"


def _index(user: str) -> str:
    return f"kneebot:user:{user}"


def test_conversations_expire_in_redis_itself(redis_url, redis_server, make_engine, chat, eventually):
    store = RedisStore(redis_url, ttl_seconds=1.5)
    ann = chat(make_engine(store))
    ann.say("hi", event_id="Ev1")
    ann.click("none")
    client = redis_server.client()

    assert 0 < client.pttl(_conv(ann.key)) <= 1500
    assert 0 < client.pttl(_index(ann.user)) <= 1500
    assert 0 < client.ttl("kneebot:event:Ev1") <= 3600
    eventually(lambda: not client.exists(_conv(ann.key), _index(ann.user)), "expiry of the idle conversation")

    ann.say("none")
    assert ann.engine.dialog.messages["greeting"] in ann.texts()
    store.close()


def test_every_save_renews_the_expiry(redis_url, redis_server, make_engine, chat):
    store = RedisStore(redis_url, ttl_seconds=600)
    ann = chat(make_engine(store))
    ann.say("hi")
    client = redis_server.client()
    client.pexpire(_conv(ann.key), 5000)
    client.pexpire(_index(ann.user), 5000)

    ann.click("none")
    assert client.pttl(_conv(ann.key)) > 5000
    assert client.pttl(_index(ann.user)) > 5000
    store.close()


def test_forget_leaves_nothing_about_the_person_in_redis(redis_url, redis_server, make_engine, chat):
    store = RedisStore(redis_url)
    engine = make_engine(store)
    ann_dm, ann_channel, bob = chat(engine), chat(engine, channel="C1"), chat(engine, user="bob")
    for person in (ann_dm, ann_channel, bob):
        person.say("hi")

    ann_channel.say("forget")
    names = redis_server.client().keys("*")
    assert [name for name in names if b"ann" in name] == []
    assert sorted(names) == sorted([_conv(bob.key).encode(), _index(bob.user).encode()])
    store.close()


def test_a_redis_outage_is_answered_logged_once_and_loses_nothing(
    own_redis, make_engine, chat, check, caplog
):
    """Redis crashes mid-check (kill -9) and comes back with its append-only file: while it is
    down the person hears "try again in a moment", the log says so once, and afterwards the
    check carries on from the last answer given before the crash."""
    caplog.set_level(logging.INFO, logger=ENGINE_LOG)
    server = own_redis(persistent=True)
    store = RedisStore(server.url)
    ann = chat(make_engine(store))
    ann.say("hi")
    for question in check.questions[:3]:
        ann.click(check.answers[question])
    shown = ann.last
    asked = check.questions[3]
    assert ann.question() == asked

    server.stop(kill=True)
    unavailable = [ann.engine.dialog.messages["unavailable"]]
    ann.click(check.answers[asked], on=shown)
    assert ann.texts() == unavailable
    ann.say("none")
    assert ann.texts() == unavailable
    assert ann.engine.resume(ann.key)[0].text == unavailable[0]
    outages = [r for r in caplog.records if r.name == ENGINE_LOG and r.levelno >= logging.ERROR]
    assert len(outages) == 1 and "unreachable" in outages[0].getMessage()
    assert server.password not in caplog.text

    server.start()
    ann.click(check.answers[asked], on=shown)
    assert ann.question() == check.questions[4]
    assert ann.answer_all() == check.questions[4:]
    assert ann.result().result.cause == check.cause
    assert ann.stored(store).answers == check.facts
    assert [r.getMessage() for r in caplog.records].count("conversation store is back") == 1
    store.close()


def test_after_a_restart_without_persistence_the_bot_simply_starts_again(own_redis, make_engine, chat):
    """Without an append-only file a restarted Redis has forgotten every check (which is why
    the docs ask for one); the bot must still answer at once, with a new check."""
    server = own_redis()
    store = RedisStore(server.url)
    ann = chat(make_engine(store))
    ann.say("hi")
    ann.click("none")
    server.stop()
    server.start()

    ann.click("none")
    assert ann.engine.dialog.messages["greeting"] in ann.texts()
    assert ann.question() == "screen_emergency"
    store.close()


def test_a_full_redis_is_an_outage_too(own_redis, make_engine, chat):
    """Under `maxmemory` with `noeviction` (the setting docs/scaling.md asks for, so that no
    conversation is evicted silently) a full Redis refuses writes: the person hears "try
    again", and the check goes on once there is room."""
    server = own_redis()
    store = RedisStore(server.url)
    ann = chat(make_engine(store))
    ann.say("hi")
    shown = ann.last
    admin = server.client()
    admin.config_set("maxmemory-policy", "noeviction")
    admin.config_set("maxmemory", "1")

    ann.click("none", on=shown)
    assert ann.texts() == [ann.engine.dialog.messages["unavailable"]]
    admin.config_set("maxmemory", "0")
    ann.click("none", on=shown)
    assert ann.question() == "screen_urgent"
    store.close()


def test_redis_unreachable_never_falls_back_to_memory(make_engine, chat, caplog):
    caplog.set_level(logging.INFO, logger=ENGINE_LOG)
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]  # nothing listens here once the socket is closed
    store = RedisStore(f"redis://:hunter2@127.0.0.1:{port}/0", socket_timeout=0.5)
    assert not store.ping()
    ann = chat(make_engine(store))

    for text in ("hi", "none", "none"):  # a memory fallback would start a check and move on
        ann.say(text)
        assert ann.texts() == [ann.engine.dialog.messages["unavailable"]]
    assert len([r for r in caplog.records if r.levelno >= logging.ERROR]) == 1
    assert "hunter2" not in caplog.text
    store.close()


def test_a_write_after_the_lock_expired_is_refused(redis_url, redis_server, make_engine, chat, eventually):
    """A process stalls past its lock's timeout while another takes the conversation over:
    the stalled process's late write must not overwrite the newer state."""
    slow = RedisStore(redis_url, lock_timeout=0.2)
    other = RedisStore(redis_url)
    ann = chat(make_engine(other))
    ann.say("hi")
    client = redis_server.client()

    with pytest.raises(StoreUnavailable), slow.lock(ann.key):
        seen = slow.load(ann.key, now=time.time())
        eventually(lambda: not client.exists(f"kneebot:lock:{ann.key}"), "expiry of the stalled lock")
        with other.lock(ann.key):
            other.save(dataclasses.replace(seen, step=50))
        slow.save(dataclasses.replace(seen, step=99))
    assert ann.stored(other).step == 50
    slow.close()
    other.close()


def test_the_store_is_chosen_in_one_place(tmp_path):
    assert isinstance(open_store(memory=True), MemoryStore)
    assert isinstance(open_store(redis_url="redis://127.0.0.1:1/0"), RedisStore)
    assert isinstance(open_store(sqlite_path=tmp_path / "chosen.sqlite3"), SQLiteStore)


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        ("redis://:s3cret@10.0.0.5:6379/0", "redis://:***@10.0.0.5:6379/0"),
        ("rediss://kneebot:s3cret@cache.example.com:6380/2", "rediss://kneebot:***@cache.example.com:6380/2"),
        ("redis://cache.example.com/0?password=s3cret", "redis://cache.example.com/0"),
        ("unix:///run/redis.sock?db=1", "unix:///run/redis.sock"),
    ],
)
def test_the_redis_url_is_shown_without_its_password(url, shown):
    assert redact(url) == shown
    assert "s3cret" not in RedisStore(url).describe()


def test_the_start_up_line_names_redis_and_hides_the_password(redis_url, redis_server, tmp_path):
    env = {
        "PATH": "/usr/bin:/bin",
        "REDIS_URL": redis_url,
        "LOG_LEVEL": "INFO",
        "HOME": str(tmp_path),
    }
    done = subprocess.run(
        [sys.executable, "-m", "adapters.cli", "chat", "--user", "ann"],
        cwd=tmp_path,
        env=env,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    assert f"store redis (redis://:***@127.0.0.1:{redis_server.port}/0" in done.stderr
    assert redis_server.password not in done.stderr + done.stdout
    assert not (tmp_path / "kneebot.sqlite3").exists()  # Redis chosen, not SQLite as well

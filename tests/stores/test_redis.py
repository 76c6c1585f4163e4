"""What only the Redis store has to get right: keys that expire in Redis itself, nothing left
about a forgotten person, an outage that is reported once and recovered from without losing
an answer, no fallback to memory, fenced writes, and a URL whose password never reaches a log.
"""

from __future__ import annotations

import dataclasses
import logging
import signal
import socket
import subprocess
import sys
import threading
import time

import pytest

from bot.store import MemoryStore, SQLiteStore, open_store
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


def test_a_write_after_the_lock_expired_is_refused(
    redis_url, redis_server, driver, make_engine, chat, eventually
):
    """A process stalls (stopped, as a long pause would) past its lock's lease while another
    takes the conversation over: the stalled process's late write must not overwrite the newer
    state. Stopped, its lease-renewing thread stops too, as it would in a real stall."""
    other = RedisStore(redis_url)
    ann = chat(make_engine(other))
    ann.say("hi")
    client = redis_server.client()
    slow = driver("stall", f"redis:{redis_url}", ann.key, "0.3")
    slow.expect("holding")

    slow.process.send_signal(signal.SIGSTOP)
    try:
        eventually(lambda: not client.exists(f"kneebot:lock:{ann.key}"), "expiry of the stalled lock")
        with other.lock(ann.key):
            seen = other.load(ann.key, now=time.time())
            other.save(dataclasses.replace(seen, step=50))
    finally:
        slow.process.send_signal(signal.SIGCONT)
    slow.send("save")
    slow.expect("refused")
    assert ann.stored(other).step == 50
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


# ----- a turn's event mark and its save land together; a dead turn's lock is a short lease ------
class _RedisDiesMidTurn(RedisStore):
    """A real fault at a precise moment: the Redis server is killed (kill -9) right after the
    turn has checked its event and loaded the conversation, before it saves."""

    def __init__(self, server) -> None:
        super().__init__(server.url)
        self.server = server
        self.armed = False

    def load(self, key, *, now):
        conversation = super().load(key, now=now)
        if self.armed:
            self.armed = False
            self.server.stop(kill=True)
        return conversation


def test_a_turn_lost_to_an_outage_leaves_its_event_unmarked_so_the_retry_is_answered(
    own_redis, make_engine, chat
):
    server = own_redis(persistent=True)  # every write reaches the disk before Redis answers it
    store = _RedisDiesMidTurn(server)
    ann = chat(make_engine(store))
    ann.say("hi")
    shown = ann.last
    click = shown[-1].choices[-1].value

    store.armed = True
    ann.click(click, on=shown, event_id="Ev-lost")
    assert ann.texts() == [ann.engine.dialog.messages["unavailable"]]
    server.start()
    assert not server.client().exists("kneebot:event:Ev-lost")

    ann.click(click, on=shown, event_id="Ev-lost")  # the platform delivers the event again
    assert ann.records[-1].event not in ("duplicate", "store_unavailable", "store_busy", "error")
    assert ann.last and ann.stored(store).step == 1
    ann.click(click, on=shown, event_id="Ev-lost")  # and once answered, it is a duplicate
    assert ann.records[-1].event == "duplicate"
    store.close()


def _engine_lines(caplog, level: int) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.name == ENGINE_LOG and r.levelno == level]


def test_a_process_killed_mid_turn_holds_the_conversation_only_for_a_short_lease(
    redis_url, driver, make_engine, chat, caplog
):
    """kill -9 of a process in the middle of a turn leaves its lock behind: with the default
    settings the next message waits out the short lease and is answered, not told "I can't
    reach my memory" while Redis is up."""
    caplog.set_level(logging.INFO, logger=ENGINE_LOG)
    store = RedisStore(redis_url)
    ann = chat(make_engine(store))
    ann.say("hi")
    shown = ann.last
    holder = driver("hold", f"redis:{redis_url}", ann.key, "default")
    holder.expect("holding")
    holder.kill9()

    ann.click(shown[-1].choices[-1].value, on=shown)

    assert ann.records[-1].event not in ("store_unavailable", "store_busy", "error")
    assert ann.stored(store).step == 1
    assert _engine_lines(caplog, logging.ERROR) == []
    store.close()


def test_a_long_turn_keeps_its_lease_and_a_turn_waiting_on_it_hears_one_moment(
    redis_url, make_engine, chat, caplog
):
    caplog.set_level(logging.INFO, logger=ENGINE_LOG)
    lease = 1.0
    holder = RedisStore(redis_url, lock_lease=lease)
    waiting = RedisStore(redis_url, lock_lease=lease, lock_wait=0.2)
    ann = chat(make_engine(waiting))
    ann.say("hi")
    shown = ann.last

    with holder.lock(ann.key):
        seen = holder.load(ann.key, now=time.time())
        ann.click(shown[-1].choices[-1].value, on=shown)  # another process's turn meanwhile
        assert ann.texts() == [ann.engine.dialog.messages["busy"]]
        assert ann.records[-1].event == "store_busy"
        time.sleep(2.5 * lease)  # well past one lease: renewed while the turn runs, still ours
        holder.save(dataclasses.replace(seen, step=seen.step + 7))

    assert ann.stored(waiting).step == seen.step + 7
    assert _engine_lines(caplog, logging.ERROR) == []  # busy is not an outage
    assert "conversation store is back" not in _engine_lines(caplog, logging.INFO)
    holder.close()
    waiting.close()


def test_one_outage_is_one_unavailable_line_and_one_back_line_whatever_the_threads(
    own_redis, make_engine, chat, caplog
):
    caplog.set_level(logging.INFO, logger=ENGINE_LOG)
    server = own_redis()
    store = RedisStore(server.url)
    engine = make_engine(store)
    people = [chat(engine, user=f"runner{n}") for n in range(8)]

    def everyone_says(text: str) -> None:
        barrier = threading.Barrier(len(people))

        def say(person) -> None:
            barrier.wait()
            person.say(text)

        threads = [threading.Thread(target=say, args=(person,)) for person in people]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)

    everyone_says("hi")
    server.stop(kill=True)
    everyone_says("hi")
    everyone_says("hi")
    server.start()
    everyone_says("hi")
    everyone_says("hi")

    assert len(_engine_lines(caplog, logging.ERROR)) == 1
    assert _engine_lines(caplog, logging.INFO).count("conversation store is back") == 1
    store.close()

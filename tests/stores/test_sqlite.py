"""What only the SQLite store has to get right: WAL mode, a file held by a stuck process
answered with "try again in a moment" instead of an error, and recovery once it is free; a
file only the bot's user can read, and no copy of a deleted conversation left in it."""

from __future__ import annotations

import logging
import os
import sqlite3
import stat
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.store import SQLiteStore


def test_the_file_is_in_wal_mode_so_readers_never_wait_for_a_turn(tmp_path):
    path = tmp_path / "kneebot.sqlite3"
    SQLiteStore(path).close()
    with sqlite3.connect(path) as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_a_file_held_by_a_stuck_process_gets_try_again_then_recovers(
    tmp_path, driver, make_engine, chat, caplog
):
    caplog.set_level(logging.INFO, logger="bot.engine")
    path = tmp_path / "kneebot.sqlite3"
    store = SQLiteStore(path, busy_timeout=0.2)
    ann = chat(make_engine(store))
    ann.say("hi")
    holder = driver("hold", f"sqlite:{path}", ann.key, "60")
    holder.expect("holding")

    ann.say("none")
    assert ann.texts() == [ann.engine.dialog.messages["unavailable"]]
    assert ann.engine.resume(ann.key)[1].question == "screen_emergency"  # reading still works (WAL)

    holder.kill9()
    ann.say("none")
    assert ann.question() == "screen_urgent"
    errors = [r for r in caplog.records if r.name == "bot.engine" and r.levelno >= logging.ERROR]
    assert len(errors) == 1 and "database is locked" in errors[0].getMessage()
    assert [r.getMessage() for r in caplog.records].count("conversation store is back") == 1
    store.close()


# ----- privacy on disk -------------------------------------------------------------------------
@pytest.fixture
def loose_umask() -> Iterator[None]:
    """The common default umask (022), under which a plain file is created world-readable:
    the file modes must not depend on the operator having set a stricter one."""
    old = os.umask(0o022)
    yield
    os.umask(old)


def _files(path: Path) -> dict[str, bytes]:
    """The database file and whichever of its -wal and -shm files exist, as raw bytes."""
    found = {}
    for name in (path.name, f"{path.name}-wal", f"{path.name}-shm"):
        if (path.parent / name).exists():
            found[name] = (path.parent / name).read_bytes()
    return found


def test_the_file_and_its_wal_and_shm_are_readable_by_the_bot_user_only(
    tmp_path, loose_umask, make_engine, chat
):
    path = tmp_path / "data" / "kneebot.sqlite3"
    store = SQLiteStore(path)
    ann = chat(make_engine(store))
    ann.say("hi")
    ann.click("none")

    modes = {name: stat.S_IMODE((path.parent / name).stat().st_mode) for name in _files(path)}
    assert modes == {
        "kneebot.sqlite3": 0o600,
        "kneebot.sqlite3-wal": 0o600,
        "kneebot.sqlite3-shm": 0o600,
    }
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700  # a folder the store made for it
    store.close()


def test_a_world_readable_file_from_before_is_made_private_when_opened(tmp_path, loose_umask):
    path = tmp_path / "kneebot.sqlite3"
    sqlite3.connect(path).close()
    path.chmod(0o644)

    SQLiteStore(path).close()

    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_opening_a_second_store_on_the_file_keeps_the_first_ones_locks(tmp_path, make_engine, chat):
    """POSIX drops every lock a process holds on a file when it closes any descriptor of it.
    Making the file private must therefore never open it: a second store on a file the process
    already uses would drop the first one's SQLite locks, and another process could then, say,
    take the file out of WAL mode under it (SQLite's documented way to corrupt a database)."""
    path = tmp_path / "kneebot.sqlite3"
    first = SQLiteStore(path)
    ann = chat(make_engine(first))
    ann.say("hi")
    path.chmod(0o644)  # so the second store has something to tighten

    second = SQLiteStore(path)

    other = subprocess.run(
        [sys.executable, "-c", SWITCH_OUT_OF_WAL, str(path)], capture_output=True, text=True, timeout=60
    )
    assert other.stdout.strip() == "refused", other.stdout + other.stderr
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    ann.click(ann.last[-1].choices[-1].value)
    assert ann.engine.dialog.messages["error"] not in ann.texts()
    second.close()
    first.close()


SWITCH_OUT_OF_WAL = """
import sqlite3, sys
conn = sqlite3.connect(sys.argv[1], timeout=0.2)
try:
    mode = conn.execute("PRAGMA journal_mode=DELETE").fetchone()[0]
except sqlite3.OperationalError:
    mode = "wal"
print("refused" if mode == "wal" else "switched to " + mode)
"""


def test_a_new_file_is_private_from_the_start(tmp_path, loose_umask):
    path = tmp_path / "new.sqlite3"
    SQLiteStore(path).close()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == []  # no spare left


def _raw_contains(path: Path, secret: bytes) -> list[str]:
    return [name for name, data in _files(path).items() if secret in data]


def test_forget_leaves_no_copy_of_the_person_in_the_file_or_its_wal(tmp_path, make_engine, chat):
    path = tmp_path / "kneebot.sqlite3"
    store = SQLiteStore(path)
    engine = make_engine(store)
    ann, bob = chat(engine, user="U0PRIVATEPERSON"), chat(engine, user="bob")
    bob.say("hi")  # someone else's rows share the pages Ann's are deleted from
    ann.say("hi")
    ann.click("none")
    with sqlite3.connect(path) as other:  # as SQLite's auto-checkpoint would: rows into the file
        other.execute("PRAGMA wal_checkpoint(PASSIVE)")
    ann.click("none")
    ann.click("behind")
    assert _raw_contains(path, b"U0PRIVATEPERSON") != []  # the test looks in the right places

    ann.say("forget")

    assert ann.stored(store) is None and bob.stored(store) is not None
    assert _raw_contains(path, b"U0PRIVATEPERSON") == []
    store.close()


def test_purging_expired_conversations_leaves_no_copy_of_them_either(tmp_path, make_engine, chat):
    now = [1_000_000.0]
    path = tmp_path / "kneebot.sqlite3"
    store = SQLiteStore(path, ttl_seconds=60)
    engine = make_engine(store, clock=lambda: now[0])
    ann, bob = chat(engine, user="U0PRIVATEPERSON"), chat(engine, user="bob")
    ann.say("hi")
    ann.click("none")
    with sqlite3.connect(path) as other:
        other.execute("PRAGMA wal_checkpoint(PASSIVE)")
    assert _raw_contains(path, b"U0PRIVATEPERSON") != []

    now[0] += 61
    bob.say("hi")  # Bob's conversation is fresh; Ann's idled out
    assert store.purge_expired(now=now[0]) == 1

    assert bob.stored(store) is not None
    assert _raw_contains(path, b"U0PRIVATEPERSON") == []
    store.close()


# ----- a write SQLite refuses is an outage, not a bug --------------------------------------------
REFUSALS = {
    # Root ignores file modes, so the test asks SQLite itself to refuse writes on the store's
    # own connection: the same SQLITE_READONLY a read-only file gives a new connection.
    "read-only": ("PRAGMA query_only=ON", "PRAGMA query_only=OFF"),
    # A full disk, as SQLite reports it (SQLITE_FULL), without filling one: the file may not
    # grow, and the turn's event id is long enough to need a new page.
    "disk-full": ("PRAGMA max_page_count=1", "PRAGMA max_page_count=1000000"),
}


@pytest.mark.parametrize("refusal", sorted(REFUSALS))
def test_a_write_refused_mid_turn_is_an_outage_and_the_retry_is_answered(
    tmp_path, make_engine, chat, caplog, refusal
):
    caplog.set_level(logging.INFO, logger="bot.engine")
    store = SQLiteStore(tmp_path / "kneebot.sqlite3")
    ann = chat(make_engine(store))
    ann.say("hi")
    shown = ann.last
    saved = ann.stored(store).to_json()
    refuse, allow = REFUSALS[refusal]
    store._conn().execute(refuse)  # the connection this thread's turns use
    event = "Ev-click-" + "x" * 20_000

    for _ in range(2):
        ann.click(shown[-1].choices[-1].value, on=shown, event_id=event)
        assert ann.texts() == [ann.engine.dialog.messages["unavailable"]]
        assert ann.records[-1].event == "store_unavailable"
    assert ann.stored(store).to_json() == saved

    store._conn().execute(allow)
    ann.click(shown[-1].choices[-1].value, on=shown, event_id=event)  # the platform's retry
    assert (
        ann.texts()[-1] != ann.engine.dialog.messages["unavailable"] and ann.records[-1].event != "duplicate"
    )
    engine_lines = [r for r in caplog.records if r.name == "bot.engine" and r.levelno >= logging.ERROR]
    assert len(engine_lines) == 1 and engine_lines[0].exc_info is None  # one line, no traceback
    store.close()

"""What only the SQLite store has to get right: WAL mode, a file held by a stuck process
answered with "try again in a moment" instead of an error, and recovery once it is free."""

from __future__ import annotations

import logging
import sqlite3

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

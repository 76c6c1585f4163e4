"""Reading a message (red-flag scan, typo correction) happens before the turn takes the store's
lock, so one person's enormous message never holds up anyone else. It matters most on SQLite,
whose write lock covers the whole file: a turn reading under it would stall every conversation.
"""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from bot.dialog import Dialog
from bot.engine import Engine
from bot.keys import conversation_key, person_ref
from bot.messages import Incoming, Reply
from bot.reading.reader import Reading
from bot.store import SQLiteStore

WAIT_SECONDS = 20.0
"""Only a bound against hanging: the test holds the reading with an Event, it times nothing."""

HUGE = "zqxv " * 10_000
"""50,000 characters of words the dialog does not know: the slowest thing to read."""


def _incoming(name: str, text: str) -> Incoming:
    return Incoming(
        key=conversation_key("slack", "T1", f"D{name}", name), user=person_ref("slack", "T1", name), text=text
    )


def test_another_conversation_is_answered_while_a_huge_message_is_being_read(
    dialog: Dialog, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = SQLiteStore(tmp_path / "kneebot.sqlite3")
    engine = Engine(dialog, store)
    reading, release = threading.Event(), threading.Event()
    real_read = engine.dialogue.read

    def held_read(incoming: Incoming) -> Reading:
        if incoming.text == HUGE:
            reading.set()
            release.wait(WAIT_SECONDS)  # the huge message is "still being read" until released
        return real_read(incoming)

    monkeypatch.setattr(engine.dialogue, "read", held_read)
    ann_replies: list[Reply] = []
    bob_replies: list[Reply] = []
    ann = threading.Thread(target=lambda: ann_replies.extend(engine.handle(_incoming("ann", HUGE))))
    bob = threading.Thread(target=lambda: bob_replies.extend(engine.handle(_incoming("bob", "hi"))))
    try:
        ann.start()
        assert reading.wait(WAIT_SECONDS), "the huge message never reached the reader"
        bob.start()
        bob.join(WAIT_SECONDS)
        bob_done_while_ann_read = not bob.is_alive() and ann.is_alive()
    finally:
        release.set()
        ann.join(WAIT_SECONDS)
        bob.join(WAIT_SECONDS)

    assert bob_done_while_ann_read, "Bob's turn waited for Ann's message to be read"
    assert bob_replies[0].text == dialog.messages["greeting"]
    assert not ann.is_alive() and ann_replies
    assert dialog.messages["error"] not in [reply.text for reply in ann_replies]
    store.close()

"""The in-memory store keeps nothing per conversation once turns are done with it."""

from __future__ import annotations

import threading

from bot.conversation import Conversation
from bot.store import MemoryStore


def test_locks_are_released_when_no_turn_needs_them_even_under_contention() -> None:
    store = MemoryStore()
    seen: list[int] = []

    def turn(key: str) -> None:
        with store.lock(key):
            seen.append(len(seen))
            store.save(Conversation(key=key, user="u", dialog="d", version=1, state="s", updated_at=0))

    threads = [threading.Thread(target=turn, args=(f"k{i % 3}",)) for i in range(30)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=10)
    assert len(seen) == 30
    assert store._locks == {}  # a long-running --memory process must not grow a lock per key
    assert sorted(store.keys()) == ["k0", "k1", "k2"]

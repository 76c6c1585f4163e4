"""Conversations in a dict: for tests and benchmarks, lost when the process ends."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

from bot.conversation import Conversation
from bot.store.base import EVENT_TTL_SECONDS, Store, in_place


class MemoryStore(Store):
    """Keeps serialised conversations, so a test sees exactly what a durable store would."""

    name = "memory"

    def __init__(self, **kwargs: float) -> None:
        super().__init__(**kwargs)
        self._rows: dict[str, tuple[str, str, float, str]] = {}  # key -> user, JSON, updated, origin
        self._events: dict[str, float] = {}
        self._guard = threading.Lock()
        self._locks: dict[str, list] = {}  # key -> [lock, turns holding or waiting for it]
        self._turn = threading.local()

    @contextmanager
    def lock(self, key: str) -> Iterator[None]:
        """Like a transaction in the durable stores: a turn that fails un-marks the event ids
        it recorded, so the platform's retry of that event is answered."""
        with self._guard:
            entry = self._locks.setdefault(key, [threading.Lock(), 0])
            entry[1] += 1
        try:
            with entry[0]:
                self._turn.events = []
                try:
                    yield
                except BaseException:
                    with self._guard:
                        for event_id in self._turn.events:
                            self._events.pop(event_id, None)
                    raise
                finally:
                    self._turn.events = None
        finally:
            with self._guard:  # the last turn out removes the lock: a long run keeps no lock per key
                entry[1] -= 1
                if entry[1] == 0:
                    del self._locks[key]

    def load(self, key: str, *, now: float) -> Conversation | None:
        row = self._rows.get(key)
        if row is None:
            return None
        if now - row[2] > self.ttl_seconds:
            self._rows.pop(key, None)
            return None
        return Conversation.from_json(row[1], key=key, user=row[0])

    def save(self, conversation: Conversation) -> None:
        self._rows[conversation.key] = (
            conversation.user,
            conversation.to_json(),
            conversation.updated_at,
            conversation.origin,
        )

    def delete(self, key: str) -> None:
        self._rows.pop(key, None)

    def forget_user(self, user: str) -> int:
        with self._guard:
            doomed = [key for key, row in self._rows.items() if row[0] == user]
            for key in doomed:
                del self._rows[key]
        return len(doomed)

    def forget_place(self, place: str) -> int:
        with self._guard:
            doomed = [key for key, row in self._rows.items() if in_place(key, row[3], place)]
            for key in doomed:
                del self._rows[key]
        return len(doomed)

    def first_delivery(self, event_id: str, *, now: float) -> bool:
        with self._guard:
            seen = self._events.get(event_id)
            if seen is not None and now - seen < EVENT_TTL_SECONDS:
                return False
            self._events[event_id] = now
        if getattr(self._turn, "events", None) is not None:
            self._turn.events.append(event_id)
        return True

    def purge_expired(self, *, now: float) -> int:
        with self._guard:
            doomed = [k for k, row in self._rows.items() if now - row[2] > self.ttl_seconds]
            for key in doomed:
                del self._rows[key]
            for event_id in [e for e, t in self._events.items() if now - t >= EVENT_TTL_SECONDS]:
                del self._events[event_id]
        return len(doomed)

    def keys(self) -> Iterator[str]:
        return iter(list(self._rows))

    def stored_bytes(self, key: str) -> int:
        """Size of one stored conversation, for the benchmarks."""
        return len(self._rows[key][1].encode())

"""The small interface every conversation store shares.

A turn runs as: `with store.lock(key)`, `first_delivery`, `load`, step the dialog (pure),
`save`. The lock serialises turns on one conversation across threads and, for SQLite and Redis,
across processes, so a double click or a retry racing the original never both apply to the
same old state. A turn that fails inside the lock leaves no trace: nothing is saved and its
event id is not remembered, so the platform's retry gets a real answer (the event mark and the
turn's write are one transaction, or one script, and succeed or fail together).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterator
from contextlib import AbstractContextManager

from bot.conversation import Conversation

DEFAULT_TTL_SECONDS = 24 * 60 * 60
"""Idle conversations are forgotten after a day: long enough to finish a check after a run,
short enough that health details do not linger."""

EVENT_TTL_SECONDS = 60 * 60
"""Slack retries within minutes; an hour of remembered event ids covers every retry policy."""


class StoreUnavailable(Exception):
    """The store cannot be reached right now; the person is asked to try again shortly."""


class StoreBusy(StoreUnavailable):
    """The store answers, but another turn has held this conversation for longer than a turn
    waits (a stuck process). Not an outage: the person is asked to send it again in a moment.
    A kind of `StoreUnavailable`, so a caller that only knows that one still handles it."""


class Store(ABC):
    """Where conversations live between turns. Implementations must be thread-safe."""

    name: str = "store"

    def __init__(self, *, ttl_seconds: float = DEFAULT_TTL_SECONDS) -> None:
        self.ttl_seconds = ttl_seconds

    @abstractmethod
    def lock(self, key: str) -> AbstractContextManager[None]:
        """Hold while one turn of conversation `key` loads, steps and saves."""

    @abstractmethod
    def load(self, key: str, *, now: float) -> Conversation | None:
        """The conversation, or None when there is none or it idled past the TTL. A stored
        conversation that does not decode, or names another key (or, where the store keeps its
        own person index beside the row, another person) than the store filed it under, raises
        `CorruptConversation` (the engine deletes it)."""

    @abstractmethod
    def save(self, conversation: Conversation) -> None: ...

    @abstractmethod
    def delete(self, key: str) -> None: ...

    @abstractmethod
    def forget_user(self, user: str) -> int:
        """Delete every conversation of this person; return how many there were."""

    @abstractmethod
    def forget_place(self, place: str) -> int:
        """Delete every conversation held for one workspace or server (`bot.keys.place_ref`):
        those whose key lies there, and those started from there (`Conversation.origin`).
        Return how many there were. Called when the app is removed from that place."""

    @abstractmethod
    def first_delivery(self, event_id: str, *, now: float) -> bool:
        """Record `event_id`; True the first time it is seen, False for a duplicate."""

    @abstractmethod
    def purge_expired(self, *, now: float) -> int:
        """Delete conversations idle past the TTL; return how many."""

    def ping(self) -> bool:
        """True when the store answers; used by health checks."""
        return True

    def check(self) -> None:
        """Raise `StoreUnavailable`, with the reason, unless the store answers now: a command
        that is only useful with its store (the console chat) says so at start instead."""
        if not self.ping():
            raise StoreUnavailable(f"{self.describe()} does not answer")

    def describe(self) -> str:
        """A short, secret-free description for the start-up log line."""
        return f"{self.name} (idle conversations kept {self.ttl_seconds / 3600:g} h)"

    def close(self) -> None:
        """Release connections; the store is not used afterwards."""

    def keys(self) -> Iterator[str]:
        """Every stored conversation key (tests and tooling; not on the hot path)."""
        raise NotImplementedError


def in_place(key: str, origin: str, place: str) -> bool:
    """Whether a conversation belongs to `place`: its key lies there, or it was started there."""
    return key.startswith(place + ":") or origin == place

"""Conversations in one SQLite file: the embedded default, durable across restarts.

WAL mode lets readers and the single writer work side by side. A turn holds `BEGIN
IMMEDIATE` for its whole load-step-save, which serialises turns across threads and processes
sharing the file (SQLite has one writer at a time anyway, and a turn is far under a
millisecond).
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from bot.conversation import Conversation
from bot.store.base import EVENT_TTL_SECONDS, Store, StoreUnavailable

_SCHEMA = """
CREATE TABLE IF NOT EXISTS conversations (
    key TEXT PRIMARY KEY,
    user TEXT NOT NULL,
    updated_at REAL NOT NULL,
    data TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS conversations_user ON conversations(user);
CREATE INDEX IF NOT EXISTS conversations_updated ON conversations(updated_at);
CREATE TABLE IF NOT EXISTS events (id TEXT PRIMARY KEY, seen_at REAL NOT NULL);
"""


class SQLiteStore(Store):
    name = "sqlite"

    def __init__(self, path: str | Path, *, busy_timeout: float = 30.0, **kwargs: float) -> None:
        """`busy_timeout`: how long a turn waits for another process's turn on the same file
        before the person is asked to try again."""
        super().__init__(**kwargs)
        self.path = Path(path)
        self.busy_timeout = busy_timeout
        self._local = threading.local()
        self._connections: list[sqlite3.Connection] = []
        self._connections_guard = threading.Lock()
        if self.path.parent and not self.path.parent.exists():
            self.path.parent.mkdir(parents=True, exist_ok=True)
        self._conn().executescript(_SCHEMA)

    def _conn(self) -> sqlite3.Connection:
        conn: sqlite3.Connection | None = getattr(self._local, "conn", None)
        if conn is None:
            try:
                conn = sqlite3.connect(
                    self.path, timeout=self.busy_timeout, isolation_level=None, check_same_thread=False
                )
                conn.execute("PRAGMA journal_mode=WAL")
                conn.execute("PRAGMA synchronous=NORMAL")
            except sqlite3.Error as exc:
                raise StoreUnavailable(f"cannot open SQLite file {self.path}: {exc}") from exc
            self._local.conn = conn
            with self._connections_guard:
                self._connections.append(conn)
        return conn

    @contextmanager
    def lock(self, key: str) -> Iterator[None]:
        """One write transaction per turn. A file still locked after the busy timeout (another
        process stuck mid-turn) or a failed commit (disk full, file gone) is an outage the
        person can retry, not a bug; the transaction is rolled back so nothing half-done stays."""
        conn = self._conn()
        try:
            conn.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as exc:
            raise StoreUnavailable(f"SQLite file {self.path} cannot be written: {exc}") from exc
        try:
            yield
        except BaseException:
            _rollback(conn)
            raise
        try:
            conn.execute("COMMIT")
        except sqlite3.OperationalError as exc:
            _rollback(conn)
            raise StoreUnavailable(f"SQLite file {self.path} cannot be written: {exc}") from exc

    def load(self, key: str, *, now: float) -> Conversation | None:
        row = (
            self._conn()
            .execute("SELECT updated_at, data FROM conversations WHERE key = ?", (key,))
            .fetchone()
        )
        if row is None:
            return None
        if now - row[0] > self.ttl_seconds:
            self.delete(key)
            return None
        return Conversation.from_json(row[1])

    def save(self, conversation: Conversation) -> None:
        self._conn().execute(
            "INSERT INTO conversations (key, user, updated_at, data) VALUES (?, ?, ?, ?) "
            "ON CONFLICT(key) DO UPDATE SET user = excluded.user, "
            "updated_at = excluded.updated_at, data = excluded.data",
            (conversation.key, conversation.user, conversation.updated_at, conversation.to_json()),
        )

    def delete(self, key: str) -> None:
        self._conn().execute("DELETE FROM conversations WHERE key = ?", (key,))

    def forget_user(self, user: str) -> int:
        cursor = self._conn().execute("DELETE FROM conversations WHERE user = ?", (user,))
        return cursor.rowcount

    def first_delivery(self, event_id: str, *, now: float) -> bool:
        cursor = self._conn().execute(
            "INSERT INTO events (id, seen_at) VALUES (?, ?) ON CONFLICT(id) DO UPDATE "
            "SET seen_at = excluded.seen_at WHERE events.seen_at < ?",
            (event_id, now, now - EVENT_TTL_SECONDS),
        )
        return cursor.rowcount == 1

    def purge_expired(self, *, now: float) -> int:
        conn = self._conn()
        cursor = conn.execute("DELETE FROM conversations WHERE updated_at < ?", (now - self.ttl_seconds,))
        conn.execute("DELETE FROM events WHERE seen_at < ?", (now - EVENT_TTL_SECONDS,))
        return cursor.rowcount

    def ping(self) -> bool:
        try:
            self._conn().execute("SELECT 1").fetchone()
        except (sqlite3.Error, StoreUnavailable):
            return False
        return True

    def describe(self) -> str:
        return f"sqlite ({self.path}, idle conversations kept {self.ttl_seconds / 3600:g} h)"

    def keys(self) -> Iterator[str]:
        rows = self._conn().execute("SELECT key FROM conversations").fetchall()
        return iter([row[0] for row in rows])

    def stored_bytes(self, key: str) -> int:
        row = (
            self._conn()
            .execute(
                "SELECT length(CAST(data AS BLOB)) + length(CAST(key AS BLOB)) "
                "+ length(CAST(user AS BLOB)) + 8 FROM conversations WHERE key = ?",
                (key,),
            )
            .fetchone()
        )
        return int(row[0])

    def close(self) -> None:
        with self._connections_guard:
            for conn in self._connections:
                conn.close()
            self._connections.clear()
        self._local = threading.local()


def _rollback(conn: sqlite3.Connection) -> None:
    if conn.in_transaction:
        conn.execute("ROLLBACK")

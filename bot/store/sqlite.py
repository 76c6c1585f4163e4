"""Conversations in one SQLite file: the embedded default, durable across restarts.

WAL mode lets readers and the single writer work side by side. A turn holds `BEGIN
IMMEDIATE` for its whole load-step-save, which serialises turns across threads and processes
sharing the file (SQLite has one writer at a time anyway, and a turn is far under a
millisecond).

The file holds health answers, so it is private to the bot's user: created mode 0600 (and an
existing file made so), with `secure_delete` on so a deleted row is overwritten with zeros
rather than left in free space. SQLite creates the -wal and -shm files with the mode of the
database file, so they are private too. After `forget` and after purging expired rows, the WAL
is checkpointed and truncated, so no older copy of a deleted row stays in it either.

Why `os.open(..., 0o600)` and not a umask: the umask is process-wide, and changing it around
`sqlite3.connect` would also change the mode of files any other thread creates meanwhile. Why
never on the database file itself once it exists: see `_make_private`.
"""

from __future__ import annotations

import contextlib
import logging
import os
import sqlite3
import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from bot.conversation import Conversation
from bot.store.base import EVENT_TTL_SECONDS, Store, StoreUnavailable

log = logging.getLogger(__name__)

PRIVATE = 0o600
"""Owner read and write only: the database file, and through it its -wal and -shm files."""

SCRUB_WAIT_MS = 1000
"""How long a checkpoint after `forget` waits for readers before leaving the rest to the next."""

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
            self.path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        _make_private(self.path)
        with self._refused():
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
                conn.execute("PRAGMA secure_delete=ON")  # per connection: zero what is deleted
            except sqlite3.Error as exc:
                raise StoreUnavailable(f"cannot open SQLite file {self.path}: {exc}") from exc
            self._local.conn = conn
            with self._connections_guard:
                self._connections.append(conn)
        return conn

    @contextmanager
    def _refused(self) -> Iterator[None]:
        """Whatever SQLite refuses (locked past the busy timeout, a read-only file, a full disk,
        an I/O error, a file that is not a database) is an outage the person can retry, never
        a bug: the turn is answered "try again in a moment" and logged as one line."""
        try:
            yield
        except (sqlite3.OperationalError, sqlite3.DatabaseError) as exc:
            if isinstance(exc, _BUGS):
                raise
            raise StoreUnavailable(f"SQLite file {self.path} cannot be written: {exc}") from exc

    @contextmanager
    def lock(self, key: str) -> Iterator[None]:
        """One write transaction per turn. A file still locked after the busy timeout (another
        process stuck mid-turn) or a failed commit (disk full, file gone) is an outage the
        person can retry, not a bug; the transaction is rolled back so nothing half-done stays."""
        conn = self._conn()
        with self._refused():
            conn.execute("BEGIN IMMEDIATE")
        try:
            yield
        except BaseException:
            self._local.scrub = False
            _rollback(conn)
            raise
        scrub, self._local.scrub = getattr(self._local, "scrub", False), False
        try:
            with self._refused():
                conn.execute("COMMIT")
        except StoreUnavailable:
            _rollback(conn)
            raise
        if scrub:
            self._scrub(conn)

    def load(self, key: str, *, now: float) -> Conversation | None:
        with self._refused():
            row = (
                self._conn()
                .execute("SELECT updated_at, data, user FROM conversations WHERE key = ?", (key,))
                .fetchone()
            )
        if row is None:
            return None
        if now - row[0] > self.ttl_seconds:
            self.delete(key)
            return None
        return Conversation.from_json(row[1], key=key, user=row[2])

    def save(self, conversation: Conversation) -> None:
        with self._refused():
            self._conn().execute(
                "INSERT INTO conversations (key, user, updated_at, data) VALUES (?, ?, ?, ?) "
                "ON CONFLICT(key) DO UPDATE SET user = excluded.user, "
                "updated_at = excluded.updated_at, data = excluded.data",
                (conversation.key, conversation.user, conversation.updated_at, conversation.to_json()),
            )

    def delete(self, key: str) -> None:
        with self._refused():
            self._conn().execute("DELETE FROM conversations WHERE key = ?", (key,))

    def forget_user(self, user: str) -> int:
        conn = self._conn()
        with self._refused():
            cursor = conn.execute("DELETE FROM conversations WHERE user = ?", (user,))
        self._scrub_soon(conn)
        return cursor.rowcount

    def forget_place(self, place: str) -> int:
        """A scan: rare (an uninstall), and conversations expire within a day, so the table is
        small. The origin lives in the stored JSON; a row that is not JSON has none."""
        prefix = place + ":"
        conn = self._conn()
        cursor = conn.execute(
            "DELETE FROM conversations WHERE substr(key, 1, ?) = ? "
            "OR (CASE WHEN json_valid(data) THEN json_extract(data, '$.origin') END) = ?",
            (len(prefix), prefix, place),
        )
        self._scrub_soon(conn)
        return cursor.rowcount

    def first_delivery(self, event_id: str, *, now: float) -> bool:
        with self._refused():
            cursor = self._conn().execute(
                "INSERT INTO events (id, seen_at) VALUES (?, ?) ON CONFLICT(id) DO UPDATE "
                "SET seen_at = excluded.seen_at WHERE events.seen_at < ?",
                (event_id, now, now - EVENT_TTL_SECONDS),
            )
        return cursor.rowcount == 1

    def purge_expired(self, *, now: float) -> int:
        conn = self._conn()
        with self._refused():
            cursor = conn.execute("DELETE FROM conversations WHERE updated_at < ?", (now - self.ttl_seconds,))
            conn.execute("DELETE FROM events WHERE seen_at < ?", (now - EVENT_TTL_SECONDS,))
        if cursor.rowcount:
            self._scrub_soon(conn)
        return cursor.rowcount

    def _scrub_soon(self, conn: sqlite3.Connection) -> None:
        """Scrub now, or once the turn commits: a checkpoint cannot run inside a transaction."""
        if conn.in_transaction:
            self._local.scrub = True
        else:
            self._scrub(conn)

    def _scrub(self, conn: sqlite3.Connection) -> None:
        """Copy the WAL into the file and truncate it, so the WAL keeps no older copy of a row
        just deleted (the file itself has zeros there: `secure_delete`). Best effort: it waits
        at most `SCRUB_WAIT_MS` for readers; what it cannot do now the next checkpoint does."""
        try:
            conn.execute(f"PRAGMA busy_timeout={SCRUB_WAIT_MS}")
            busy = conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()[0]
        except sqlite3.Error as exc:
            log.warning("could not checkpoint %s after deleting conversations: %s", self.path, exc)
            busy = 0
        finally:
            conn.execute(f"PRAGMA busy_timeout={round(self.busy_timeout * 1000)}")
        if busy:
            log.info("%s: readers kept the WAL from being truncated; the next checkpoint will", self.path)

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


def _make_private(path: Path) -> None:
    """Create the database file owner-only before SQLite opens it, or make an existing one so.
    SQLite gives the -wal and -shm files the database file's mode; any already there (left by
    an older version) are tightened here too.

    By path only, never by opening the file: POSIX drops every lock a process holds on a file
    when it closes any descriptor of it, so an `open`/`close` here while this process already
    has connections to the file (a second store on it) would silently drop their SQLite locks,
    SQLite's documented way to corrupt a database. A new file is made under a temporary name
    and linked into place, so no descriptor of it is ever open once others can see it."""
    try:
        if not path.exists():
            _create_private(path)
        mode = path.stat().st_mode
    except OSError as exc:
        raise StoreUnavailable(f"cannot open SQLite file {path}: {exc.strerror or exc}") from exc
    _tighten(path, mode)
    for suffix in ("-wal", "-shm"):
        sidecar = path.with_name(path.name + suffix)
        try:
            mode = sidecar.stat().st_mode
        except FileNotFoundError:
            continue
        _tighten(sidecar, mode)


def _create_private(path: Path) -> None:
    """An empty owner-only file at `path`, unless one appeared meanwhile (then that one stays)."""
    spare = path.with_name(f".{path.name}.{uuid.uuid4().hex[:12]}.new")
    os.close(os.open(spare, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE))
    try:
        os.link(spare, path)
    except FileExistsError:
        pass
    except OSError:  # a file system without hard links: create in place, still before any connection
        with contextlib.suppress(FileExistsError):
            os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE))
    finally:
        spare.unlink()


def _tighten(path: Path, mode: int) -> None:
    """chmod 600 `path` if others can read it (by path: see `_make_private`)."""
    if mode & 0o077:
        try:
            os.chmod(path, PRIVATE)
        except PermissionError:
            log.warning("%s is readable by other users and not ours to change: chmod 600 it", path)


_BUGS = (sqlite3.ProgrammingError, sqlite3.IntegrityError, sqlite3.InterfaceError, sqlite3.DataError)
"""sqlite3 errors that mean our SQL or our values are wrong: a bug, logged with its traceback."""


def _rollback(conn: sqlite3.Connection) -> None:
    """Undo a failed turn. SQLite may already have rolled back by itself (after SQLITE_FULL, an
    I/O error), and a failing ROLLBACK must not hide the error that brought us here."""
    if conn.in_transaction:
        with contextlib.suppress(sqlite3.Error):
            conn.execute("ROLLBACK")

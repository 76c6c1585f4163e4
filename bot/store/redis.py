"""Conversations in Redis: how kneebot grows past one process or one machine.

Every bot process talks to the same Redis, so a conversation can move from one process to
another between turns, and a duplicate delivery is recognised wherever it lands.

Layout (all under one prefix, `kneebot:` by default):

- `conv:<conversation key>`: the conversation as compact JSON, with an expiry of the idle TTL,
  renewed on every save. Redis forgets idle conversations by itself.
- `user:<person ref>`: a set of that person's conversation keys, so `forget` finds them all.
  Its expiry is renewed with each save, so it always outlives the conversations it lists.
- `place:<place ref>`: the same for conversations started from a workspace or server but held
  elsewhere (`Conversation.origin`), so leaving that place finds them; conversations whose key
  lies in the place are found by scanning for the key prefix.
- `event:<event id>`: marks an event answered, for `EVENT_TTL_SECONDS`; a later delivery finds
  it and is dropped, on any process. Written by the same script as the turn's save (or delete,
  or forget), so the mark and the turn succeed or fail together: a turn lost to an outage never
  leaves its event marked, and the platform's retry gets a real answer.
- `lock:<conversation key>`: redis-py's `Lock` (a `SET NX PX` token, released by a script that
  deletes it only if the token is still ours).

Why a lock and not a compare-and-set with WATCH: the engine's turn is "lock, check the event,
load, step, save", and a lock keeps exactly that shape in every store, where WATCH would need
a retry loop in the engine and a second way of de-duplicating events. A turn takes well under a
millisecond, so waiting for the lock costs nothing in practice.

The lock is a short lease (`lock_lease`, 1.5 s), renewed by a background thread while a turn
runs, so a process killed in the middle of a turn blocks the conversation for at most the
lease, and the next message is answered within it. A turn that still finds the conversation
locked after `lock_wait` (a live process stuck on it) is told "one moment" (`StoreBusy`), not
that Redis is down. Because an expired lease could let a stalled process write after another
one took over, every write made under the lock is fenced: a script checks that the lock still
holds our token before it writes, and refuses otherwise.

Connection problems become `StoreUnavailable`: the person is asked to try again in a moment and
the next turn simply tries Redis again. There is no fallback to memory, which would split
conversations between processes without anyone noticing.
"""

from __future__ import annotations

import logging
import threading
import uuid
import weakref
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar
from urllib.parse import urlsplit, urlunsplit

import redis
from redis.backoff import ExponentialWithJitterBackoff
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import LockError, LockNotOwnedError, OutOfMemoryError, ReadOnlyError, RedisError
from redis.exceptions import TimeoutError as RedisTimeoutError
from redis.retry import Retry

from bot.conversation import Conversation
from bot.store.base import DEFAULT_TTL_SECONDS, EVENT_TTL_SECONDS, Store, StoreBusy, StoreUnavailable

log = logging.getLogger(__name__)

T = TypeVar("T")

_OUTAGE = (RedisConnectionError, RedisTimeoutError, ReadOnlyError, OutOfMemoryError)
"""Errors that mean "Redis cannot serve us right now" (down, restarting, loading its data,
a replica after a failover, full under `maxmemory`), as opposed to a bug in how we call it."""

# Every write script ends with the turn's event marks: KEYS after the fixed ones, each set for
# ARGV[1] seconds, so a turn's write and its marks land together or not at all.
_MARKS = """
for i = FIRST, #KEYS do redis.call('set', KEYS[i], '1', 'EX', ARGV[1]) end
"""

# KEYS: lock, conversation, user index, place index, marks.
# ARGV: mark ttl s, lock token ('' = none), json, ttl ms, conversation key, origin ('' = none)
_SAVE = (
    """
if ARGV[2] ~= '' and redis.call('get', KEYS[1]) ~= ARGV[2] then return 0 end
redis.call('set', KEYS[2], ARGV[3], 'PX', ARGV[4])
redis.call('sadd', KEYS[3], ARGV[5])
redis.call('pexpire', KEYS[3], ARGV[4])
if ARGV[6] ~= '' then
  redis.call('sadd', KEYS[4], ARGV[5])
  redis.call('pexpire', KEYS[4], ARGV[4])
end
"""
    + _MARKS.replace("FIRST", "5")
    + "return 1"
)

# KEYS: lock, conversation, marks.  ARGV: mark ttl s, lock token ('' = none)
_DELETE = (
    """
if ARGV[2] ~= '' and redis.call('get', KEYS[1]) ~= ARGV[2] then return 0 end
redis.call('del', KEYS[2])
"""
    + _MARKS.replace("FIRST", "3")
    + "return 1"
)

# KEYS: lock, marks.  ARGV: mark ttl s, lock token: a turn that wrote nothing still marks its event.
_MARK = (
    """
if ARGV[2] ~= '' and redis.call('get', KEYS[1]) ~= ARGV[2] then return 0 end
"""
    + _MARKS.replace("FIRST", "2")
    + "return 1"
)

# KEYS: user index, marks.  ARGV: mark ttl s, conversation key prefix.  Atomic, so a save
# racing a forget either lands before it (and is deleted) or after it (and starts a new index).
_FORGET = (
    """
local count = 0
for _, key in ipairs(redis.call('smembers', KEYS[1])) do
  count = count + redis.call('del', ARGV[2] .. key)
end
redis.call('del', KEYS[1])
"""
    + _MARKS.replace("FIRST", "2")
    + "return count"
)

# KEYS: place index.  ARGV: conversation key prefix, place.  A listed conversation is deleted
# only if it still names this place as its origin (the key may have been reused since).
_FORGET_PLACE = """
local count = 0
for _, key in ipairs(redis.call('smembers', KEYS[1])) do
  local raw = redis.call('get', ARGV[1] .. key)
  if raw then
    local ok, fields = pcall(cjson.decode, raw)
    if ok and type(fields) == 'table' and fields['origin'] == ARGV[2] then
      count = count + redis.call('del', ARGV[1] .. key)
    end
  end
end
redis.call('del', KEYS[1])
return count
"""


class RedisStore(Store):
    """A `Store` on one Redis server (standalone, or a primary behind Sentinel or a managed
    service). Not for Redis Cluster: `forget` touches keys it discovers as it runs."""

    name = "redis"

    def __init__(
        self,
        url: str,
        *,
        ttl_seconds: float = DEFAULT_TTL_SECONDS,
        prefix: str = "kneebot:",
        lock_lease: float = 1.5,
        lock_wait: float = 3.0,
        socket_timeout: float = 2.0,
    ) -> None:
        """`lock_lease`: how long a lock outlives a process that died holding it; a live turn
        renews it every third of that. `lock_wait`: how long a turn waits for a conversation
        another turn holds before the person is asked to send it again in a moment (longer
        than the lease, so a dead process's lock is always waited out).
        `socket_timeout`: how long one Redis call may take before Redis counts as unreachable;
        one quick retry covers a connection left stale by a Redis restart."""
        super().__init__(ttl_seconds=ttl_seconds)
        self.url = url
        self.prefix = prefix
        self.lock_lease = lock_lease
        self.lock_wait = lock_wait
        try:
            self._client = redis.Redis.from_url(
                url,
                socket_timeout=socket_timeout,
                socket_connect_timeout=socket_timeout,
                retry=Retry(ExponentialWithJitterBackoff(base=0.05, cap=0.5), retries=1),
                health_check_interval=30,
                client_name="kneebot",
            )
        except ValueError as exc:
            raise StoreUnavailable(f"cannot use REDIS_URL {self.describe()}: {exc}") from exc
        self._save = self._client.register_script(_SAVE)
        self._delete = self._client.register_script(_DELETE)
        self._mark = self._client.register_script(_MARK)
        self._forget = self._client.register_script(_FORGET)
        self._forget_place = self._client.register_script(_FORGET_PLACE)
        self._turn = threading.local()
        self._held: dict[str, Any] = {}  # token -> redis-py Lock, for the renewing thread
        self._held_guard = threading.Lock()
        self._renewer: threading.Thread | None = None
        self._closed = threading.Event()

    # ----- keys --------------------------------------------------------------------------
    def _conv(self, key: str) -> str:
        return f"{self.prefix}conv:{key}"

    def _index(self, user: str) -> str:
        return f"{self.prefix}user:{user}"

    def _place(self, place: str) -> str:
        return f"{self.prefix}place:{place}"

    def _lock_name(self, key: str) -> str:
        return f"{self.prefix}lock:{key}"

    def _event(self, event_id: str) -> str:
        return f"{self.prefix}event:{event_id}"

    def _ttl_ms(self) -> int:
        return max(1, round(self.ttl_seconds * 1000))

    def _call(self, action: Callable[[], T]) -> T:
        try:
            return action()
        except _OUTAGE as exc:
            raise StoreUnavailable(f"Redis at {redact(self.url)} is unreachable: {exc}") from exc

    def _held_token(self, key: str) -> str:
        """The token of the lock this thread holds on `key`, or '' when it holds none."""
        return self._turn.token if getattr(self._turn, "key", None) == key else ""

    def _marks(self, key: str) -> list[str]:
        """The event marks this thread's turn on `key` has yet to write (none outside a turn)."""
        return list(self._turn.events) if getattr(self._turn, "key", None) == key else []

    def _marked(self, key: str) -> None:
        if getattr(self._turn, "key", None) == key:
            self._turn.events = []

    # ----- the Store interface ------------------------------------------------------------
    @contextmanager
    def lock(self, key: str) -> Iterator[None]:
        lock = self._client.lock(
            self._lock_name(key),
            timeout=self.lock_lease,
            blocking_timeout=self.lock_wait,
            sleep=0.01,
            thread_local=False,
        )
        token = uuid.uuid4().hex
        if not self._call(lambda: lock.acquire(token=token)):
            raise StoreBusy(f"a conversation stayed locked for more than {self.lock_wait:g} s")
        self._keep_renewed(token, lock)
        self._turn.key, self._turn.token, self._turn.events = key, token, []
        try:
            yield
            if self._turn.events:  # the turn wrote nothing that carried its event marks
                self._fenced(self._mark, [self._lock_name(key), *self._turn.events], [token])
        finally:
            self._turn.key = self._turn.token = None
            self._turn.events = []
            with self._held_guard:
                self._held.pop(token, None)
            self._release(lock)

    def _fenced(self, script: Any, keys: list[str], args: list[str | int]) -> None:
        """Run a write script that checks our lock first (its ARGV[1] is the marks' expiry)."""
        if not self._call(lambda: script(keys=keys, args=[EVENT_TTL_SECONDS, *args])):
            raise StoreUnavailable(f"a conversation lock lapsed mid-turn (lease {self.lock_lease:g} s)")

    def _keep_renewed(self, token: str, lock: Any) -> None:
        """Have the renewing thread extend this lock's lease for as long as the turn holds it."""
        with self._held_guard:
            self._held[token] = lock
            if self._renewer is None:
                self._renewer = threading.Thread(
                    target=_renew_leases, args=(weakref.ref(self),), name="kneebot-redis-leases", daemon=True
                )
                self._renewer.start()

    def _renew_held(self) -> None:
        with self._held_guard:
            held = list(self._held.values())
        for lock in held:
            try:
                lock.reacquire()
            except LockNotOwnedError:
                pass  # released meanwhile, or lapsed: the turn's fenced writes will refuse
            except (LockError, RedisError) as exc:
                log.debug("could not renew a conversation lock: %s", exc)

    def _release(self, lock: Any) -> None:
        """The turn is already saved (fenced) when this runs; failing to release only means the
        lock lingers until its lease ends, so it is worth a warning, not a failed turn."""
        try:
            lock.release()
        except (LockError, *_OUTAGE) as exc:
            log.warning("could not release a conversation lock (it expires by itself): %s", exc)

    def load(self, key: str, *, now: float) -> Conversation | None:
        raw = self._call(lambda: self._client.get(self._conv(key)))
        if raw is None:
            return None
        conversation = Conversation.from_json(raw, key=key)
        if now - conversation.updated_at > self.ttl_seconds:
            self._call(lambda: self._client.delete(self._conv(key)))
            return None
        return conversation

    def save(self, conversation: Conversation) -> None:
        key = conversation.key
        origin = conversation.origin
        keys = [
            self._lock_name(key),
            self._conv(key),
            self._index(conversation.user),
            self._place(origin),
            *self._marks(key),
        ]
        self._fenced(
            self._save, keys, [self._held_token(key), conversation.to_json(), self._ttl_ms(), key, origin]
        )
        self._marked(key)

    def delete(self, key: str) -> None:
        self._fenced(
            self._delete, [self._lock_name(key), self._conv(key), *self._marks(key)], [self._held_token(key)]
        )
        self._marked(key)

    def forget_user(self, user: str) -> int:
        marks = self._turn.events if getattr(self._turn, "key", None) is not None else []
        keys = [self._index(user), *marks]
        args: list[str | int] = [EVENT_TTL_SECONDS, self._conv("")]
        count = int(self._call(lambda: self._forget(keys=keys, args=args)))
        self._turn.events = []
        return count

    def forget_place(self, place: str) -> int:
        """Conversations keyed in the place are found with SCAN (rare: an uninstall), those
        started from it through its index."""
        pattern = _glob_escape(self._conv(place + ":")) + "*"

        def forget() -> int:
            count = 0
            names = list(self._client.scan_iter(match=pattern, count=500))
            for start in range(0, len(names), 500):
                count += int(self._client.delete(*names[start : start + 500]))
            origin = self._forget_place(keys=[self._place(place)], args=[self._conv(""), place])
            return count + int(origin)

        return self._call(forget)

    def first_delivery(self, event_id: str, *, now: float) -> bool:
        """Inside a turn, only look: the mark is written with the turn's own write (see the
        module docstring). Outside one, mark at once."""
        name = self._event(event_id)
        if getattr(self._turn, "key", None) is None:
            return bool(self._call(lambda: self._client.set(name, b"1", nx=True, ex=EVENT_TTL_SECONDS)))
        if self._call(lambda: self._client.exists(name)):
            return False
        self._turn.events.append(name)
        return True

    def purge_expired(self, *, now: float) -> int:
        """Nothing to do: Redis expires conversations, indexes and event ids by itself."""
        return 0

    def ping(self) -> bool:
        try:
            return bool(self._client.ping())
        except RedisError:
            return False

    def check(self) -> None:
        self._call(self._client.ping)

    def describe(self) -> str:
        return f"redis ({redact(self.url)}, idle conversations kept {self.ttl_seconds / 3600:g} h)"

    def close(self) -> None:
        self._closed.set()
        self._client.close()

    def keys(self) -> Iterator[str]:
        start = len(self._conv(""))
        names = self._call(lambda: list(self._client.scan_iter(match=f"{self._conv('')}*", count=500)))
        return iter([name.decode()[start:] for name in names])

    def stored_bytes(self, key: str) -> int:
        """Size of one stored conversation (its JSON and its key), for tests and benchmarks."""
        return int(self._call(lambda: self._client.strlen(self._conv(key)))) + len(self._conv(key))


def _glob_escape(text: str) -> str:
    """`text` matched literally by a SCAN pattern."""
    return "".join("\\" + c if c in "*?[]\\" else c for c in text)


def redact(url: str) -> str:
    """The URL without its password or query string, safe for a log line."""
    try:
        parts = urlsplit(url)
        host = parts.hostname or ""
        port = parts.port
    except ValueError:
        return "(an unreadable URL)"
    if ":" in host:
        host = f"[{host}]"
    netloc = f"{host}:{port}" if port else host
    if parts.password:
        netloc = f"{parts.username or ''}:***@{netloc}"
    elif parts.username:
        netloc = f"{parts.username}@{netloc}"
    return (
        urlunsplit((parts.scheme, netloc, parts.path, "", "")) if netloc else f"{parts.scheme}://{parts.path}"
    )


def _renew_leases(store_ref: weakref.ref[RedisStore]) -> None:
    """Every third of a lease, extend the leases of the turns in progress. Holds the store only
    weakly, so a store dropped without `close()` does not keep this thread alive."""
    while (store := store_ref()) is not None and not store._closed.is_set():
        period, closed = store.lock_lease / 3, store._closed
        del store
        if closed.wait(period):
            return
        store = store_ref()
        if store is None:
            return
        store._renew_held()
        del store

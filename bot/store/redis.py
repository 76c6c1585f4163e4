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
- `event:<event id>`: written with `SET NX EX` when an event is first seen; a second delivery
  finds it and is dropped, on any process, for `EVENT_TTL_SECONDS`.
- `lock:<conversation key>`: redis-py's `Lock` (a `SET NX PX` token, released by a script that
  deletes it only if the token is still ours).

Why a lock and not a compare-and-set with WATCH: the engine's turn is "lock, check the event,
load, step, save", and a lock keeps exactly that shape in every store, where WATCH would need
a retry loop in the engine and a second way of de-duplicating events. A turn takes well under a
millisecond, so waiting for the lock costs nothing in practice. The lock expires by itself
(`lock_timeout`) so a process killed in the middle of a turn never blocks the conversation for
long; and because an expired lock could let a very slow process write after another one took
over, every write made under the lock is fenced: a script checks that the lock still holds our
token before it writes, and refuses otherwise.

Connection problems become `StoreUnavailable`: the person is asked to try again in a moment and
the next turn simply tries Redis again. There is no fallback to memory, which would split
conversations between processes without anyone noticing.
"""

from __future__ import annotations

import logging
import threading
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar
from urllib.parse import urlsplit, urlunsplit

import redis
from redis.backoff import ExponentialWithJitterBackoff
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import LockError, OutOfMemoryError, ReadOnlyError, RedisError
from redis.exceptions import TimeoutError as RedisTimeoutError
from redis.retry import Retry

from bot.conversation import Conversation
from bot.store.base import DEFAULT_TTL_SECONDS, EVENT_TTL_SECONDS, Store, StoreUnavailable

log = logging.getLogger(__name__)

T = TypeVar("T")

_OUTAGE = (RedisConnectionError, RedisTimeoutError, ReadOnlyError, OutOfMemoryError)
"""Errors that mean "Redis cannot serve us right now" (down, restarting, loading its data,
a replica after a failover, full under `maxmemory`), as opposed to a bug in how we call it."""

# KEYS: conversation, user index, lock, place index.
# ARGV: json, ttl ms, conversation key, lock token ('' = none), origin ('' = none)
_SAVE = """
if ARGV[4] ~= '' and redis.call('get', KEYS[3]) ~= ARGV[4] then return 0 end
redis.call('set', KEYS[1], ARGV[1], 'PX', ARGV[2])
redis.call('sadd', KEYS[2], ARGV[3])
redis.call('pexpire', KEYS[2], ARGV[2])
if ARGV[5] ~= '' then
  redis.call('sadd', KEYS[4], ARGV[3])
  redis.call('pexpire', KEYS[4], ARGV[2])
end
return 1
"""

# KEYS: conversation, lock.  ARGV: lock token ('' = none)
_DELETE = """
if ARGV[1] ~= '' and redis.call('get', KEYS[2]) ~= ARGV[1] then return 0 end
redis.call('del', KEYS[1])
return 1
"""

# KEYS: user index.  ARGV: conversation key prefix.  Atomic, so a save racing a forget either
# lands before it (and is deleted) or after it (and starts a new index).
_FORGET = """
local count = 0
for _, key in ipairs(redis.call('smembers', KEYS[1])) do
  count = count + redis.call('del', ARGV[1] .. key)
end
redis.call('del', KEYS[1])
return count
"""

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
        lock_timeout: float = 10.0,
        lock_wait: float = 5.0,
        socket_timeout: float = 2.0,
    ) -> None:
        """`lock_timeout`: how long a lock outlives a process that died holding it.
        `lock_wait`: how long a turn waits for a busy conversation before giving up.
        `socket_timeout`: how long one Redis call may take before Redis counts as unreachable;
        one quick retry covers a connection left stale by a Redis restart."""
        super().__init__(ttl_seconds=ttl_seconds)
        self.url = url
        self.prefix = prefix
        self.lock_timeout = lock_timeout
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
        self._forget = self._client.register_script(_FORGET)
        self._forget_place = self._client.register_script(_FORGET_PLACE)
        self._turn = threading.local()

    # ----- keys --------------------------------------------------------------------------
    def _conv(self, key: str) -> str:
        return f"{self.prefix}conv:{key}"

    def _index(self, user: str) -> str:
        return f"{self.prefix}user:{user}"

    def _place(self, place: str) -> str:
        return f"{self.prefix}place:{place}"

    def _lock_name(self, key: str) -> str:
        return f"{self.prefix}lock:{key}"

    def _ttl_ms(self) -> int:
        return max(1, round(self.ttl_seconds * 1000))

    def _call(self, action: Callable[[], T]) -> T:
        try:
            return action()
        except _OUTAGE as exc:
            raise StoreUnavailable(f"Redis at {self.describe()} is unreachable: {exc}") from exc

    def _held_token(self, key: str) -> str:
        """The token of the lock this thread holds on `key`, or '' when it holds none."""
        return self._turn.token if getattr(self._turn, "key", None) == key else ""

    # ----- the Store interface ------------------------------------------------------------
    @contextmanager
    def lock(self, key: str) -> Iterator[None]:
        lock = self._client.lock(
            self._lock_name(key),
            timeout=self.lock_timeout,
            blocking_timeout=self.lock_wait,
            sleep=0.01,
            thread_local=False,
        )
        token = uuid.uuid4().hex
        if not self._call(lambda: lock.acquire(token=token)):
            raise StoreUnavailable(f"a conversation stayed locked for more than {self.lock_wait:g} s")
        self._turn.key, self._turn.token, self._turn.events = key, token, []
        try:
            yield
        except BaseException:
            self._forget_events(self._turn.events)  # a failed turn must not swallow its retry
            raise
        finally:
            self._turn.key = self._turn.token = None
            self._release(lock)

    def _release(self, lock: Any) -> None:
        """The turn is already saved (fenced) when this runs; failing to release only means the
        lock lingers until `lock_timeout`, so it is worth a warning, not a failed turn."""
        try:
            lock.release()
        except (LockError, *_OUTAGE) as exc:
            log.warning("could not release a conversation lock (it expires by itself): %s", exc)

    def _forget_events(self, events: list[str]) -> None:
        if events:
            try:
                self._client.delete(*events)
            except RedisError:
                log.warning("could not un-mark %d event(s) of a failed turn", len(events))

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
        keys = [self._conv(key), self._index(conversation.user), self._lock_name(key), self._place(origin)]
        args: list[str | int] = [conversation.to_json(), self._ttl_ms(), key, self._held_token(key), origin]
        if not self._call(lambda: self._save(keys=keys, args=args)):
            raise StoreUnavailable(f"a conversation lock expired after {self.lock_timeout:g} s mid-turn")

    def delete(self, key: str) -> None:
        keys = [self._conv(key), self._lock_name(key)]
        if not self._call(lambda: self._delete(keys=keys, args=[self._held_token(key)])):
            raise StoreUnavailable(f"a conversation lock expired after {self.lock_timeout:g} s mid-turn")

    def forget_user(self, user: str) -> int:
        return int(self._call(lambda: self._forget(keys=[self._index(user)], args=[self._conv("")])))

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
        name = f"{self.prefix}event:{event_id}"
        fresh = bool(self._call(lambda: self._client.set(name, b"1", nx=True, ex=EVENT_TTL_SECONDS)))
        if fresh and getattr(self._turn, "key", None) is not None:
            self._turn.events.append(name)
        return fresh

    def purge_expired(self, *, now: float) -> int:
        """Nothing to do: Redis expires conversations, indexes and event ids by itself."""
        return 0

    def ping(self) -> bool:
        try:
            return bool(self._client.ping())
        except RedisError:
            return False

    def describe(self) -> str:
        return f"redis ({redact(self.url)}, idle conversations kept {self.ttl_seconds / 3600:g} h)"

    def close(self) -> None:
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

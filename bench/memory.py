"""How much a stored conversation costs: in the memory store at scale, and in SQLite and Redis.

Every conversation stored is a finished check (the benchmark's check: both safety screens,
where it hurts, the key signs and every supporting question, with the full history for
`back`), a long one of its kind, made by playing the check through the engine once
and then saved under fresh keys the way a turn saves it: under the store's lock for that key.
"""

from __future__ import annotations

import gc
import sqlite3
import tracemalloc
from dataclasses import dataclass, replace
from pathlib import Path

import redis

from bench.report import Row
from bench.workload import clicked, record
from bot.conversation import Conversation
from bot.dialog import Dialog
from bot.engine import Engine
from bot.keys import conversation_key, person_ref
from bot.messages import Reply
from bot.store import MemoryStore, SQLiteStore, Store

SECTION = "memory per stored conversation"
LIMIT = 2048


@dataclass(frozen=True, kw_only=True)
class MemorySizes:
    conversations: int
    durable: int


def finished_conversation(dialog: Dialog) -> Conversation:
    store = MemoryStore()
    script = record(dialog, typed=False)
    engine = Engine(dialog, store)
    messages = script.incoming(0)
    replies: list[Reply] = []
    for step, incoming in zip(script.steps, messages, strict=True):
        replies = engine.handle(clicked(incoming, step, replies))
    conversation = store.load(messages[0].key, now=engine.clock())
    assert conversation is not None
    return conversation


def _key(number: int) -> str:
    return conversation_key("slack", "T0BENCH01", f"D{number:08X}", f"U{number:08X}")


def _fill(store: Store, sample: Conversation, count: int) -> list[str]:
    keys = []
    for number in range(count):
        key = _key(number)
        user = person_ref("slack", "T0BENCH01", f"U{number:08X}")
        with store.lock(key):
            # The key built again: a turn's conversation carries its own copy of the key string.
            store.save(replace(sample, key=_key(number), user=user))
        keys.append(key)
    return keys


def memory_store_bytes(sample: Conversation, count: int) -> tuple[float, int]:
    """Bytes per conversation (tracemalloc: Python allocations still live after `count`
    conversations were stored, divided by `count`) and one conversation's JSON size."""
    store = MemoryStore()
    gc.collect()
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        keys = _fill(store, sample, count)
        del keys
        gc.collect()
        after = tracemalloc.get_traced_memory()[0]
    finally:
        tracemalloc.stop()
    one = store.stored_bytes(next(store.keys()))
    return (after - before) / count, one


def sqlite_bytes(sample: Conversation, count: int, path: Path) -> tuple[float, int]:
    """File growth per conversation (after a WAL checkpoint, so the rows, the primary key and
    both indexes are all in the main file) and one row's stored bytes."""
    store = SQLiteStore(path)
    try:

        def size() -> int:
            with sqlite3.connect(path) as conn:
                conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
                pages = conn.execute("PRAGMA page_count").fetchone()[0]
                page = conn.execute("PRAGMA page_size").fetchone()[0]
            return int(pages) * int(page)

        before = size()
        keys = _fill(store, sample, count)
        grown = (size() - before) / count
        return grown, store.stored_bytes(keys[0])
    finally:
        store.close()


def redis_bytes(sample: Conversation, count: int, url: str) -> tuple[float, int]:
    """Growth of Redis's `used_memory` per conversation, and `MEMORY USAGE` of one
    conversation's two keys (its JSON and its person's index set)."""
    from bot.store.redis import RedisStore

    store = RedisStore(url)
    client = redis.Redis.from_url(url)
    try:
        client.flushall()
        before = int(client.info("memory")["used_memory"])
        keys = _fill(store, sample, count)
        grown = (int(client.info("memory")["used_memory"]) - before) / count
        one = client.memory_usage(f"{store.prefix}conv:{keys[0]}", samples=0) or 0
        user = person_ref("slack", "T0BENCH01", "U00000000")
        index = client.memory_usage(f"{store.prefix}user:{user}", samples=0) or 0
        return grown, int(one) + int(index)
    finally:
        client.flushall()
        client.close()
        store.close()


def _kb(value: float) -> str:
    return f"{value:,.0f} B ({value / 1024:.2f} KB)"


def rows(dialog: Dialog, sizes: MemorySizes, *, tmp: Path, redis_url: str) -> list[Row]:
    sample = finished_conversation(dialog)
    per_conv, json_size = memory_store_bytes(sample, sizes.conversations)
    sqlite_grown, sqlite_row = sqlite_bytes(sample, sizes.durable, tmp / "bench-size.sqlite3")
    redis_grown, redis_usage = redis_bytes(sample, sizes.durable, redis_url)
    target = "≤ 2 KB"
    return [
        Row(
            section=SECTION,
            figure=f"memory store, {sizes.conversations:,} finished conversations (tracemalloc)",
            result=f"{_kb(per_conv)} each; the JSON alone is {json_size:,} B",
            target=target,
            met=per_conv <= LIMIT,
        ),
        Row(
            section=SECTION,
            figure="SQLite, one conversation (`stored_bytes`: key, user, JSON)",
            result=_kb(sqlite_row),
            target=target,
            met=sqlite_row <= LIMIT,
        ),
        Row(
            section=SECTION,
            figure=f"SQLite, file growth per conversation over {sizes.durable:,} (rows and indexes)",
            result=_kb(sqlite_grown),
            target=target,
            met=sqlite_grown <= LIMIT,
        ),
        Row(
            section=SECTION,
            figure="Redis, one conversation (`MEMORY USAGE` of its key and its person's index)",
            result=_kb(redis_usage),
            target=target,
            met=redis_usage <= LIMIT,
        ),
        Row(
            section=SECTION,
            figure=f"Redis, `used_memory` growth per conversation over {sizes.durable:,}",
            result=_kb(redis_grown),
            target=target,
            met=redis_grown <= LIMIT,
        ),
    ]

"""Conversation stores, and the one place the choice between them is made."""

from __future__ import annotations

from pathlib import Path

from bot.store.base import DEFAULT_TTL_SECONDS, Store, StoreBusy, StoreUnavailable
from bot.store.memory import MemoryStore
from bot.store.sqlite import SQLiteStore

__all__ = ["MemoryStore", "SQLiteStore", "Store", "StoreBusy", "StoreUnavailable", "open_store"]


def open_store(
    *,
    redis_url: str | None = None,
    sqlite_path: str | Path | None = None,
    memory: bool = False,
    ttl_seconds: float = DEFAULT_TTL_SECONDS,
) -> Store:
    """Redis when a URL is given, memory when asked, otherwise the SQLite file."""
    if redis_url:
        from bot.store.redis import RedisStore  # redis-py is only imported when chosen

        return RedisStore(redis_url, ttl_seconds=ttl_seconds)
    if memory:
        return MemoryStore(ttl_seconds=ttl_seconds)
    return SQLiteStore(sqlite_path or "kneebot.sqlite3", ttl_seconds=ttl_seconds)

"""Engine turn cost on each store, against the dict floor and a machine built per message.

Every variant plays the same whole conversations (clicked and typed, alternately), each on a
key never used before, one batch per round, in rounds interleaved with the others.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from bench.baselines import DictFloor, machine_per_message
from bench.report import Row
from bench.timing import Samples, interleave, micros, rate, ratio_of_medians, times
from bench.workload import Conversations, scripts
from bot.dialog import Dialog
from bot.engine import Engine
from bot.store import MemoryStore, SQLiteStore, Store

SECTION = "engine turn (whole conversations)"


@dataclass(frozen=True, kw_only=True)
class TurnSizes:
    rounds: int
    floor: int
    memory: int
    sqlite: int
    redis: int
    naive: int
    naive_tuned: int


def _stores(tmp: Path, redis_url: str) -> dict[str, Store]:
    from bot.store.redis import RedisStore

    return {
        "memory": MemoryStore(),
        "sqlite": SQLiteStore(tmp / "bench-turns.sqlite3"),
        "redis": RedisStore(redis_url),
    }


LABELS = {
    "floor": "dict state machine (the floor)",
    "memory": "kneebot, memory store",
    "sqlite": "kneebot, SQLite store (tmp file)",
    "redis": "kneebot, Redis store (loopback)",
    "naive": "new transitions Machine per message (transitions defaults)",
    "naive_tuned": "new Machine per message, auto_transitions=False",
}


def measure(dialog: Dialog, sizes: TurnSizes, *, tmp: Path, redis_url: str) -> dict[str, Samples]:
    played = scripts(dialog)
    stores = _stores(tmp, redis_url)
    floor = DictFloor(dialog, played)
    players = {
        "floor": Conversations(floor.handle, played, name="floor"),
        **{name: Conversations(Engine(dialog, s).handle, played, name=name) for name, s in stores.items()},
        "naive": Conversations(
            machine_per_message(Engine(dialog, MemoryStore()), auto_transitions=True), played, name="naive"
        ),
        "naive_tuned": Conversations(
            machine_per_message(Engine(dialog, MemoryStore()), auto_transitions=False),
            played,
            name="naive_tuned",
        ),
    }
    batch = {
        "floor": sizes.floor,
        "memory": sizes.memory,
        "sqlite": sizes.sqlite,
        "redis": sizes.redis,
        "naive": sizes.naive,
        "naive_tuned": sizes.naive_tuned,
    }

    def runner(name: str) -> Callable[[], list[int]]:
        return lambda: players[name].run(batch[name])

    try:
        return interleave([(name, runner(name)) for name in players], rounds=sizes.rounds)
    finally:
        for store in stores.values():
            store.close()


def rows(samples: dict[str, Samples]) -> list[Row]:
    out = [
        Row(
            section=SECTION,
            figure=LABELS[name],
            result=(
                f"median {micros(s.median_ns)}, p99 {micros(s.p99_ns)}, {rate(s.per_second)} "
                f"({len(s.values):,} turns)"
            ),
            target="median ≤ 150 µs" if name == "sqlite" else "",
            met=s.median_ns <= 150_000 if name == "sqlite" else None,
        )
        for name, s in samples.items()
    ]
    over_floor = ratio_of_medians(samples["memory"], samples["floor"])
    naive = ratio_of_medians(samples["naive"], samples["memory"])
    tuned = ratio_of_medians(samples["naive_tuned"], samples["memory"])
    out += [
        Row(
            section=SECTION,
            figure="memory-store turn ÷ dict floor",
            result=times(over_floor),
            target="≤ 30×",
            met=over_floor <= 30,
        ),
        Row(
            section=SECTION,
            figure="machine per message (defaults) ÷ memory-store turn",
            result=times(naive),
            target="≥ 100×",
            met=naive >= 100,
        ),
        Row(
            section=SECTION,
            figure="machine per message (auto_transitions=False) ÷ memory-store turn",
            result=times(tuned),
        ),
    ]
    return out

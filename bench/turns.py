"""Engine turn cost on each store, against the dict floor and a machine built per message.

Every variant plays the same whole conversations (clicked and typed, alternately), each on a
key never used before, one batch per round, in rounds interleaved with the others.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass
from functools import partial
from pathlib import Path

from bench.baselines import DictFloor, machine_per_message
from bench.report import Row
from bench.timing import Samples, interleave, micros, p99, rate, ratio_of_medians, times
from bench.workload import Conversations, scripts
from bot.dialog import Dialog
from bot.engine import Engine
from bot.store import MemoryStore, SQLiteStore, Store

SECTION = "engine turn (whole conversations)"
SQLITE_TARGET_NS = 150_000


@dataclass(frozen=True, kw_only=True)
class TurnSizes:
    """Rounds, and whole conversations per round for each variant (sized so that each takes
    a similar slice of a round)."""

    rounds: int
    floor: int
    floor_bare: int
    memory: int
    sqlite: int
    redis: int
    naive: int
    naive_tuned: int


@dataclass(frozen=True)
class TurnResults:
    samples: dict[str, Samples]
    memory_by_script: dict[str, list[int]]


LABELS = {
    "floor": "dict state machine, reply built each turn (the floor)",
    "floor_bare": "dict state machine, replies made in advance (barest step)",
    "memory": "kneebot, memory store",
    "sqlite": "kneebot, SQLite store (tmp file)",
    "redis": "kneebot, Redis store (loopback)",
    "naive": "new transitions Machine per message (transitions defaults)",
    "naive_tuned": "new Machine per message, auto_transitions=False",
}


def _stores(tmp: Path, redis_url: str) -> dict[str, Store]:
    from bot.store.redis import RedisStore

    return {
        "memory": MemoryStore(),
        "sqlite": SQLiteStore(tmp / "bench-turns.sqlite3"),
        "redis": RedisStore(redis_url),
    }


def measure(dialog: Dialog, sizes: TurnSizes, *, tmp: Path, redis_url: str) -> TurnResults:
    played = scripts(dialog)
    stores = _stores(tmp, redis_url)
    floor = DictFloor(dialog, played)
    bare = DictFloor(dialog, played, prebuilt=True)
    naive = machine_per_message(Engine(dialog, MemoryStore()), auto_transitions=True)
    tuned = machine_per_message(Engine(dialog, MemoryStore()), auto_transitions=False)
    players = {
        "floor": Conversations(floor.handle, played, name="floor"),
        "floor_bare": Conversations(bare.handle, played, name="floor_bare"),
        **{name: Conversations(Engine(dialog, s).handle, played, name=name) for name, s in stores.items()},
        "naive": Conversations(naive, played, name="naive"),
        "naive_tuned": Conversations(tuned, played, name="naive_tuned"),
    }
    batch = {name: getattr(sizes, name) for name in players}
    try:
        for player in players.values():  # warm-up: imports, caches, connections, file pages
            player.run(len(played))
            player.forget_times()
        samples = interleave(
            [(name, partial(player.run, batch[name])) for name, player in players.items()],
            rounds=sizes.rounds,
            warmup=0,
        )
    finally:
        for store in stores.values():
            store.close()
    return TurnResults(samples, players["memory"].by_script)


def _cost(values: list[int]) -> str:
    median = statistics.median(values)
    per_second = len(values) / (sum(values) / 1e9)
    return f"median {micros(median)}, p99 {micros(p99(values))}, {rate(per_second)}"


def rows(results: TurnResults) -> list[Row]:
    samples = results.samples
    out = []
    for name, s in samples.items():
        sqlite = name == "sqlite"
        out.append(
            Row(
                section=SECTION,
                figure=LABELS[name],
                result=f"{_cost(s.values)} ({len(s.values):,} turns)",
                target="median ≤ 150 µs" if sqlite else "",
                met=s.median_ns <= SQLITE_TARGET_NS if sqlite else None,
            )
        )
        if name == "memory":
            out += [
                Row(
                    section=SECTION,
                    figure=f"… memory store, {script} conversations only",
                    result=_cost(values),
                )
                for script, values in results.memory_by_script.items()
            ]
    over_floor = ratio_of_medians(samples["memory"], samples["floor"])
    over_bare = ratio_of_medians(samples["memory"], samples["floor_bare"])
    naive = ratio_of_medians(samples["naive"], samples["memory"])
    tuned = ratio_of_medians(samples["naive_tuned"], samples["memory"])
    out += [
        Row(
            section=SECTION,
            figure="memory-store turn ÷ dict floor (median of per-round ratios)",
            result=times(over_floor),
            target="≤ 30×",
            met=over_floor <= 30,
        ),
        Row(
            section=SECTION,
            figure="memory-store turn ÷ barest dict step (replies made in advance)",
            result=times(over_bare),
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

"""Small statistics over nanosecond samples, and the round-robin that keeps comparisons fair.

On a machine shared with other work, load comes and goes over seconds. Running every variant
once per round, in an order rotated each round, exposes them all to the same load; a ratio
taken within each round and then the median over rounds is what survives that noise.
"""

from __future__ import annotations

import statistics
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field


def p99(values: Sequence[float]) -> float:
    if len(values) < 2:
        return float(values[0])
    return statistics.quantiles(values, n=100, method="inclusive")[98]


@dataclass
class Samples:
    """Per-item durations in nanoseconds, kept per round so ratios can be taken round by round."""

    rounds: list[list[int]] = field(default_factory=list)

    @property
    def values(self) -> list[int]:
        return [value for one in self.rounds for value in one]

    @property
    def median_ns(self) -> float:
        return statistics.median(self.values)

    @property
    def p99_ns(self) -> float:
        return p99(self.values)

    @property
    def per_second(self) -> float:
        """Items per second of busy time: the whole time spent in the items, not the median."""
        values = self.values
        return len(values) / (sum(values) / 1e9)

    def round_medians(self) -> list[float]:
        return [statistics.median(one) for one in self.rounds]


def ratio_of_medians(slow: Samples, fast: Samples) -> float:
    """The median, over rounds, of (slow median / fast median) within each round."""
    pairs = zip(slow.round_medians(), fast.round_medians(), strict=True)
    return statistics.median(s / f for s, f in pairs)


def interleave(
    variants: Sequence[tuple[str, Callable[[], list[int]]]], *, rounds: int, warmup: int = 1
) -> dict[str, Samples]:
    """Run every variant once per round, rotating the order each round; the warm-up rounds
    (imports, caches, first connections) are run but not kept."""
    kept = {name: Samples() for name, _ in variants}
    for number in range(warmup + rounds):
        shift = number % len(variants)
        for name, run in [*variants[shift:], *variants[:shift]]:
            values = run()
            if number >= warmup:
                kept[name].rounds.append(values)
    return kept


def micros(ns: float) -> str:
    """A duration for the table: µs below 10 ms, ms above."""
    if ns >= 10_000_000:
        return f"{ns / 1e6:,.1f} ms"
    if ns >= 100_000:
        return f"{ns / 1e3:,.0f} µs"
    return f"{ns / 1e3:,.1f} µs"


def rate(per_second: float) -> str:
    return f"{per_second:,.0f}/s"


def times(ratio: float) -> str:
    if ratio < 10:
        return f"{ratio:.2f}×"
    return f"{ratio:,.1f}×" if ratio < 100 else f"{ratio:,.0f}×"

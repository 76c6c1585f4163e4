"""`python -m bench --profile turns|slack`: where the time goes, hottest first.

The evidence behind the notes in docs/benchmarks.md. `turns`: the conversations the turn
benchmark plays, on the memory store, under cProfile. `slack`: the Slack benchmark's load with
each app process under cProfile; cProfile sees only the event loop's thread, so kneebot's
engine turns, which run in worker threads, are run on the event loop under a profile so that
they show up (the profiled app is then no measure of latency).
"""

from __future__ import annotations

import asyncio
import cProfile
import io
import pstats
import tempfile
from pathlib import Path

from bench.workload import Conversations, scripts
from bot.dialog import Dialog
from bot.engine import Engine
from bot.store import MemoryStore


def profile_turns(dialog: Dialog, *, conversations: int, top: int = 25) -> str:
    player = Conversations(Engine(dialog, MemoryStore()).handle, scripts(dialog), name="memory")
    player.run(min(conversations, 50))  # warm up outside the profile
    profiler = cProfile.Profile()
    profiler.enable()
    player.run(conversations)
    profiler.disable()
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out)
    stats.sort_stats("tottime").print_stats(top)
    stats.sort_stats("cumulative").print_stats(top)
    return out.getvalue()


def profile_slack(dialog: Dialog, *, people: int, rounds: int, top: int = 25) -> str:
    from bench.slack import APPS, measure

    out = io.StringIO()
    with tempfile.TemporaryDirectory(prefix="kneebot-bench-") as folder:
        tmp = Path(folder)
        asyncio.run(measure(dialog, people=people, rounds=rounds, tmp=tmp, profile=tmp))
        for kind in APPS:
            print(f"===== {kind} =====", file=out)
            stats = pstats.Stats(str(tmp / f"{kind}.prof"), stream=out)
            stats.sort_stats("tottime").print_stats(top)
            stats.sort_stats("cumulative").print_stats(top)
    return out.getvalue()

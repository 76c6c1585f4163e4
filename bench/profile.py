"""`python -m bench --profile`: where a memory-store turn spends its time, hottest first.

The evidence behind the notes in docs/benchmarks.md: the same conversations the turn benchmark
plays, under cProfile, sorted by time spent in each function itself.
"""

from __future__ import annotations

import cProfile
import io
import pstats

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

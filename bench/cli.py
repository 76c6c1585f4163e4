"""`python -m bench`: run the benchmarks, print the table, write docs/benchmarks.md.

    python -m bench                  everything at full size (about 90 s on 2 cores)
    python -m bench --quick          tiny sizes: checks the benchmarks run, figures meaningless
    python -m bench --only turns,memory
    python -m bench --out /tmp/b.md  write the table there instead
    python -m bench --profile turns  cProfile of memory-store conversations, hottest first
    python -m bench --profile slack  cProfile of both Slack apps' event loops under the same load

The file is written by a full-size run of every section, or wherever --out points.
"""

from __future__ import annotations

import argparse
import logging
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from contextlib import ExitStack
from dataclasses import dataclass, replace
from pathlib import Path

from bench import memory, replay, startup, turns
from bench.redis_server import private_redis
from bench.report import Row, environment, load, table, write
from bot.dialog import Dialog

SECTIONS = ("reader", "turns", "memory", "replay", "slack", "startup")
DEFAULT_OUT = Path(__file__).resolve().parent.parent / "docs" / "benchmarks.md"


@dataclass(frozen=True, kw_only=True)
class Sizes:
    turns: turns.TurnSizes
    memory: memory.MemorySizes
    replay_passes: int
    startup_runs: int
    slack_people: int
    slack_rounds: int
    reader_repeats: int = 200
    reader_patients: bool = True


FULL = Sizes(
    turns=turns.TurnSizes(
        rounds=30, floor=100, floor_bare=100, memory=30, sqlite=20, redis=8, naive=1, naive_tuned=4
    ),
    memory=memory.MemorySizes(conversations=100_000, durable=5_000),
    replay_passes=5,
    startup_runs=10,
    slack_people=16,
    slack_rounds=12,
)
QUICK = Sizes(
    turns=turns.TurnSizes(
        rounds=2, floor=2, floor_bare=2, memory=2, sqlite=2, redis=2, naive=1, naive_tuned=1
    ),
    memory=memory.MemorySizes(conversations=200, durable=20),
    replay_passes=1,
    startup_runs=1,
    slack_people=2,
    slack_rounds=1,
    reader_repeats=5,
    reader_patients=False,
)


def _parse(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bench",
        description="kneebot benchmarks: print a table and write it to docs/benchmarks.md.",
    )
    parser.add_argument("--quick", action="store_true", help="tiny sizes, to check the benchmarks still run")
    parser.add_argument(
        "--out", type=Path, help=f"write the table here (default: {DEFAULT_OUT} on full runs)"
    )
    parser.add_argument(
        "--only",
        type=lambda text: [part.strip() for part in text.split(",") if part.strip()],
        default=list(SECTIONS),
        help=f"comma-separated sections to run, of: {', '.join(SECTIONS)}",
    )
    parser.add_argument(
        "--profile",
        choices=("turns", "slack"),
        help="print a profile (memory-store turns, or the two Slack apps) instead of the table",
    )
    args = parser.parse_args(argv)
    unknown = [name for name in args.only if name not in SECTIONS]
    if unknown:
        parser.error(f"unknown section(s) {', '.join(unknown)}; choose from {', '.join(SECTIONS)}")
    return args


def main(argv: Sequence[str] | None = None) -> int:
    args = _parse(argv)
    logging.disable(logging.CRITICAL)  # turn log lines are not what is measured here
    from bot.dialog.loader import load_dialog
    from bot.engine import default_dialog_path

    dialog = load_dialog(default_dialog_path())
    if args.profile:
        from bench.profile import profile_slack, profile_turns

        if args.profile == "turns":
            print(profile_turns(dialog, conversations=50 if args.quick else 2_000))
        else:
            sizes = QUICK if args.quick else FULL
            print(profile_slack(dialog, people=sizes.slack_people, rounds=sizes.slack_rounds))
        return 0
    sizes = QUICK if args.quick else FULL
    load_before = load()
    rows: list[Row] = []
    with ExitStack() as stack:
        tmp = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="kneebot-bench-")))
        redis_url: Callable[[], str] = _lazy(lambda: stack.enter_context(private_redis(tmp)))
        for name in args.only:
            print(f"bench: {name}...", end=" ", file=sys.stderr, flush=True)
            began = time.perf_counter()
            rows += _section(name, dialog, sizes, tmp, redis_url)
            print(f"{time.perf_counter() - began:.0f} s", file=sys.stderr, flush=True)
    if args.quick:  # tiny sizes: the figures mean nothing, so no verdict on them either
        rows = [replace(row, met=None) for row in rows]
    print(table(rows))  # once, at the end: the progress lines above carry no figures
    out = args.out or (DEFAULT_OUT if not args.quick and list(args.only) == list(SECTIONS) else None)
    if out is not None:
        mode = "quick (tiny sizes: not figures to quote)" if args.quick else "full size"
        write(out, rows, environment(mode=mode, load_before=load_before))
        print(f"bench: wrote {out}", file=sys.stderr)
    return 0


def _lazy(make: Callable[[], str]) -> Callable[[], str]:
    """The redis-server starts the first time a section asks for it, and only then."""
    made: list[str] = []

    def get() -> str:
        if not made:
            made.append(make())
        return made[0]

    return get


def _section(name: str, dialog: Dialog, sizes: Sizes, tmp: Path, redis_url: Callable[[], str]) -> list[Row]:
    if name == "turns":
        return turns.rows(turns.measure(dialog, sizes.turns, tmp=tmp, redis_url=redis_url()))
    if name == "memory":
        return memory.rows(dialog, sizes.memory, tmp=tmp, redis_url=redis_url())
    if name == "replay":
        return replay.rows(dialog, sizes.replay_passes)
    if name == "startup":
        return startup.rows(sizes.startup_runs)
    if name == "reader":
        from bench import reader

        return reader.rows(dialog, repeats=sizes.reader_repeats, patients=sizes.reader_patients)
    from bench import slack

    return slack.rows(dialog, people=sizes.slack_people, rounds=sizes.slack_rounds, tmp=tmp)

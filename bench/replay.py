"""Transcript replay: the whole tests/transcripts/ folder through the engine, as pytest runs it
(`bot.transcripts.runner.replay_file`: read, check and replay each file on a fresh engine)."""

from __future__ import annotations

import statistics
import time
from pathlib import Path

from bench.report import Row
from bot.dialog import Dialog

SECTION = "transcript replay"
FOLDER = Path(__file__).resolve().parent.parent / "tests" / "transcripts"


def rows(dialog: Dialog, passes: int, folder: Path = FOLDER) -> list[Row]:
    from bot.transcripts.format import TranscriptError
    from bot.transcripts.runner import find_transcripts, replay_file

    paths = find_transcripts([folder]) if folder.is_dir() else []
    if not paths:
        return [Row(section=SECTION, figure=f"transcripts in {folder.name}/", result="none found")]
    seconds: list[float] = []
    turns = failed = 0
    for _ in range(passes):
        turns = failed = 0
        began = time.perf_counter()
        for path in paths:
            try:
                result = replay_file(path, dialog=dialog)
            except TranscriptError:
                failed += 1
                continue
            turns += result.turns_played
            failed += not result.ok
        seconds.append(time.perf_counter() - began)
    best = statistics.median(seconds)
    status = "all passed" if not failed else f"{failed} did not pass (they stop early, so this is optimistic)"
    return [
        Row(
            section=SECTION,
            figure=f"whole folder: {len(paths)} transcripts, {turns:,} turns ({status})",
            result=(
                f"{len(paths) / best:,.0f} transcripts/s, {turns / best:,.0f} turns/s "
                f"(median of {passes} passes, {best * 1000:,.0f} ms a pass)"
            ),
        )
    ]

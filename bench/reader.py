"""The reader: how long reading one message takes (a short answer, a sentence, a long message,
and the worst case of a sweep of long repetitive inputs of every kind of word the reader
knows), and how many questions simulated patients need (bench/patients.py).

Reading is linear in length and bounded: a message is read up to `MAX_READ_CHARS`, so the
sweep's worst case is the cost of any message, however long."""

from __future__ import annotations

import statistics
import time
from collections import Counter

from bench.report import Row
from bench.timing import micros
from bot.dialog import Dialog
from bot.reading.normalise import MAX_READ_CHARS

SECTION = "reader"

SHORT = "nope"
SENTENCE = "I'm a runner and the back of my knee is stiff when I set off, no lump, not swollen"
LONG = (
    "So I've been training for a marathon for about four months now and the back of my left knee has "
    "been sore, especially at the start of my long runs, then it eases off after a mile or so. "
) * 11
WORDS = {
    "answer": "no ",
    "hedge": "not sure ",
    "negation": "no pain ",
    "sign": "calf swollen and red ",
    "number": "1 and 3 ",
    "typo": "xqzt ",
    "emoji": "👍 ",
    "punctuation": "?! ",
    "fact": "stiff at the start ",
}
"""One phrase of each kind the reader knows, repeated to the bound (and past it) in the sweep."""
SWEEP_ROUNDS = 7
"""Readings of each size in the sweep. The ratios are of the fastest reading of each size: a
ratio of two single timings on a shared machine moves by more than the effect it measures, and
the fastest is the reading's own cost with the least of other processes' in it."""


def _timed(read, text: str, repeats: int) -> float:  # type: ignore[no-untyped-def]
    times = []
    for _ in range(repeats):
        began = time.perf_counter_ns()
        read(text)
        times.append(time.perf_counter_ns() - began)
    return statistics.median(times)


def rows(dialog: Dialog, *, repeats: int, patients: bool) -> list[Row]:
    from bot.reading.reader import Reader

    reader = Reader(dialog)
    read = reader.read
    read("warm up")  # the pipeline is built in the background; wait for it here
    out = [
        Row(section=SECTION, figure=f'short answer ("{SHORT}")', result=micros(_timed(read, SHORT, repeats))),
        Row(section=SECTION, figure=f"one sentence ({len(SENTENCE)} characters)", result=micros(_timed(read, SENTENCE, repeats))),
        Row(section=SECTION, figure=f"long message ({len(LONG):,} characters)", result=micros(_timed(read, LONG, max(3, repeats // 10)))),
    ]  # fmt: skip
    worst_kind, worst = "", 0.0
    growth: list[float] = []  # per kind: a quarter of the bound -> the bound (linear: about 4×)
    beyond: list[float] = []  # per kind: the bound -> 20 times past it (bounded: about 1×)
    sizes = (MAX_READ_CHARS // 4, MAX_READ_CHARS, 20 * MAX_READ_CHARS)
    for kind, phrase in WORDS.items():
        texts = {size: (phrase * (size // len(phrase) + 1))[:size] for size in sizes}
        runs: dict[int, list[float]] = {size: [] for size in sizes}
        for _ in range(SWEEP_ROUNDS):  # sizes interleaved, so a busy moment hits all of them
            for size in sizes:
                runs[size].append(_timed(read, texts[size], 1))
        spent = {size: min(times) for size, times in runs.items()}
        for size in sizes:
            if spent[size] > worst:
                worst_kind, worst = f"{kind} × {size:,} characters", spent[size]
        growth.append(spent[MAX_READ_CHARS] / spent[MAX_READ_CHARS // 4])
        beyond.append(spent[20 * MAX_READ_CHARS] / spent[MAX_READ_CHARS])
    sweep = f"{len(WORDS)} kinds of word, each repeated to {MAX_READ_CHARS // 4:,}, {MAX_READ_CHARS:,} and {20 * MAX_READ_CHARS:,} characters"
    out += [
        Row(section=SECTION, figure=f"worst case of a sweep: {sweep}", result=f"{micros(worst)} ({worst_kind})"),
        Row(
            section=SECTION,
            figure=f"growth from {MAX_READ_CHARS // 4:,} to {MAX_READ_CHARS:,} characters (4× the text), largest over the kinds",
            result=f"{max(growth):.1f}×",
            target="≤ 6× (linear; quadratic would be 16×)",
            met=max(growth) <= 6,
        ),
        Row(
            section=SECTION,
            figure=f"{20 * MAX_READ_CHARS:,} characters ÷ {MAX_READ_CHARS:,} (read up to {MAX_READ_CHARS:,}), largest over the kinds",
            result=f"{max(beyond):.2f}×",
            target="≤ 2× (bounded; linear would be 20×)",
            met=max(beyond) <= 2,
        ),
    ]  # fmt: skip
    if patients:
        out += _questions(dialog)
    return out


def _questions(dialog: Dialog) -> list[Row]:
    from bench.patients import STYLES, load_patients, runs
    from bot.turn import Dialogue

    played = list(runs(Dialogue(dialog), load_patients()))
    rows = []
    for style in (*STYLES, "all"):
        counts = sorted(out.questions for _, how, out in played if style in (how, "all"))
        p90 = counts[int(len(counts) * 0.9) - 1]
        median = statistics.median(counts)
        rows.append(
            Row(
                section=SECTION,
                figure=f"questions to a result, simulated patients {style} ({len(counts)} checks, safety screens included)",
                result=f"median {median:g}, p90 {p90}, max {counts[-1]} ({_spread(counts)})",
                target="median ≤ 6, p90 ≤ 8",
                met=median <= 6 and p90 <= 8,
            )
        )
    right = Counter(out.label in patient.acceptable for patient, _, out in played)
    rows.append(
        Row(
            section=SECTION,
            figure="simulated patients given an honest result (their cause first, an honest not-one-of-these, or unclear)",
            result=f"{right[True]} of {len(played)}",
        )
    )
    return rows


def _spread(counts: list[int]) -> str:
    tally = Counter(counts)
    return ", ".join(f"{n}: {tally[n]}" for n in sorted(tally))

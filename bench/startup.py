"""Start-up: from launching `kneebot chat` to its first words, next to `python -c pass`.

The console reads piped input without a prompt, so "first prompt" is the moment the opening
(greeting and first question) reaches the pipe: the console flushes it before reading a line.
Runs alternate between the two commands so both see the same load.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.report import Row

SECTION = "start-up"
PLATFORM_LIBRARIES = ("slack_bolt", "slack_sdk", "discord")
WAIT_SECONDS = 60.0


def kneebot_command() -> list[str]:
    """The installed `kneebot` script run by this interpreter, as a person's shell runs it."""
    script = Path(sys.executable).with_name("kneebot")
    if script.exists():
        return [sys.executable, str(script)]
    return [sys.executable, "-m", "adapters.cli"]


def _env() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if k not in ("REDIS_URL", "KNEEBOT_DB", "LOG_LEVEL")}


def _chat(options: list[str], cwd: str) -> subprocess.Popen[bytes]:
    process = subprocess.Popen(
        [*options, "chat", "--memory", "--user", "bench"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        cwd=cwd,
        env=_env(),
    )
    assert process.stdin is not None
    process.stdin.write(b"none\n")  # the one line; `communicate` closes stdin afterwards
    process.stdin.flush()
    return process


def first_prompt_seconds(cwd: str) -> float:
    began = time.perf_counter()
    process = _chat(kneebot_command(), cwd)
    assert process.stdout is not None
    first = process.stdout.readline()
    seconds = time.perf_counter() - began
    _, errors = process.communicate(timeout=WAIT_SECONDS)
    if process.returncode != 0 or not first.strip():
        raise RuntimeError(
            f"kneebot chat failed ({process.returncode}): {errors.decode(errors='replace')[-500:]}"
        )
    return seconds


def python_pass_seconds() -> float:
    began = time.perf_counter()
    subprocess.run([sys.executable, "-c", "pass"], check=True, timeout=WAIT_SECONDS)
    return time.perf_counter() - began


def chat_imports() -> set[str]:
    """Every module `kneebot chat` imports for one piped line, from `python -X importtime`."""
    with tempfile.TemporaryDirectory() as cwd:
        process = _chat([sys.executable, "-X", "importtime", *kneebot_command()[1:]], cwd)
        _, errors = process.communicate(timeout=WAIT_SECONDS)
    if process.returncode != 0:
        raise RuntimeError(
            f"kneebot chat failed ({process.returncode}): {errors.decode(errors='replace')[-500:]}"
        )
    modules = set()
    for line in errors.decode(errors="replace").splitlines():
        if line.startswith("import time:") and "|" in line:
            name = line.rsplit("|", 1)[1].strip()
            if name != "imported package":
                modules.add(name)
    return modules


def platform_modules(modules: set[str]) -> list[str]:
    return sorted(m for m in modules if m.split(".", 1)[0] in PLATFORM_LIBRARIES)


def rows(runs: int) -> list[Row]:
    chat: list[float] = []
    bare: list[float] = []
    with tempfile.TemporaryDirectory() as cwd:
        first_prompt_seconds(cwd)  # warm the disk cache for both
        python_pass_seconds()
        for _ in range(runs):
            bare.append(python_pass_seconds())
            chat.append(first_prompt_seconds(cwd))
    extra = statistics.median(c - b for c, b in zip(chat, bare, strict=True))
    modules = chat_imports()
    platform = platform_modules(modules)
    return [
        Row(
            section=SECTION,
            figure="`python -c pass`",
            result=f"median {statistics.median(bare) * 1000:,.0f} ms",
        ),
        Row(
            section=SECTION,
            figure="`kneebot chat --memory`, launch to first prompt",
            result=f"median {statistics.median(chat) * 1000:,.0f} ms ({runs} runs)",
        ),
        Row(
            section=SECTION,
            figure="first prompt − `python -c pass` (median of paired runs)",
            result=f"+{extra * 1000:,.0f} ms",
            target="≤ +300 ms",
            met=extra <= 0.3,
        ),
        Row(
            section=SECTION,
            figure="Slack/Discord modules imported by `kneebot chat`",
            result=", ".join(platform) if platform else f"none (of {len(modules)} modules)",
            target="none",
            met=not platform,
        ),
    ]

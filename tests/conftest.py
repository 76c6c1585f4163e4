"""Shared fixtures: a real engine on a real store, a person who talks to it, and a private
redis-server on loopback for the adapter suites (the store suite has its own, which it stops
and starts)."""

from __future__ import annotations

import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.dialog import Dialog
from bot.dialog.loader import load_dialog
from bot.engine import Engine, default_dialog_path
from bot.keys import conversation_key, person_ref
from bot.messages import Incoming, Reply, Result
from bot.store import MemoryStore, SQLiteStore, Store


@pytest.fixture(scope="session")
def dialog() -> Dialog:
    return load_dialog(default_dialog_path())


@pytest.fixture(params=["memory", "sqlite"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    made: Store = MemoryStore() if request.param == "memory" else SQLiteStore(tmp_path / "kb.sqlite3")
    yield made
    made.close()


@pytest.fixture
def engine(dialog: Dialog, store: Store) -> Engine:
    return Engine(dialog, store)


class Person:
    """Someone chatting with the engine the way any adapter would pass them through."""

    def __init__(self, engine: Engine, name: str = "sam", channel: str = "dm") -> None:
        self.engine = engine
        self.key = conversation_key("test", "club", channel, name)
        self.user = person_ref("test", "club", name)
        self.last: list[Reply] = []
        self.offered: list[Reply] = []

    def say(self, text: str, *, event_id: str | None = None) -> list[Reply]:
        return self._send(Incoming(key=self.key, user=self.user, text=text, event_id=event_id))

    def click(self, label: str, *, on: Reply | None = None) -> list[Reply]:
        reply = on or self.question
        token = next(c.token for c in reply.choices if c.label == label)
        return self._send(Incoming(key=self.key, user=self.user, button=token))

    def _send(self, incoming: Incoming) -> list[Reply]:
        self.last = self.engine.handle(incoming)
        self.offered.extend(r for r in self.last if r.choices)
        return self.last

    @property
    def question(self) -> Reply:
        asked = [r for r in self.last if r.kind == "question"]
        assert asked, f"the bot asked nothing; it said: {[r.text for r in self.last]}"
        return asked[-1]

    @property
    def result(self) -> Result:
        results = [r.result for r in self.last if r.result is not None]
        assert results, f"no result; the bot said: {[r.text for r in self.last]}"
        return results[-1]

    def texts(self) -> str:
        return "\n".join(r.text for r in self.last)

    def answer_until_done(self, answers: dict[str, str], default: str = "no") -> Result:
        """Answer every question asked, by question id, until a result comes back."""
        for _ in range(40):
            if any(r.result for r in self.last):
                return self.result
            asked = self.question.question or ""
            self.say(answers.get(asked, default))
            if any(r.question == asked for r in self.last):
                raise AssertionError(f"{asked!r} was asked again; the bot said: {self.texts()}")
        raise AssertionError("the dialog did not end within 40 turns")


@pytest.fixture
def person(engine: Engine) -> Person:
    return Person(engine)


@pytest.fixture(scope="session")
def redis_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A private redis-server on loopback, for the adapter tests where bot processes share Redis."""
    binary = shutil.which("redis-server")
    if binary is None:
        pytest.fail("redis-server is not installed; the adapter tests need it (apt-get install redis-server)")
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    directory: Path = tmp_path_factory.mktemp("adapter-redis")
    process = subprocess.Popen(
        [
            binary,
            "--port",
            str(port),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
            "--dir",
            str(directory),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 10
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            break
        except OSError:
            if time.monotonic() > deadline or process.poll() is not None:
                process.kill()
                pytest.fail(f"redis-server did not start on port {port}")
            time.sleep(0.02)
    yield f"redis://127.0.0.1:{port}/0"
    process.terminate()
    process.wait(10)

"""Shared fixtures: a real engine on a real store, a person who talks to it, and a private
redis-server on loopback for the adapter suites (the store suite has its own, which it stops
and starts)."""

from __future__ import annotations

import shutil
import socket
import subprocess
import time
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path

import pytest

from bot import replies
from bot.conversation import Conversation
from bot.dialog import Dialog
from bot.dialog.loader import load_dialog
from bot.engine import Engine, default_dialog_path
from bot.keys import conversation_key, person_ref
from bot.messages import Incoming, Reply, Result
from bot.replies import NONE, UNSURE
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


Answer = str | Sequence[str]
"""An answer to one question: a choice's value ("behind", "yes", "none"), several values picked
together on a multi-select question (("lump", "toes_up")), or any other text, which is typed."""


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

    def tap(self, *values: str, on: Reply | None = None) -> list[Reply]:
        """Tap the button standing for `value` on the question (default: the one just asked).
        Several values pick options of a multi-select question together, in one token, as a
        platform's checkboxes send them."""
        reply = on or self.question
        return self._send(Incoming(key=self.key, user=self.user, button=picks_token(reply, values)))

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

    @property
    def stored(self) -> Conversation | None:
        """The conversation as the store holds it now."""
        return self.engine.store.load(self.key, now=self.engine.clock())

    def texts(self) -> str:
        return "\n".join(r.text for r in self.last)

    def answer(self, answers: Mapping[str, Answer], default: str = "no") -> list[Reply]:
        """Answer the question just asked, by its id, from `answers` (see `answer_for`): a
        choice's value is tapped, anything else typed."""
        reply = self.question
        given = answer_for(self.engine.dialog, reply, answers, default)
        if isinstance(given, str) and given not in {c.value for c in reply.choices}:
            self.say(given)
        else:
            self.tap(*([given] if isinstance(given, str) else given))
        if any(r.question == reply.question for r in self.last):
            raise AssertionError(f"{reply.question!r} was asked again; the bot said: {self.texts()}")
        return self.last

    def answer_until_asked(
        self, question: str, answers: Mapping[str, Answer] | None = None, default: str = "no"
    ) -> Reply:
        """Answer every question asked (as `answer` does) until the bot asks `question`."""
        for _ in range(40):
            if any(r.result for r in self.last):
                raise AssertionError(f"the check ended before {question!r} was asked: {self.texts()}")
            if self.question.question == question:
                return self.question
            self.answer(answers or {}, default)
        raise AssertionError(f"{question!r} was not asked within 40 turns")

    def answer_until_done(self, answers: Mapping[str, Answer] | None = None, default: str = "no") -> Result:
        """Answer every question asked (as `answer` does) until a result comes back."""
        for _ in range(40):
            if any(r.result for r in self.last):
                return self.result
            self.answer(answers or {}, default)
        raise AssertionError("the dialog did not end within 40 turns")


def picks_token(reply: Reply, values: Sequence[str]) -> str:
    """The token a tap on `values` sends back: one button\'s own token, or for several options
    of a multi-select question the token carrying every pick (joined as the bot reads them)."""
    tokens = {c.value: c.token for c in reply.choices}
    missing = [v for v in values if v not in tokens]
    assert values and not missing, f"{reply.question!r} offers no {missing}; it offers {list(tokens)}"
    if len(values) == 1:
        return tokens[values[0]]
    assert reply.multi, f"{reply.question!r} takes one answer, not {list(values)}"
    return replies.picks_token([tokens[v] for v in values])


def answer_for(dialog: Dialog, reply: Reply, answers: Mapping[str, Answer], default: str = "no") -> Answer:
    """What someone with these `answers` says to the question in `reply`.

    `answers` is keyed by question id; for a signs or multi-select question it may instead name
    its options\' facts ({"lump": "yes"}): those answered "yes" are picked together. Otherwise
    a yes/no question gets `default`, a signs or multi-select question its "none of these" (or
    "not sure" when `default` is "unsure"), and a choice question has no default: a test says
    where the pain is and what the person does, so no test depends on an unstated answer."""
    question = dialog.questions[reply.question or ""]
    if question.id in answers:
        return answers[question.id]
    if question.kind in ("signs", "multi"):
        picked = tuple(c.value for c in reply.choices if answers.get(c.value) == "yes")
        return picked or (UNSURE if default == UNSURE else NONE)
    if question.kind == "choice":
        offered = ", ".join(c.value for c in reply.choices)
        raise AssertionError(f"no answer given for the choice question {question.id!r} (one of: {offered})")
    return default


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

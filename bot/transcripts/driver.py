"""The contract between the transcript runner and whatever it talks to.

The engine driver talks to `Engine` directly; the Slack and Discord test suites provide drivers
that send platform payloads through the real adapters and read back what the platform would
show. One transcript file therefore checks the engine and every platform.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

from bot.engine import Engine
from bot.keys import conversation_key, person_ref
from bot.messages import Choice, Incoming, Reply, Result
from bot.replies import picks_token
from bot.store import MemoryStore


@dataclass(frozen=True, kw_only=True, slots=True)
class Said:
    """One message as a person would see it: its text, its buttons, and for a result the
    machine-readable outcome (cause id or None, urgency) when the platform exposes it."""

    text: str
    choices: tuple[str, ...] = ()
    outcome: tuple[str | None, str] | None = None
    result: Result | None = field(default=None, compare=False, repr=False)
    """The whole structured result, when the driver has it (the engine driver does), so a
    transcript can also check the red flag and every cause named; adapters may leave it out."""


class Driver(Protocol):
    def say(self, text: str) -> list[Said]:
        """The person types `text`; return what the bot sent back, in order."""

    def click(self, label: str, *, stale: bool = False) -> list[Said]:
        """The person clicks the button labelled `label` on the newest message offering it
        (with `stale`, on the oldest one: a click on an old question)."""

    def pick(self, labels: tuple[str, ...]) -> list[Said]:
        """The person ticks the options labelled `labels` of the newest multi-select question
        offering them all, and sends them together (Slack's checkboxes and Done, Discord's
        select menu)."""

    def restart_process(self) -> None:
        """Simulate the bot restarting: a new engine/adapter on the same store."""

    def close(self) -> None: ...


def said_from_reply(reply: Reply) -> Said:
    outcome = (reply.result.cause, reply.result.urgency) if reply.result else None
    return Said(
        text=reply.text,
        choices=tuple(c.label for c in reply.choices),
        outcome=outcome,
        result=reply.result,
    )


class EngineDriver:
    """Talks to the engine directly, as the console does. The reference driver."""

    def __init__(
        self, *, engine: Engine, user: str = "tester", platform: str = "transcript", locale: str | None = None
    ) -> None:
        self.engine = engine
        self.locale = locale
        self.key = conversation_key(platform, "local", "dm", user)
        self.user = person_ref(platform, "local", user)
        self._offered: list[list[Choice]] = []

    def _send(self, incoming: Incoming) -> list[Said]:
        replies = self.engine.handle(incoming)
        for reply in replies:
            if reply.choices:
                self._offered.append(list(reply.choices))
        return [said_from_reply(reply) for reply in replies]

    def say(self, text: str) -> list[Said]:
        return self._send(Incoming(key=self.key, user=self.user, text=text, locale=self.locale))

    def click(self, label: str, *, stale: bool = False) -> list[Said]:
        offers = self._offered if stale else list(reversed(self._offered))
        for choices in offers:
            for choice in choices:
                if choice.label == label:
                    return self._send(
                        Incoming(key=self.key, user=self.user, button=choice.token, locale=self.locale)
                    )
        raise LookupError(f"no button labelled {label!r} has been offered")

    def pick(self, labels: tuple[str, ...]) -> list[Said]:
        for choices in reversed(self._offered):
            by_label = {choice.label: choice for choice in choices}
            if all(label in by_label for label in labels):
                token = picks_token([by_label[label].token for label in labels])
                return self._send(Incoming(key=self.key, user=self.user, button=token, locale=self.locale))
        raise LookupError(f"no question has offered all of {list(labels)!r}")

    def restart_process(self) -> None:
        self.engine = Engine(self.engine.dialog, self.engine.store, clock=self.engine.clock)

    def close(self) -> None:
        self.engine.store.close()


def engine_driver(
    engine: Engine | None = None, *, user: str = "tester", platform: str = "transcript"
) -> EngineDriver:
    """A driver on a fresh in-memory engine with the shipped dialog (or the engine given)."""
    if engine is None:
        from bot.engine import build_engine

        engine = build_engine(MemoryStore())
    return EngineDriver(engine=engine, user=user, platform=platform)

"""`kneebot chat`: talk to the bot in a terminal, or pipe a file of lines through it.

One line is one turn. Conversations live in the configured store (SQLite by default), so
quitting and starting again picks up where the person was.
"""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Callable
from typing import TextIO

from bot.engine import Engine
from bot.keys import conversation_key, person_ref
from bot.messages import Incoming, Reply
from bot.render import choices_text

PROMPT = "you> "


def render(reply: Reply) -> str:
    """Console layout: the reply's text, then its choices numbered for typing."""
    if reply.choices:
        return f"{reply.text}\n{choices_text(reply.choices)}"
    return reply.text


class ConsoleSession:
    """One person at one terminal. `say` is the whole adapter: text in, printed replies out."""

    def __init__(
        self, engine: Engine, user: str, on_turn: Callable[[str, list[Reply]], None] | None = None
    ) -> None:
        self.engine = engine
        self.key = conversation_key("console", "local", "terminal", user)
        self.user = person_ref("console", "local", user)
        self.on_turn = on_turn

    def opening(self) -> list[Reply]:
        """Resume a conversation in progress, or greet and ask the first question."""
        return self.engine.resume(self.key) or self.say("")

    def say(self, text: str) -> list[Reply]:
        replies = self.engine.handle(Incoming(key=self.key, user=self.user, text=text))
        if self.on_turn is not None:
            self.on_turn(text, replies)
        return replies


def run_chat(
    engine: Engine,
    *,
    user: str,
    stdin: TextIO | None = None,
    stdout: TextIO | None = None,
    on_turn: Callable[[str, list[Reply]], None] | None = None,
) -> int:
    stdin = stdin or sys.stdin
    stdout = stdout or sys.stdout
    interactive = stdin.isatty() and stdout.isatty()
    if interactive:
        with contextlib.suppress(ImportError):
            import readline  # noqa: F401  (line editing and history for input())
    session = ConsoleSession(engine, user, on_turn)
    try:
        return _loop(session, stdin, stdout, interactive)
    except BrokenPipeError:  # `kneebot chat < file | head`: the reader left, nothing to report
        return 0


def _loop(session: ConsoleSession, stdin: TextIO, stdout: TextIO, interactive: bool) -> int:
    def show(replies: list[Reply]) -> None:
        for reply in replies:
            print(render(reply), end="\n\n", file=stdout)
        stdout.flush()

    show(session.opening())
    while True:
        try:
            line = input(PROMPT) if interactive else stdin.readline()
        except (EOFError, KeyboardInterrupt):
            print(file=stdout)
            return 0
        if not interactive:
            if line == "":
                return 0
            line = line.rstrip("\r\n")
            print(f"{PROMPT}{line}", file=stdout)
        show(session.say(line))

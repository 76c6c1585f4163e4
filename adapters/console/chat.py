"""`kneebot chat`: talk to the bot in a terminal, or pipe a file of lines through it.

One line is one turn. Conversations live in the configured store (SQLite by default), so
quitting and starting again picks up where the person was. The person's language goes to the
engine as `Incoming.locale`: `--lang`, else the terminal's locale (LC_ALL, LC_MESSAGES, LANG).

In a terminal, `quit`, `exit`, `bye`, `goodbye` and `cancel` mean "leave this program", as
Ctrl-D does: they leave and keep the check (elsewhere the dialog reads some of them as `stop`,
which deletes it; a terminal user does not expect typing `exit` to delete anything). `stop`
still ends and deletes the check here too.
"""

from __future__ import annotations

import contextlib
import os
import re
import sys
import textwrap
from collections.abc import Callable, Mapping
from typing import TextIO

from bot.config import ConfigError
from bot.dialog import sentence_problems
from bot.engine import Engine
from bot.keys import conversation_key, person_ref
from bot.languages import fold
from bot.messages import Incoming, Reply
from bot.render import choices_text

PROMPT = "you> "
LANGUAGE_TAG = re.compile(r"[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*")
"""A BCP 47 language tag as people type one: "es", "en-GB", "pt-BR", "zh-Hant-TW"."""


def language_tag(text: str) -> str | None:
    """`text` as a BCP 47 tag ("en_GB" becomes "en-GB"), or None when it is not one."""
    tag = text.strip().replace("_", "-")
    return tag if LANGUAGE_TAG.fullmatch(tag) else None


def locale_from_env(env: Mapping[str, str]) -> str | None:
    """The terminal's language as a BCP 47 tag: the first of LC_ALL, LC_MESSAGES and LANG that
    is set (POSIX's order for messages), "en_GB.UTF-8@euro" read as "en-GB"; the C and POSIX
    locales name no language."""
    for name in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = env.get(name, "").strip()
        if value:
            language = value.split(".", 1)[0].split("@", 1)[0]
            return None if language in ("C", "POSIX") else language_tag(language)
    return None


SENTENCES: dict[str, frozenset[str]] = {
    "console_help": frozenset(),
    "console_left": frozenset(),
    "console_left_nothing": frozenset(),
}
"""The dialog messages the console reads, with the placeholders each may use."""


def check_sentences(engine: Engine) -> None:
    """Fail at start, naming every problem, rather than when someone types help or quit."""
    problems = sentence_problems(engine.dialog.messages, SENTENCES)
    if problems:
        raise ConfigError(f"the dialog file is not ready for the console: {'; '.join(problems)}")


_HANGING = re.compile(r"\s*(?:(?:•|-|\*|\d+\.)\s+)?")
"""What a continued line is indented by: a choice's number or a bullet, and the space before."""


def fit(text: str, width: int | None) -> str:
    """`text` wrapped at spaces to `width` columns, so the terminal never has to break a word
    in the middle; a numbered choice or a bullet keeps a hanging indent. None: as it is (for a
    pipe or a file, where lines are not the terminal's business)."""
    if not width:
        return text
    lines: list[str] = []
    for line in text.split("\n"):
        if len(line) <= width:
            lines.append(line)
            continue
        opening = _HANGING.match(line)  # always matches: all of it is optional
        hanging = " " * len(opening.group(0) if opening else "")
        lines += textwrap.wrap(
            line, width, subsequent_indent=hanging, break_long_words=False, break_on_hyphens=False
        )
    return "\n".join(lines)


def terminal_width(stdout: TextIO) -> int | None:
    """The width of the terminal `stdout` is, or None when it is not a terminal."""
    try:
        return max(20, os.get_terminal_size(stdout.fileno()).columns) if stdout.isatty() else None
    except (OSError, ValueError, AttributeError):
        return None


def leave_words(engine: Engine) -> frozenset[str]:
    """What people type to leave a terminal program, in every language the engine speaks (each
    language file's `leave_words`): the console catches them before the dialog, which reads
    some of them as `stop`, ever sees them."""
    engine.languages.settle()
    return frozenset(
        fold(word) for d in engine.languages.dialogues.values() for word in d.dialog.language.leave_words
    )


def leaves(line: str, words: frozenset[str]) -> bool:
    """True for a line that means "leave the program" (`quit`, `/exit`, `Bye!`, `¡Adiós!`)."""
    return fold(line.strip().lstrip("/!")) in words


def render(reply: Reply) -> str:
    """Console layout: the reply's text, then its choices numbered for typing."""
    if reply.choices:
        return f"{reply.text}\n{choices_text(reply.choices)}"
    return reply.text


class ConsoleSession:
    """One person at one terminal. `say` is the whole adapter: text in, printed replies out."""

    def __init__(
        self,
        engine: Engine,
        user: str,
        on_turn: Callable[[str, list[Reply]], None] | None = None,
        *,
        locale: str | None = None,
    ) -> None:
        self.engine = engine
        self.key = conversation_key("console", "local", "terminal", user)
        self.user = person_ref("console", "local", user)
        self.on_turn = on_turn
        self.locale = locale
        self._leave_words: frozenset[str] | None = None

    @property
    def leave_words(self) -> frozenset[str]:
        if self._leave_words is None:  # after the greeting: the translations may still load
            self._leave_words = leave_words(self.engine)
        return self._leave_words

    def opening(self) -> list[Reply]:
        """Resume a conversation in progress, or greet and ask the first question."""
        return self.engine.resume(self.key) or self.say("")

    def leave(self) -> str:
        """What to say on the way out: the check is kept, and how to carry on."""
        in_progress = bool(self.engine.resume(self.key))
        return self.engine.dialog.messages["console_left" if in_progress else "console_left_nothing"]

    def say(self, text: str) -> list[Reply]:
        replies = self.engine.handle(Incoming(key=self.key, user=self.user, text=text, locale=self.locale))
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
    locale: str | None = None,
) -> int:
    check_sentences(engine)
    stdin = stdin or sys.stdin
    stdout = stdout or sys.stdout
    interactive = stdin.isatty() and stdout.isatty()
    if interactive:
        with contextlib.suppress(ImportError):
            import readline  # noqa: F401  (line editing and history for input())
    session = ConsoleSession(engine, user, on_turn, locale=locale)
    try:
        return _loop(session, stdin, stdout, interactive, terminal_width(stdout))
    except BrokenPipeError:  # `kneebot chat < file | head`: the reader left, nothing to report
        return 0


def _loop(
    session: ConsoleSession, stdin: TextIO, stdout: TextIO, interactive: bool, width: int | None
) -> int:
    how_to_leave = session.engine.dialog.messages["console_help"]

    def show(replies: list[Reply]) -> None:
        for reply in replies:
            print(fit(render(reply), width), end="\n\n", file=stdout)
            if reply.name == "help":
                print(fit(how_to_leave, width), end="\n\n", file=stdout)
        stdout.flush()

    show(session.opening())
    session.engine.warm()  # reading is built while the person types their first answer
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
        if leaves(line, session.leave_words):
            print(fit(session.leave(), width), file=stdout)
            return 0
        show(session.say(line))

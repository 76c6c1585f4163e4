"""A transcript as plain data: the turns a person takes and what the bot must say back.

`bot.transcripts.format` builds these from YAML; the runner replays them. Nothing here reads
files, so tests and other tools can build transcripts directly.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from bot.yaml_lines import YamlFileError

Action = Literal["say", "click", "pick", "restart"]


class TranscriptError(YamlFileError):
    """A transcript file that cannot be replayed, with every problem found in it."""

    what = "transcript"


@dataclass(frozen=True, kw_only=True, slots=True)
class Expect:
    """What one bot message must look like. Every condition given must hold for the same message.

    `text` is the whole text (exact; whitespace-normalised containment in adapter runs),
    `contains` fragments that must all appear, `matches` a regular expression searched for,
    `choices` the button labels in order (`()` means no buttons; None means not checked).
    """

    line: int
    text: str | None = None
    contains: tuple[str, ...] = ()
    matches: re.Pattern[str] | None = None
    choices: tuple[str, ...] | None = None


@dataclass(frozen=True, kw_only=True, slots=True)
class Outcome:
    """The result expected: cause id (None for a red flag or an unclear outcome) and urgency;
    `causes` and `red_flag` are checked only when given."""

    line: int
    cause: str | None = None
    check_cause: bool = False
    urgency: str | None = None
    causes: tuple[str, ...] | None = None
    red_flag: str | None = None
    check_red_flag: bool = False
    none: bool = False
    """`outcome: none`: the bot must show no result at all."""

    def describe(self) -> str:
        if self.none:
            return "no result"
        parts = []
        if self.check_cause:
            parts.append(f"cause: {self.cause or 'null'}")
        if self.causes is not None:
            parts.append(f"causes: [{', '.join(self.causes)}]")
        if self.urgency:
            parts.append(f"urgency: {self.urgency}")
        if self.check_red_flag:
            parts.append(f"red_flag: {self.red_flag or 'null'}")
        return "{" + ", ".join(parts) + "}"


@dataclass(frozen=True, kw_only=True, slots=True)
class Turn:
    """One thing the person does, and what the bot must (`bot`, `any`) and must not (`never`) say.

    `bot` is None when the turn is not checked, `()` when the bot must say nothing at all.
    """

    number: int
    line: int
    action: Action
    value: str = ""
    picks: tuple[str, ...] = ()
    """For `pick`: the labels ticked together on a multi-select question."""
    stale: bool = False
    bot: tuple[Expect, ...] | None = None
    any: tuple[Expect, ...] = ()
    never: tuple[Expect, ...] = ()
    outcome: Outcome | None = None

    def describe(self) -> str:
        if self.action == "restart":
            return "the bot process restarts"
        if self.action == "click":
            return f"you click {_show(self.value)}" + (" on an old message" if self.stale else "")
        if self.action == "pick":
            return "you tick " + " and ".join(_show(label) for label in self.picks) + " and send them"
        return f"you say {_show(self.value)}"


@dataclass(frozen=True, kw_only=True, slots=True)
class Transcript:
    name: str
    path: Path
    turns: tuple[Turn, ...]
    platform: str = "transcript"
    user: str = "tester"
    locale: str | None = None
    """The person's language as their platform reports it ("es"): every message carries it."""
    outcome: Outcome | None = None


def _show(text: str, limit: int = 80) -> str:
    """A user's words quoted on one line, invisible characters escaped, very long ones cut."""

    def visible(ch: str) -> str:
        if ch in '"\\':
            return "\\" + ch
        return ch if ch.isprintable() else ch.encode("unicode_escape").decode("ascii")

    quoted = '"' + "".join(visible(ch) for ch in text[:limit]) + '"'
    return quoted if len(text) <= limit else f"{quoted}… ({len(text)} characters)"

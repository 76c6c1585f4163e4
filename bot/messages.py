"""The boundary between the engine and every adapter: what comes in, what goes out.

Everything here is a frozen, keyword-only dataclass of plain values so that adapters, tests,
transcripts and analytics read the same thing, and so a reply can be logged as ids, compared in
a test or written to YAML without any platform object in sight.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

Urgency = Literal["emergency", "urgent", "soon"]
URGENCIES: tuple[Urgency, ...] = ("emergency", "urgent", "soon")
"""Most severe first. There is deliberately no "self care only" level for this bot."""

ReplyKind = Literal["message", "question", "result"]
ResultKind = Literal["cause", "unclear", "red_flag", "not_covered"]


@dataclass(frozen=True, kw_only=True, slots=True)
class Incoming:
    """One thing a person did: typed text or clicked a button.

    `key` names the conversation (see `bot.keys`), `user` names the person across all their
    conversations on one platform, which is what `forget` deletes by. `button` is the opaque
    `Choice.token` the adapter was given, sent back untouched. `event_id` lets the engine answer
    a platform's duplicate delivery only once.

    `locale` is the person's language as the platform reports it, a BCP 47 tag ("en-US", "es")
    or None when unknown. `origin` names the workspace or server a conversation held elsewhere
    was started from (`bot.keys.place_ref`), say a Discord server whose `/kneepain` moved the
    check to a DM, so that the conversation is deleted when the app leaves that place.
    """

    key: str
    user: str
    text: str = ""
    button: str | None = None
    event_id: str | None = None
    locale: str | None = None
    origin: str | None = None


@dataclass(frozen=True, kw_only=True, slots=True)
class Choice:
    """A button: what it shows, the answer it stands for, and the token to send back."""

    label: str
    value: str
    token: str


@dataclass(frozen=True, kw_only=True, slots=True)
class Finding:
    """One cause that fits the answers, with why it fits and what helps. `fit` is "well" or
    "partly" (a key sign was "not sure"); a partial fit says what would confirm it."""

    cause: str
    name: str
    about: str
    reasons: tuple[str, ...]
    treatment: tuple[str, ...]
    fit: str = "well"
    fit_label: str = ""
    confirm: str = ""


@dataclass(frozen=True, kw_only=True, slots=True)
class Result:
    """The end of a check: a red flag, one or more fitting causes, an honest "unclear", or an
    honest "not one of the causes I know" (`not_covered`, with `outcome` naming which).

    `findings` lists the causes that fit, best first (empty for a red flag or an unclear
    outcome). `advice` is what to do beyond the causes' own treatment (for a red flag: the
    whole of it). `labels` are the section headings from the dialog file, so adapters lay a
    result out without owning any wording.
    """

    kind: ResultKind
    urgency: Urgency
    title: str
    urgency_text: str
    findings: tuple[Finding, ...] = ()
    reasons: tuple[str, ...] = ()
    advice: tuple[str, ...] = ()
    summary: tuple[str, ...] = ()
    reminder: str = ""
    red_flag: str | None = None
    outcome: str | None = None
    labels: dict[str, str] = field(default_factory=dict)

    @property
    def causes(self) -> tuple[str, ...]:
        return tuple(finding.cause for finding in self.findings)

    @property
    def cause(self) -> str | None:
        """The best-fitting cause id, or None for a red flag or an unclear outcome."""
        return self.findings[0].cause if self.findings else None

    @property
    def treatment(self) -> tuple[str, ...]:
        """Every step to take, the causes' treatment first, then the general advice."""
        steps = [step for finding in self.findings for step in finding.treatment]
        return (*steps, *self.advice)


@dataclass(frozen=True, kw_only=True, slots=True)
class Reply:
    """One message from the bot.

    `text` is always a complete plain-text rendering (the console prints it, Slack and Discord
    use it as the notification fallback). A question also names its `question` id and offers
    `choices`; a result carries the structured `result` for rich layouts. A plain message names
    the dialog message it came from (`name`, e.g. "stale_button"), so an adapter can treat one
    specially (say, privately) without comparing wording.
    """

    kind: ReplyKind
    text: str
    choices: tuple[Choice, ...] = ()
    question: str | None = None
    result: Result | None = None
    name: str | None = None
    multi: bool = False
    """A question whose options may be picked together (checkboxes); its last two choices are
    "none of these" and "not sure", each a whole answer of its own."""
    done_label: str = ""
    """For a multi-select question: the label of the button that sends the ticked options."""
    picks_prompt: str = ""
    """For a multi-select question: the prompt of a menu to pick from ("Choose all that apply")."""

    @property
    def options(self) -> tuple[Choice, ...]:
        """A multi-select question's choices that may be ticked together (the rest are whole
        answers on their own); every choice of any other reply."""
        return self.choices[:-2] if self.multi else self.choices

    @property
    def whole_answers(self) -> tuple[Choice, ...]:
        """A multi-select question's "none of these" and "not sure"."""
        return self.choices[-2:] if self.multi else ()

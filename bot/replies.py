"""Replies as data, and the tokens buttons carry back.

Every sentence comes from the dialog; this module only packs it into `Reply` and `Choice`
values. A button's token names the question, the step it was drawn at and the check
(`question|step|check|answer`), so a click on an older copy of a question, or on a question of
an earlier check, is recognised as stale; the command tokens ("cmd|restart", "cmd|open", and
those `Engine.command` sends) never are. Parsing is strict: anything else is a stale button,
never a command. A multi-select answer carries every picked option in one token, joined by `+`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from typing import Any

from bot.conversation import CHECK_ID, Conversation
from bot.dialog.model import YES_NO, Dialog, Question
from bot.messages import Choice, Reply, Result
from bot.render import result_text

COMMAND_TOKEN = "cmd"
OPEN_TOKEN = f"{COMMAND_TOKEN}|open"
"""The button value of "open kneebot": resume a check in progress, or start a new one."""
NONE = "none"
UNSURE = "unsure"
PICKS = "+"
BUTTON_COMMANDS = frozenset({"open", "help", "forget", "restart", "stop", "back"})
"""The commands a token may carry: the buttons kneebot draws (restart, open) and the commands a
platform's own menu sends through `Engine.command` (its `Command`); nothing else."""
_STEP = re.compile(r"[0-9]{1,12}")
"""ASCII digits only: `str.isdigit` also accepts '²' and '①', which `int` refuses."""


@dataclass(frozen=True, slots=True)
class Button:
    """A decoded token: a command, or an answer to one question at one step."""

    command: str | None = None
    check: str = ""
    state: str = ""
    step: int = -1
    value: str = ""


STALE = Button(state="?")
"""What an unreadable token decodes to: an answer to no question, so it is stale everywhere."""


def parse_token(token: str) -> Button:
    parts = token.split("|")
    if len(parts) == 2 and parts[0] == COMMAND_TOKEN:
        return Button(command=parts[1]) if parts[1] in BUTTON_COMMANDS else STALE
    if len(parts) == 4 and _STEP.fullmatch(parts[1]) and CHECK_ID.fullmatch(parts[2]):
        return Button(state=parts[0], step=int(parts[1]), check=parts[2], value=parts[3])
    return STALE


def picks_token(tokens: list[str] | tuple[str, ...]) -> str:
    """One answer picking several options of a multi-select question, from the tokens of
    their buttons (all drawn for one question at one step): "key_signs|4|1a2b3c4d|lump+injury"."""
    buttons = [parse_token(token) for token in tokens]
    first = buttons[0] if buttons else STALE
    if first is STALE or any(
        b.command or (b.state, b.step, b.check) != (first.state, first.step, first.check) for b in buttons
    ):
        raise ValueError("picks must be answer buttons of one question, drawn at one step")
    return f"{first.state}|{first.step}|{first.check}|{PICKS.join(b.value for b in buttons)}"


def options_of(dialog: Dialog, question: Question) -> list[tuple[str, str]]:
    """(value, label) of every choice a question offers, in order: yes/no/not sure, a choice's
    values, or a signs/multi question's options followed by "none of these" and "not sure"."""
    if question.kind == "yesno":
        return [(value, dialog.messages[f"label_{value}"]) for value in YES_NO]
    if question.kind == "choice":
        return [(v.value, v.label) for v in dialog.facts[question.fact].values]
    return [
        *((o.fact, o.label) for o in question.options),
        (NONE, question.none_label),
        (UNSURE, question.unsure_label),
    ]


class Replies:
    """Builds the replies of one dialog."""

    def __init__(self, dialog: Dialog) -> None:
        self.dialog = dialog

    def message(self, name: str, **values: Any) -> Reply:
        text = self.dialog.messages[name]
        return Reply(kind="message", text=text.format(**values) if values else text, name=name)

    def start_choice(self) -> Choice:
        return Choice(
            label=self.dialog.messages["start_again_label"], value="restart", token=f"{COMMAND_TOKEN}|restart"
        )

    def offer_start(self, name: str) -> Reply:
        """A message with a button to begin a new check."""
        return replace(self.message(name), choices=(self.start_choice(),))

    def question(self, question: Question, conversation: Conversation) -> Reply:
        """`question` as shown now: a signs or multi question offers only its open options."""
        multi = question.kind == "multi"
        text = question.text
        if multi:
            text = f"{text}\n{self.dialog.messages['multi_hint']}"
        return Reply(
            kind="question",
            text=text,
            question=question.id,
            multi=multi,
            done_label=self.dialog.messages["multi_done_label"] if multi else "",
            picks_prompt=self.dialog.messages["multi_prompt"] if multi else "",
            choices=tuple(
                Choice(label=label, value=value, token=answer_token(conversation, question.id, value))
                for value, label in options_of(self.dialog, question)
            ),
        )

    def result(self, result: Result) -> Reply:
        return Reply(kind="result", text=result_text(result), result=result, choices=(self.start_choice(),))


def answer_token(conversation: Conversation, question: str, value: str) -> str:
    """The token of one answer's button, as drawn now in this conversation."""
    return f"{question}|{conversation.step}|{conversation.check}|{value}"

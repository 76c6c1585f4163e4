"""Replies as data, and the tokens buttons carry back.

Every sentence comes from the dialog; this module only packs it into `Reply` and `Choice`
values. A button's token names the question and the step it was drawn at, so a click on an
older copy of a question is recognised as stale; command tokens ("cmd|restart") never are.
A multi-select answer carries every picked option in one token, joined by `+`.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from bot.dialog.model import YES_NO, Dialog, Question
from bot.messages import Choice, Reply, Result
from bot.render import result_text

COMMAND_TOKEN = "cmd"
OPEN_TOKEN = f"{COMMAND_TOKEN}|open"
"""The button value of "open kneebot": resume a check in progress, or start a new one."""
NONE = "none"
UNSURE = "unsure"
PICKS = "+"


@dataclass(frozen=True, slots=True)
class Button:
    """A decoded token: a command, or an answer to one question at one step."""

    command: str | None = None
    state: str = ""
    step: int = -1
    value: str = ""


def parse_token(token: str) -> Button:
    parts = token.split("|")
    if len(parts) == 2 and parts[0] == COMMAND_TOKEN:
        return Button(command=parts[1])
    if len(parts) == 3 and parts[1].isdigit():
        return Button(state=parts[0], step=int(parts[1]), value=parts[2])
    return Button(state="?")  # unreadable: treated as stale


def answer_token(question: str, step: int, value: str) -> str:
    return f"{question}|{step}|{value}"


def picks_token(tokens: list[str] | tuple[str, ...]) -> str:
    """One answer picking several options of a multi-select question, from the tokens of
    their buttons (all drawn for the same question and step): "key_signs|4|lump+injury"."""
    buttons = [parse_token(token) for token in tokens]
    if not buttons or any(
        b.command or b.state != buttons[0].state or b.step != buttons[0].step for b in buttons
    ):
        raise ValueError("picks must be answer buttons of one question, drawn at one step")
    return answer_token(buttons[0].state, buttons[0].step, PICKS.join(b.value for b in buttons))


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

    def question(self, question: Question, step: int) -> Reply:
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
            choices=tuple(
                Choice(label=label, value=value, token=answer_token(question.id, step, value))
                for value, label in options_of(self.dialog, question)
            ),
        )

    def result(self, result: Result) -> Reply:
        return Reply(kind="result", text=result_text(result), result=result, choices=(self.start_choice(),))

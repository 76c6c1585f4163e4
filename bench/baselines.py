"""What kneebot's engine is measured against.

- `DictFloor`: the least a state machine can do per turn and still hold the same
  conversation. Conversations live in a dict as a state and answers; a turn is a few dict
  look-ups and builds the same kind of reply the engine returns (the next question with its
  buttons). No store, no serialisation, no locking or de-duplication, no input reading beyond
  an exact-word look-up, no safety checks, no result to work out. Nothing real can be this
  cheap; it is the floor the engine's cost is expressed against. With `prebuilt=True` it
  returns one reply object per state made in advance instead: the barest step there is.
- `machine_per_message`: the naive design, the real engine in every respect except that a new
  `transitions.Machine` is built for every incoming message, from the same definition the
  engine's shared machine is built from (`bot.machine`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from transitions import Machine

from bench.workload import Handle, Script
from bot.assess import Planner
from bot.dialog import Dialog
from bot.dialog.model import CHOOSE
from bot.engine import Engine
from bot.machine import ROUTE, _definition
from bot.messages import Choice, Incoming, Reply
from bot.replies import options_of


def machine_definition(dialog: Dialog, *, auto_transitions: bool) -> dict[str, Any]:
    """The keyword arguments `bot.machine` builds its shared machine with, optionally with
    transitions' default `auto_transitions=True` (a `to_<state>` trigger for every state)."""
    return {**_definition(dialog), "auto_transitions": auto_transitions}


class _Model:
    state: str


class FreshMachine:
    """`DialogMachine`'s interface on a machine of its own: what a design without a shared
    machine builds for each message it handles."""

    def __init__(self, dialog: Dialog, definition: dict[str, Any]) -> None:
        self.dialog = dialog
        self._model = _Model()
        self._machine = Machine(model=self._model, **definition)

    def next_state(self, facts: Mapping[str, str]) -> str:
        self._machine.set_state(CHOOSE, model=self._model)
        self._model.trigger(ROUTE, facts=facts, planner=Planner(self.dialog, facts))  # type: ignore[attr-defined]
        return self._model.state

    def knows(self, state: str) -> bool:
        return state in self._machine.states


def machine_per_message(engine: Engine, *, auto_transitions: bool) -> Handle:
    """`engine.handle`, but with a new machine built for every message (single-threaded use)."""
    definition = machine_definition(engine.dialog, auto_transitions=auto_transitions)
    dialogue = engine.dialogue

    def handle(incoming: Incoming) -> list[Reply]:
        dialogue.machine = FreshMachine(engine.dialog, definition)  # type: ignore[assignment]
        return engine.handle(incoming)

    return handle


class DictFloor:
    """A plain dict-driven state machine playing the same conversations as the engine."""

    def __init__(self, dialog: Dialog, scripts: Sequence[Script], *, prebuilt: bool = False) -> None:
        # The engine chooses each next question from everything known; the floor just follows
        # the path the engine took, so both do the same conversation in the same number of turns.
        self.start = scripts[0].steps[1].state or ""
        self.rows: dict[str, dict[str, Any]] = {}
        self.table: dict[str, dict[str, str]] = {q: {} for q in dialog.questions}
        self.words: dict[str, dict[str, str]] = {
            q.id: {word: value for value, label in options_of(dialog, q) for word in (value, label.lower())}
            for q in dialog.questions.values()
        }
        for script in scripts:
            states = [step.state or "" for step in script.steps[1:]] + ["assess"]
            for step, following in zip(script.steps[1:], states[1:], strict=True):
                assert step.state is not None and step.value is not None
                self.table[step.state][step.value] = following
                self.words[step.state][step.text.lower()] = step.value
        self.dialog = dialog
        self.result = [Reply(kind="result", text=dialog.reminder)]
        self.prebuilt = {state: self._build(state) for state in dialog.questions} if prebuilt else None

    def _build(self, state: str) -> list[Reply]:
        question = self.dialog.questions.get(state)
        if question is None:
            return self.result
        choices = tuple(  # tokens shaped as the engine's, so a multi-select pick joins them alike
            Choice(label=label, value=value, token=f"{state}|0|00000000|{value}")
            for value, label in options_of(self.dialog, question)
        )
        multi = question.kind == "multi"
        return [Reply(kind="question", text=question.text, question=state, choices=choices, multi=multi)]

    def _ask(self, state: str) -> list[Reply]:
        if self.prebuilt is not None:
            return self.prebuilt.get(state) or self.result
        return self._build(state)

    def handle(self, incoming: Incoming) -> list[Reply]:
        row = self.rows.get(incoming.key)
        if row is None:
            self.rows[incoming.key] = {"state": self.start, "answers": {}}
            return self._ask(self.start)
        state = row["state"]
        if incoming.button is not None:
            value = incoming.button.rsplit("|", 1)[-1]
        else:
            value = self.words[state][incoming.text.strip().lower()]
        following = self.table[state][value]
        row["answers"][state] = value
        row["state"] = following
        return self._ask(following)

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

from collections.abc import Sequence
from typing import Any

from transitions import Machine

from bench.workload import Handle, Script
from bot.dialog import Dialog
from bot.engine import Engine
from bot.machine import SKIP, _definition, trigger_for
from bot.messages import Choice, Incoming, Reply


def machine_definition(dialog: Dialog, *, auto_transitions: bool) -> dict[str, Any]:
    """The keyword arguments `bot.machine` builds its shared machine with, optionally with
    transitions' default `auto_transitions=True` (a `to_<state>` trigger for every state)."""
    return {**_definition(dialog), "auto_transitions": auto_transitions}


class _Model:
    state: str


class FreshMachine:
    """`DialogMachine`'s interface on a machine of its own: what a design without a shared
    machine builds for each message it handles."""

    def __init__(self, definition: dict[str, Any]) -> None:
        self._model = _Model()
        self._machine = Machine(model=self._model, **definition)

    def next_state(self, state: str, answer: str) -> str:
        return self._fire(state, trigger_for(answer))

    def skip(self, state: str) -> str:
        return self._fire(state, SKIP)

    def _fire(self, state: str, trigger: str) -> str:
        self._machine.set_state(state, model=self._model)
        self._model.trigger(trigger)  # type: ignore[attr-defined]
        return self._model.state

    def knows(self, state: str) -> bool:
        return state in self._machine.states


def machine_per_message(engine: Engine, *, auto_transitions: bool) -> Handle:
    """`engine.handle`, but with a new machine built for every message (single-threaded use)."""
    definition = machine_definition(engine.dialog, auto_transitions=auto_transitions)
    dialogue = engine.dialogue

    def handle(incoming: Incoming) -> list[Reply]:
        dialogue.machine = FreshMachine(definition)  # type: ignore[assignment]
        return engine.handle(incoming)

    return handle


class DictFloor:
    """A plain dict-driven state machine playing the same conversations as the engine."""

    def __init__(self, dialog: Dialog, scripts: Sequence[Script], *, prebuilt: bool = False) -> None:
        self.start = dialog.start
        self.rows: dict[str, dict[str, Any]] = {}
        self.table: dict[str, dict[str, str]] = {
            q.id: {a.value: a.next for a in q.answers} for q in dialog.questions.values()
        }
        self.words: dict[str, dict[str, str]] = {
            q.id: {word: a.value for a in q.answers for word in (a.value, a.label.lower(), *a.words)}
            for q in dialog.questions.values()
        }
        # The engine skips questions already answered or ruled out; the floor just follows the
        # path the engine took, so both do the same conversation in the same number of turns.
        for script in scripts:
            states = [step.state or "" for step in script.steps[1:]] + ["assess"]
            for step, following in zip(script.steps[1:], states[1:], strict=True):
                assert step.state is not None and step.value is not None
                self.table[step.state][step.value] = following
                self.words[step.state][step.text.lower()] = step.value
        self.questions = dialog.questions
        self.result = [Reply(kind="result", text=dialog.reminder)]
        self.prebuilt = {state: self._build(state) for state in dialog.questions} if prebuilt else None

    def _build(self, state: str) -> list[Reply]:
        question = self.questions.get(state)
        if question is None:
            return self.result
        choices = tuple(
            Choice(label=a.label, value=a.value, token=f"{state}|{a.value}") for a in question.answers
        )
        return [Reply(kind="question", text=question.text, question=state, choices=choices)]

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

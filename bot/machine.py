"""One `transitions` machine per dialog, built once and shared by every conversation.

A conversation is only a state name plus answers, so stepping one means: put the shared cursor
in that state, fire the answer's trigger, read where it landed. Building a machine costs
milliseconds; this step costs microseconds (see docs/benchmarks.md). A lock makes the shared
cursor safe under threaded adapters.
"""

from __future__ import annotations

import threading
from typing import Any

from transitions import Machine, MachineError

from bot.dialog import ASSESS, Dialog
from bot.logs import quiet

SKIP = "skip"
"""The trigger that passes over a question whose `ask_if` says it does not apply."""


def trigger_for(answer: str) -> str:
    """Triggers are prefixed so an answer id can never clash with a model attribute."""
    return f"pick_{answer}"


def _definition(dialog: Dialog) -> dict[str, Any]:
    transitions: list[dict[str, str]] = []
    for question in dialog.questions.values():
        for answer in question.answers:
            transitions.append(
                {"trigger": trigger_for(answer.value), "source": question.id, "dest": answer.next}
            )
        if question.next:
            transitions.append({"trigger": SKIP, "source": question.id, "dest": question.next})
    return {
        "states": list(dialog.states),
        "transitions": transitions,
        "initial": dialog.start,
        "auto_transitions": False,
    }


class _Cursor:
    """The single model the shared machine moves; it holds no conversation data."""

    state: str


class DialogMachine:
    """Steps conversations of one dialog through its shared state machine."""

    def __init__(self, dialog: Dialog) -> None:
        # transitions logs several INFO lines for every step; one conversation turn is logged
        # once by the engine, so keep the library to its warnings.
        quiet("transitions")
        self.dialog = dialog
        self._cursor = _Cursor()
        self._machine = Machine(model=self._cursor, **_definition(dialog))
        self._lock = threading.Lock()

    def next_state(self, state: str, answer: str) -> str:
        """Where answering `answer` in `state` leads; raises ValueError if it leads nowhere."""
        return self._fire(state, trigger_for(answer))

    def skip(self, state: str) -> str:
        return self._fire(state, SKIP)

    def _fire(self, state: str, trigger: str) -> str:
        with self._lock:
            try:
                self._machine.set_state(state, model=self._cursor)
                self._cursor.trigger(trigger)  # type: ignore[attr-defined]
            except (MachineError, AttributeError, ValueError) as exc:
                raise ValueError(f"no transition {trigger!r} from {state!r}") from exc
            return self._cursor.state

    def knows(self, state: str) -> bool:
        return state in self._machine.states


def mermaid(dialog: Dialog) -> str:
    """The dialog drawn as a Mermaid state diagram, from the same definition the bot runs."""
    from transitions.extensions.diagrams import GraphMachine  # only the graph command needs it

    class _Model:
        pass

    graph = GraphMachine(
        model=_Model(),
        graph_engine="mermaid",
        title=f"title: {dialog.id} v{dialog.version}",
        show_conditions=False,
        **_definition(dialog),
    )
    lines = graph.get_graph().draw(None).splitlines()
    # Drop the "current state" styling: the diagram documents the dialog, not one conversation.
    kept = [line for line in lines if not line.strip().startswith(("Class ", "classDef "))]
    kept.append(f"  {ASSESS} --> [*]")
    kept.extend(f"  {flag} --> [*]" for flag in dialog.red_flags)
    return "\n".join(kept).rstrip() + "\n"

"""One `transitions` machine per dialog, built once and shared by every conversation.

The machine is the one description of the dialog's structure: every question's answer leads
to `choose_next`, and `choose_next` leads on by guarded transitions, tried in the order of the
dialog's flow (see `bot.flow`), to the next question, a warning sign's advice, an honest
"not one of these" outcome, or the weighing of the causes. A conversation is only a state
name plus facts, so stepping one means: try the machine's transitions out of the hub, in its
order, with the facts, and take the first whose guards hold. `step` does the same through the
machine's own event dispatch (a shared cursor under a lock); `next_state` calls the same
guards directly, which is what a turn uses (tests check the two agree). Building a machine
costs milliseconds; a step costs microseconds (see docs/benchmarks.md).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from typing import Any

from transitions import Machine, MachineError

from bot.assess import Planner
from bot.dialog.model import ASSESS, CHOOSE, Dialog
from bot.flow import routes
from bot.logs import quiet

ANSWERED = "answered"
ROUTE = "route"


def states(dialog: Dialog) -> list[str]:
    """The hub and every place a route leads: a question only ever asked as one option of a
    multi-select question (a key sign) is no state a conversation can be in."""
    return list(dict.fromkeys([CHOOSE, *(route.dest for route in routes(dialog))]))


def _callable(func: Any) -> Callable[..., Any]:
    if not callable(func):  # every guard `bot.flow` makes is an object, never a method name
        raise TypeError(f"a route's guard must be callable, not {func!r}")
    return func  # type: ignore[no-any-return]


def _definition(dialog: Dialog) -> dict[str, Any]:
    drawn = states(dialog)
    transitions: list[dict[str, Any]] = [
        {"trigger": ANSWERED, "source": state, "dest": CHOOSE} for state in drawn if state in dialog.questions
    ]
    transitions += [
        {"trigger": ROUTE, "source": CHOOSE, "dest": route.dest, "conditions": [route.guard]}
        for route in routes(dialog)
    ]
    return {
        "states": drawn,
        "transitions": transitions,
        "initial": CHOOSE,
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
        self._routes: list[tuple[str, list[tuple[Callable[..., Any], bool]]]] = [
            (str(transition.dest), [(_callable(c.func), c.target) for c in transition.conditions])
            for transition in self._machine.get_transitions(trigger=ROUTE, source=CHOOSE)
        ]
        """The machine's own transitions out of the hub, in the order it tries them: read from
        the machine, so stepping follows exactly what `kneebot graph` draws."""
        self._lock = threading.Lock()
        self._memo: dict[tuple[tuple[str, str], ...], Any] = {}
        """The planner's enumerations by the facts the causes depend on (see `Planner`)."""

    def next_state(self, facts: Mapping[str, str]) -> str:
        """Where a conversation goes from `choose_next` with these facts: the first of the
        machine's routes whose guards hold (the last one, the weighing of the causes, always
        does). The guards are the machine's own, called as it would call them; going through
        its event dispatch for every guard of every turn cost a third of a clicked turn."""
        planner = Planner(self.dialog, facts, self._memo)
        for dest, guards in self._routes:
            if all(bool(guard(facts=facts, planner=planner)) == target for guard, target in guards):
                return dest
        raise ValueError(f"no route out of {CHOOSE!r}")

    def step(self, facts: Mapping[str, str]) -> str:
        """`next_state` through the machine's own event dispatch (trigger and guards), under
        its lock: the reference the fast path is tested against."""
        planner = Planner(self.dialog, facts, self._memo)
        with self._lock:
            try:
                self._machine.set_state(CHOOSE, model=self._cursor)
                self._cursor.trigger(ROUTE, facts=facts, planner=planner)  # type: ignore[attr-defined]
            except (MachineError, AttributeError, ValueError) as exc:
                raise ValueError(f"no route out of {CHOOSE!r}") from exc
            return self._cursor.state

    def knows(self, state: str) -> bool:
        return state in self._machine.states


def mermaid(dialog: Dialog) -> str:
    """The dialog drawn as a Mermaid state diagram, from the same definition the bot runs:
    each arrow out of `choose_next` carries its guard, in the order they are tried."""
    from transitions.extensions.diagrams import GraphMachine  # only the graph command needs it

    class _Model:
        pass

    graph = GraphMachine(
        model=_Model(),
        graph_engine="mermaid",
        title=f"title: {dialog.id} v{dialog.version}",
        show_conditions=True,
        **_definition(dialog),
    )
    lines = graph.get_graph().draw(None).splitlines()
    # Drop the "current state" styling: the diagram documents the dialog, not one conversation.
    kept = [line for line in lines if not line.strip().startswith(("Class ", "classDef "))]
    kept.append(f"  {ASSESS} --> [*]")
    kept.extend(f"  {name} --> [*]" for name in (*dialog.red_flags, *dialog.outcomes))
    return "\n".join(kept).rstrip() + "\n"

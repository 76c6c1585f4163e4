"""The conversations every turn benchmark replays: whole checks, from "hi" to the result.

Two scripts end in the same result by the same path: one clicked (button tokens, as Slack and
Discord send them, taken from the buttons each conversation was actually shown, since a token
names the check it was drawn in) and one typed (free text, as at the console, which also exercises the input
reader). Both are recorded once from the real engine, so they always follow the current dialog
file; a benchmark run that stops producing a result fails loudly instead of timing error paths.
"""

from __future__ import annotations

import itertools
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

from bot.dialog import Dialog
from bot.engine import Engine
from bot.keys import conversation_key, person_ref
from bot.messages import Incoming, Reply
from bot.replies import PICKS, picks_token
from bot.store import MemoryStore

EXPECTED_CAUSE = "hamstring_tendonitis"

CLICKS: dict[str, str] = {
    "screen_emergency": "none",
    "screen_urgent": "none",
    "location": "behind",
    "key_signs": "start_stiffness+toes_up",
    "activity": "both",
    "long_runs": "yes",
    "bike_fit": "no",
    "hills": "no",
}
"""One whole check, question id to answer value: someone who runs and cycles, ending in
hamstring tendonitis with gastrocnemius tendonitis also possible, so every supporting question
is asked. On the multi-select key signs question two options are picked together: one token,
as checkboxes send them."""

TYPED: dict[str, str] = {
    "screen_emergency": "none of these",
    "screen_urgent": "nope",
    "location": "behind my knee",
    "key_signs": "stiff when I set off, and worse in a calf stretch",
    "activity": "I run and cycle",
    "long_runs": "yeah",
    "bike_fit": "not really",
    "hills": "never",
}
"""The same check as someone types it."""


@dataclass(frozen=True, slots=True)
class Step:
    """One thing the person does; `state` and `value` record where the engine was and what it
    understood, so the dictionary floor can replay exactly the same path."""

    state: str | None
    value: str | None
    text: str = ""
    button: str | None = None


@dataclass(frozen=True)
class Script:
    name: str
    steps: tuple[Step, ...]

    def incoming(self, number: int) -> list[Incoming]:
        """The messages of conversation `number`: a fresh key per conversation, as Slack ids
        look (workspace, DM channel, user)."""
        key = conversation_key("slack", "T0BENCH01", f"D{number:08X}", f"U{number:08X}")
        user = person_ref("slack", "T0BENCH01", f"U{number:08X}")
        return [Incoming(key=key, user=user, text=step.text, button=step.button) for step in self.steps]


def clicked(incoming: Incoming, step: Step, replies: Sequence[Reply]) -> Incoming:
    """A click step's message with the token of the button this conversation was shown for the
    recorded answer (the recorded token belongs to the recording's own check)."""
    if step.button is None:
        return incoming
    asked = question(replies)
    return replace(incoming, button=token_for(asked, step.value) if asked else step.button)


def question(replies: Sequence[Reply]) -> Reply | None:
    asked = [reply for reply in replies if reply.kind == "question"]
    return asked[-1] if asked else None


def token_for(question: Reply, value: str) -> str:
    """The token of the button for `value`; "a+b" picks options a and b of a multi-select
    question together (the token of one of its buttons, carrying every pick)."""
    tokens = {choice.value: choice.token for choice in question.choices}
    picks = value.split(PICKS)
    if any(pick not in tokens for pick in picks) or (len(picks) > 1 and not question.multi):
        raise RuntimeError(f"{question.question!r} offers no {value!r}: the dialog changed")
    if len(picks) == 1:
        return tokens[value]
    return picks_token([tokens[pick] for pick in picks])


def ended_in_result(replies: Sequence[Reply]) -> bool:
    return any(reply.kind == "result" for reply in replies)


def record(dialog: Dialog, *, typed: bool) -> Script:
    """Play the check once on a fresh in-memory engine and keep what was sent."""
    engine = Engine(dialog, MemoryStore())
    steps = [Step(state=None, value=None, text="hi")]
    first = Script("probe", tuple(steps)).incoming(0)[0]
    replies = engine.handle(first)
    for _ in range(len(dialog.questions) + 1):
        asked = question(replies)
        if asked is None:
            break
        state = asked.question or ""
        if state not in CLICKS:
            raise RuntimeError(f"the benchmark check now asks {state!r}, which its scripts do not answer")
        value = CLICKS[state]
        if typed:
            step = Step(state=state, value=value, text=TYPED[state])
        else:
            step = Step(state=state, value=value, button=token_for(asked, value))
        steps.append(step)
        replies = engine.handle(Incoming(key=first.key, user=first.user, text=step.text, button=step.button))
        again = question(replies)
        if again is not None and again.question == state:
            raise RuntimeError(
                f"the {'typed' if typed else 'clicked'} script was not understood at {state!r}"
            )
    result = next((reply.result for reply in replies if reply.result is not None), None)
    if result is None or result.cause != EXPECTED_CAUSE:
        raise RuntimeError(f"the benchmark check no longer ends in {EXPECTED_CAUSE}: the dialog changed")
    return Script("typed" if typed else "clicks", tuple(steps))


def scripts(dialog: Dialog) -> tuple[Script, Script]:
    return record(dialog, typed=False), record(dialog, typed=True)


Handle = Callable[[Incoming], list[Reply]]


class Conversations:
    """Plays whole conversations through one handler, alternating the scripts, each with a key
    never used before, and times every turn with `perf_counter_ns`."""

    def __init__(self, handle: Handle, scripts: Sequence[Script], *, name: str) -> None:
        self.handle = handle
        self.scripts = scripts
        self.name = name
        self._numbers = itertools.count()
        self.by_script: dict[str, list[int]] = {script.name: [] for script in scripts}

    def run(self, conversations: int) -> list[int]:
        timer = time.perf_counter_ns
        handle = self.handle
        spent: list[int] = []
        for _ in range(conversations):
            number = next(self._numbers)
            script = self.scripts[number % len(self.scripts)]
            replies: list[Reply] = []
            mark = len(spent)
            for step, message in zip(script.steps, script.incoming(number), strict=True):
                incoming = clicked(message, step, replies)
                began = timer()
                replies = handle(incoming)
                spent.append(timer() - began)
            if not ended_in_result(replies):
                said = " / ".join(reply.text[:60] for reply in replies)
                raise RuntimeError(f"{self.name}: conversation {number} ended without a result: {said}")
            self.by_script[script.name] += spent[mark:]
        return spent

    def forget_times(self) -> None:
        """Drop the per-script times gathered so far (after a warm-up)."""
        for times in self.by_script.values():
            times.clear()

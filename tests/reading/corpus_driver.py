"""Drive the engine's turn with the independent phrase corpora (tests/corpus/).

Each helper puts a conversation where a phrase would arrive (first message, at the second
safety screen, mid-dialog) and reports what the bot did with it, as plain labels, so tests can
assert rates over whole corpora and print every miss.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import replace
from pathlib import Path
from typing import Any

import yaml

from bot.conversation import Conversation
from bot.dialog.model import CHOOSE, Dialog
from bot.messages import Incoming
from bot.turn import Dialogue, Turn

CORPUS = Path(__file__).resolve().parents[1] / "corpus"
KEY = "test:corpus"
USER = "test:user"
POSITIONS = ("first", "second_screen", "mid_dialog")


def load(name: str) -> Any:
    return yaml.safe_load((CORPUS / name).read_text(encoding="utf-8"))


def load_all(pattern: str) -> Iterator[tuple[str, Any]]:
    for path in sorted(CORPUS.glob(pattern)):
        yield path.stem, yaml.safe_load(path.read_text(encoding="utf-8"))


def rate_of(cases: Iterable[tuple[str, bool]]) -> tuple[float, list[str]]:
    """The share of cases that went right, and the labels of those that did not."""
    results = list(cases)
    misses = [label for label, ok in results if not ok]
    return 1 - len(misses) / max(1, len(results)), misses


Did = tuple[str, str | None]
"""What the bot did with a message (see `outcome`)."""


def assert_floor(floors: Mapping[str, float], kind: str, cases: Iterable[tuple[str, bool]]) -> None:
    """At least the floor's share of the cases went right; a failure lists every miss."""
    rate, misses = rate_of(cases)
    assert rate >= floors[kind], (
        f"{kind}: {rate:.1%} < {floors[kind]:.0%}; missed {len(misses)}:\n" + "\n".join(misses)
    )


def sign_cases(
    dialogue: Dialogue,
    signs: Iterable[tuple[str, Mapping[str, Any]]],
    kind: str,
    check: Callable[[str, Did], bool],
) -> Iterator[tuple[str, bool]]:
    """Each phrase of one kind (escalate, confirm, ignore, no_alarm) of each warning sign's
    lists, in every position, checked by `check(sign, what the bot did)`."""
    for sign, lists in signs:
        for text in lists.get(kind) or []:
            for where in POSITIONS:
                did = outcome(dialogue.dialog, say(dialogue, position(dialogue, where), str(text)))
                yield f"[{sign} {where}] {did} :: {text}", check(sign, did)


def harmless_outcomes(dialogue: Dialogue, texts: Iterable[Any]) -> list[tuple[str, Did]]:
    """What the bot did with each ordinary message, as a first message and mid-dialog."""
    return [
        (f"[{where}] {text}", outcome(dialogue.dialog, say(dialogue, position(dialogue, where), str(text))))
        for text in texts
        for where in ("first", "mid_dialog")
    ]


def say(dialogue: Dialogue, conversation: Conversation | None, text: str) -> Turn:
    return dialogue.turn(conversation, Incoming(key=KEY, user=USER, text=text), now=1000.0)


def at(dialogue: Dialogue, state: str, facts: dict[str, str] | None = None) -> Conversation:
    """A conversation standing at `state`, with the facts that would have brought it there."""
    return Conversation(
        key=KEY,
        user=USER,
        dialog=dialogue.dialog.id,
        version=dialogue.dialog.version,
        state=state,
        answers=dict(facts or {}),
        history=[[CHOOSE, {}]] if state != CHOOSE else [],
        step=3,
        started_at=900.0,
        updated_at=900.0,
    )


def position(dialogue: Dialogue, where: str) -> Conversation | None:
    """Where a phrase arrives: as the first message, at the second safety screen (the first
    answered none), or mid-dialog (both screens answered none, location behind the knee)."""
    dialog = dialogue.dialog
    screens = [q for q in dialog.questions.values() if q.kind == "signs"]
    first_screen = {o.fact: "no" for o in screens[0].options}
    if where == "first":
        return None
    if where == "second_screen":
        return at(dialogue, screens[1].id, first_screen)
    both = {o.fact: "no" for q in screens for o in q.options}
    return at(dialogue, "key_signs", {**both, "location": "behind"})


def outcome(dialog: Dialog, turn: Turn) -> tuple[str, str | None]:
    """What the bot did: ("escalate", urgency), ("confirm", sign), or ("carry_on", None)."""
    if turn.result is not None and turn.result.kind == "red_flag":
        return "escalate", turn.result.urgency
    conversation = turn.conversation
    question = dialog.questions.get(conversation.state) if conversation else None
    if (
        conversation is not None
        and question is not None
        and question.sign
        and conversation.answers.get(question.sign) == "doubted"
    ):
        return "confirm", question.sign
    return "carry_on", None  # (the flow's own check, like a lump's pulse, is no alarm)


def fresh(dialogue: Dialogue, conversation: Conversation | None) -> Conversation | None:
    return None if conversation is None else replace(conversation)

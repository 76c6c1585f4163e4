"""Numbers in what people type: an option pick only where the message is a pick.

At a safety screen an option number confirms a warning sign, so a count in an ordinary
sentence ("I've had 2 physio sessions") must never be read as one: that would raise a false
emergency, or answer "none of these" for someone who has not been asked yet."""

from __future__ import annotations

import pytest
from corpus_driver import at, position, say

from bot.turn import Dialogue

COUNTS = [
    "I've had 2 physio sessions",
    "did 4 laps of the park",
    "I do 2 spin classes a week and it aches after",
    "level 3 pain",
    "it hurts at km 3 every run",
    "my 2 kids keep me busy",
    "knee locked last week for a second but it's been fine",
]


@pytest.mark.parametrize("text", COUNTS)
def test_a_count_in_a_sentence_answers_no_safety_screen(dialogue: Dialogue, text: str) -> None:
    for where in ("first", "second_screen"):
        before = position(dialogue, where)
        turn = say(dialogue, before, text)
        screen = [q for q in dialogue.dialog.questions.values() if q.kind == "signs"][
            0 if where == "first" else 1
        ]
        known = turn.conversation.answers if turn.conversation else {}
        already = before.answers if before else {}
        picked = {f: known.get(f) for f in screen.facts if known.get(f) != already.get(f)}
        assert not any(v in ("confirmed", "no") for v in picked.values()), (where, picked)


@pytest.mark.parametrize(
    ("text", "want"),
    [
        ("2", {"lump": "yes"}),
        ("2 and 5", {"lump": "yes", "toes_up": "yes", "injury": "no"}),
        ("3 - I rolled it stepping off a kerb", {"injury": "yes", "lump": "no"}),
        ("option 4 I think", {"giving_way": "yes", "lump": "no"}),
        ("all except 3", {"injury": "no", "lump": "yes", "start_stiffness": "yes"}),
        ("not 1 or 2", {"start_stiffness": "no", "lump": "no"}),
        ("no one of these", {"start_stiffness": "no", "toes_up": "no"}),
    ],
)
def test_a_pick_is_still_read_as_one(dialogue: Dialogue, text: str, want: dict[str, str]) -> None:
    turn = say(dialogue, at(dialogue, "key_signs", {"location": "behind"}), text)
    assert turn.conversation is not None
    got = {fact: turn.conversation.answers.get(fact) for fact in want}
    assert got == want

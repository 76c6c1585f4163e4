"""The Spanish reader against its own independent corpus (tests/corpus/es/, written in Spanish
before the Spanish patterns, from how people type in Spain and Latin America): the same
promises as in English, in the same three positions.

Floors are what the Spanish reader achieves today, kept as guards against regressions; the
absolute lines hold as in English: no ordinary message raises an emergency, and a warning
sign stated plainly is never simply carried on past."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

import pytest
from corpus_driver import (
    POSITIONS,
    Did,
    assert_floor,
    at,
    harmless_outcomes,
    load_all,
    outcome,
    position,
    say,
    sign_cases,
)

from bot.dialog import Dialog
from bot.dialog.loader import check_translation
from bot.machine import states
from bot.turn import Dialogue

ROOT = Path(__file__).resolve().parents[2]

FLOORS_ES = {
    "escalate": 0.99,
    "confirm": 0.97,
    "ignore": 0.97,
    "no_alarm": 0.99,
    "harmless": 0.99,
    "answers": 0.98,
}


@pytest.fixture(scope="module")
def spanish(dialog: Dialog) -> Dialogue:
    return Dialogue(check_translation(dialog, ROOT / "dialogs" / "knee_pain_es.yaml"))


def _floor(kind: str, cases: Iterable[tuple[str, bool]]) -> None:
    assert_floor(FLOORS_ES, kind, cases)


def _sign_cases(
    dialogue: Dialogue, kind: str, check: Callable[[str, Did], bool]
) -> Iterator[tuple[str, bool]]:
    signs = (item for _, lists in load_all("es/warning_signs*.yaml") for item in lists.items())
    return sign_cases(dialogue, signs, kind, check)


def test_spanish_warning_signs_stated_plainly_escalate_at_their_urgency(spanish: Dialogue) -> None:
    urgency = {flag.id: flag.urgency for flag in spanish.dialog.red_flags.values()}
    cases = list(_sign_cases(spanish, "escalate", lambda sign, did: did == ("escalate", urgency[sign])))
    _floor("escalate", iter(cases))


def test_a_plain_spanish_warning_sign_is_never_passed_over_without_a_question(spanish: Dialogue) -> None:
    passed_over = [
        label for label, ok in _sign_cases(spanish, "escalate", lambda _, did: did[0] != "carry_on") if not ok
    ]
    assert not passed_over, "\n".join(passed_over)


def test_doubtful_spanish_mentions_get_the_confirming_question(spanish: Dialogue) -> None:
    _floor("confirm", _sign_cases(spanish, "confirm", lambda _, did: did[0] == "confirm"))


def test_denied_gone_and_other_peoples_signs_in_spanish_are_left_alone(spanish: Dialogue) -> None:
    _floor("ignore", _sign_cases(spanish, "ignore", lambda _, did: did[0] == "carry_on"))


def test_spanish_near_misses_never_escalate(spanish: Dialogue) -> None:
    _floor("no_alarm", _sign_cases(spanish, "no_alarm", lambda _, did: did[0] != "escalate"))


def test_ordinary_spanish_messages_raise_no_alarm(spanish: Dialogue) -> None:
    cases = harmless_outcomes(spanish, (text for _, texts in load_all("es/harmless*.yaml") for text in texts))
    assert not [label for label, did in cases if did == ("escalate", "emergency")], (
        "an ordinary Spanish message raised an emergency"
    )
    _floor("harmless", ((f"{label} -> {did}", did[0] == "carry_on") for label, did in cases))


def test_everyday_spanish_answers_are_understood(spanish: Dialogue) -> None:
    for _, data in load_all("es/answers*.yaml"):
        _answers_met(spanish, data)


def _answers_met(spanish: Dialogue, data: dict) -> None:
    dialog = spanish.dialog
    asked = set(states(dialog))
    screen = dialog.questions["screen_emergency"]
    multi = dialog.questions["key_signs"]

    def cases() -> Iterator[tuple[str, bool]]:
        for kind, want in (("none", "no"), ("unsure", "doubted")):
            for text in data["screen"][kind]:
                turn = say(spanish, at(spanish, screen.id), str(text))
                got = {f: turn.conversation.answers.get(f) for f in screen.facts} if turn.conversation else {}
                yield f"[screen {kind}] {got} :: {text}", all(v == want for v in got.values())
        for fact, answers in data["yesno"].items():
            if fact not in asked:
                continue
            for case in answers:
                turn = say(spanish, at(spanish, fact), str(case["text"]))
                got = turn.conversation.answers.get(fact) if turn.conversation else None
                yield f"[{fact}] {got!r} :: {case['text']}", got == str(case["answer"])
        for case in data["multi"]:
            picks = case["picks"]
            facts = multi.facts
            if picks == "none":
                want = dict.fromkeys(facts, "no")
            elif picks == "unsure":
                want = dict.fromkeys(facts, "unsure")
            else:
                want = {f: ("yes" if i in picks else "no") for i, f in enumerate(facts, 1)}
            turn = say(spanish, at(spanish, multi.id), str(case["text"]))
            got = {f: turn.conversation.answers.get(f) for f in facts} if turn.conversation else {}
            yield f"[multi] {got} != {want} :: {case['text']}", got == want
        for question, answers in data["choice"].items():
            for case in answers:
                turn = say(spanish, at(spanish, question), str(case["text"]))
                got = turn.conversation.answers.get(question) if turn.conversation else None
                yield f"[{question}] {got!r} :: {case['text']}", got == str(case["answer"])

    _floor("answers", cases())


@pytest.mark.parametrize(
    ("text", "did"),
    [
        ("a mi novia se le hinchó la rodilla tras una caída", ("carry_on", None)),
        ("se me hinchó la rodilla en una hora después de caerme", ("escalate", "urgent")),
        ("a mi hijo se le hinchó la rodilla en una hora tras la caída", ("escalate", "urgent")),
    ],
)
def test_a_sign_told_in_the_past_counts_for_the_person_never_for_someone_else(
    spanish: Dialogue, text: str, did: tuple[str, str | None]
) -> None:
    """A knee that swelled within hours is told in the past by nature; said of a friend it is
    their history, said of the person or of a child in their care it is the warning sign."""
    for where in POSITIONS:
        assert outcome(spanish.dialog, say(spanish, position(spanish, where), text)) == did, where

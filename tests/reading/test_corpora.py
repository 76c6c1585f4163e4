"""The reader against the independent corpora (tests/corpus/, written without sight of the
patterns): rates over whole corpora, each failure listing every phrase it missed.

The floors are what the reader achieves today, kept as guards against regressions; docs/
benchmarks.md records the measured figures. Two lines are absolute: no ordinary message ever
raises an emergency, and a warning sign stated plainly is never simply carried on past."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator

import pytest
from corpus_driver import Did, assert_floor, at, harmless_outcomes, load_all, say, sign_cases

from bot.dialog import Dialog
from bot.machine import states
from bot.turn import Dialogue

FLOORS = {
    "escalate": 0.975,
    "confirm": 0.93,
    "ignore": 0.97,
    "no_alarm": 0.98,
    "harmless": 0.99,
    "answers": 0.97,
    "facts": 0.93,
}


def _assert_floor(kind: str, cases: Iterable[tuple[str, bool]]) -> None:
    assert_floor(FLOORS, kind, cases)


def _sign_cases(
    dialogue: Dialogue, kind: str, check: Callable[[str, Did], bool]
) -> Iterator[tuple[str, bool]]:
    # blood_supply_3.yaml is a further round of blood_supply
    signs = ((re.sub(r"_\d+$", "", name), lists) for name, lists in load_all("warning_signs/*.yaml"))
    return sign_cases(dialogue, signs, kind, check)


@pytest.fixture(scope="module")
def urgency(dialog: Dialog) -> dict[str, str]:
    return {flag.id: flag.urgency for flag in dialog.red_flags.values()}


def test_warning_signs_stated_plainly_escalate_at_their_urgency(
    dialogue: Dialogue, urgency: dict[str, str]
) -> None:
    _assert_floor(
        "escalate", _sign_cases(dialogue, "escalate", lambda sign, did: did == ("escalate", urgency[sign]))
    )


def test_a_plain_warning_sign_is_never_passed_over_without_a_question(dialogue: Dialogue) -> None:
    missed = [
        label
        for label, ok in _sign_cases(dialogue, "escalate", lambda _, did: did[0] != "carry_on")
        if not ok
    ]
    assert len(missed) <= 10, "\n".join(missed)


def test_doubtful_mentions_get_the_confirming_question(dialogue: Dialogue) -> None:
    _assert_floor("confirm", _sign_cases(dialogue, "confirm", lambda _, did: did[0] == "confirm"))


def test_denied_gone_and_other_peoples_signs_are_left_alone(dialogue: Dialogue) -> None:
    _assert_floor("ignore", _sign_cases(dialogue, "ignore", lambda _, did: did[0] == "carry_on"))


def test_near_misses_never_escalate(dialogue: Dialogue) -> None:
    _assert_floor("no_alarm", _sign_cases(dialogue, "no_alarm", lambda _, did: did[0] != "escalate"))


def _harmless(dialogue: Dialogue) -> list[tuple[str, Did]]:
    return harmless_outcomes(dialogue, (text for _, texts in load_all("harmless_*.yaml") for text in texts))


def test_ordinary_messages_raise_no_alarm(dialogue: Dialogue) -> None:
    cases = _harmless(dialogue)
    assert not [label for label, did in cases if did == ("escalate", "emergency")], (
        "an ordinary message raised an emergency"
    )
    _assert_floor("harmless", ((f"{label} -> {did}", did[0] == "carry_on") for label, did in cases))


def _answer_cases(dialogue: Dialogue) -> Iterator:
    """Each answer to a yes/no question the flow asks. (A fact asked only as one tick of a
    multi-select question is never asked alone, so a bare "yes" to it cannot happen; the
    multi-select corpus covers those.)"""
    asked = set(states(dialogue.dialog))
    for name, cases in load_all("answers_yesno_*.yaml"):
        fact = re.sub(r"_\d+$", "", name.removeprefix("answers_yesno_"))  # swelling_2 -> swelling
        if fact not in asked:
            continue
        for case in cases:
            turn = say(dialogue, at(dialogue, fact), case["text"])
            known = turn.conversation.answers if turn.conversation else {}
            got = known.get(fact)
            # a second clause's fact is noted too ("no, but it's swollen")
            missed = {
                k: known.get(k)
                for k, v in _dialog_facts(case.get("facts") or {}).items()
                if known.get(k) != v
            }
            yield (
                f"[{fact}] {got!r}{f' also {missed}' if missed else ''} :: {case['text']}",
                got == str(case["answer"]) and not missed,
            )


def test_everyday_answers_to_a_yes_no_question_are_understood(dialogue: Dialogue) -> None:
    _assert_floor("answers", _answer_cases(dialogue))


def test_everyday_answers_to_the_safety_screen_are_understood(dialogue: Dialogue, dialog: Dialog) -> None:
    screen = dialog.questions["screen_emergency"]

    def cases() -> Iterator:
        for _, data in load_all("answers_screen*.yaml"):
            for kind, want in (("none", "no"), ("unsure", "doubted")):
                for text in data[kind]:
                    turn = say(dialogue, at(dialogue, screen.id), str(text))
                    got = (
                        {f: turn.conversation.answers.get(f) for f in screen.facts}
                        if turn.conversation
                        else {}
                    )
                    yield f"[{kind}] {got} :: {text}", all(v == want for v in got.values())

    _assert_floor("answers", cases())


def test_picks_on_the_multi_select_question_are_understood(dialogue: Dialogue, dialog: Dialog) -> None:
    multi = dialog.questions["key_signs"]
    facts = multi.facts

    def cases() -> Iterator:
        for case in (case for _, cases in load_all("answers_multi*.yaml") for case in cases):
            picks = case["picks"]
            if picks == "none":
                want = dict.fromkeys(facts, "no")
            elif picks == "unsure":
                want = dict.fromkeys(facts, "unsure")
            else:
                want = {f: ("yes" if i in picks else "no") for i, f in enumerate(facts, 1)}
            turn = say(dialogue, at(dialogue, multi.id), str(case["text"]))
            got = {f: turn.conversation.answers.get(f) for f in facts} if turn.conversation else {}
            yield f"{got} != {want} :: {case['text']}", got == want

    _assert_floor("answers", cases())


def test_facts_in_an_opening_are_noted(dialogue: Dialogue) -> None:
    def cases() -> Iterator:
        for _, openings in load_all("facts_*.yaml"):
            for case in openings:
                turn = say(dialogue, None, case["text"])
                known = turn.conversation.answers if turn.conversation else {}
                for fact, value in _dialog_facts(case["facts"]).items():
                    yield (
                        f"[{fact}={value}] got {known.get(fact)!r} :: {case['text']}",
                        known.get(fact) == value,
                    )

    _assert_floor("facts", cases())


def _dialog_facts(facts: dict[str, object]) -> dict[str, str]:
    """The corpus's facts in the dialog's terms (onset -> injury; night pain and feeling unwell
    are one question here, so they are left out when only one is stated)."""
    out = {str(k): str(v) for k, v in facts.items() if k not in ("night_pain", "unwell", "age")}
    onset = out.pop("onset", None)
    if onset is not None:
        out["injury"] = "yes" if onset == "injury" else "no"
    return out

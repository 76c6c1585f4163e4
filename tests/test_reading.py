"""How typed text is understood: the forms of yes and no, numbers, typos, negation, facts."""

from __future__ import annotations

import pytest

from bot.dialog import Dialog
from bot.reading import Reader


@pytest.fixture(scope="module")
def reader(dialog: Dialog) -> Reader:
    return Reader(dialog)


@pytest.mark.parametrize(
    ("typed", "meaning"),
    [
        ("yes", "yes"),
        ("Yeah", "yes"),
        ("y", "yes"),
        ("yep!", "yes"),
        ("👍", "yes"),
        ("👍🏽", "yes"),
        ("✔️", "yes"),
        ("yesss", "yes"),
        ("no", "no"),
        ("nope", "no"),
        ("N", "no"),
        ("nah", "no"),
        ("👎", "no"),
        ("dunno", "unsure"),
        ("not sure", "unsure"),
        ("I'm not sure", "unsure"),
        ("idk", "unsure"),
        ("🤷", "unsure"),
        ("?", "unsure"),
        ("1", "yes"),
        ("2", "no"),
        ("3", "unsure"),
        ("it does", "yes"),
        ("yes and no", None),
        ("banana", None),
    ],
)
def test_yes_no_and_not_sure_in_their_common_forms(
    reader: Reader, dialog: Dialog, typed: str, meaning: str | None
) -> None:
    assert reader.read(typed).answer_to(dialog.questions["lump"]) == meaning


@pytest.mark.parametrize(
    ("typed", "activity"),
    [
        ("running", "running"),
        ("I run", "running"),
        ("runing", "running"),
        ("jogging mostly", "running"),
        ("cycling", "cycling"),
        ("cyclng", "cycling"),
        ("on the bike", "cycling"),
        ("both", "both"),
        ("I run and cycle", "both"),
        ("triathlon", "both"),
        ("4", "other"),
        ("football", "other"),
        ("I'm a runner and a cyclist", "both"),
        ("running, or maybe cycling", None),
    ],
)
def test_choices_by_word_number_and_typo(
    reader: Reader, dialog: Dialog, typed: str, activity: str | None
) -> None:
    assert reader.read(typed).answer_to(dialog.questions["activity"]) == activity


def test_facts_in_passing_answer_questions_not_yet_asked(reader: Reader) -> None:
    reading = reader.read("I'm a cyclist and twisted it last week")
    assert reading.mentions == {"activity": "cycling", "onset": "injury"}


def test_a_denied_fact_answers_no(reader: Reader) -> None:
    assert reader.read("there's no lump though").mentions == {"lump": "no"}


@pytest.mark.parametrize(
    ("typed", "flags"),
    [
        ("I can't breathe properly", ("clot_lungs",)),
        ("I CANNOT put weight on it", ("cannot_bear_weight",)),
        ("got a fever, and chest pain", ("clot_lungs", "infection")),
        ("no fever", ()),
        ("I don't have chest pain", ()),
        ("no, but my foot is numb", ("blood_supply",)),
    ],
)
def test_red_flags_are_recognised_and_denials_respected(
    reader: Reader, typed: str, flags: tuple[str, ...]
) -> None:
    assert reader.read(typed).red_flags == flags


@pytest.mark.parametrize(
    ("typed", "command"),
    [
        ("help", "help"),
        ("HELP", "help"),
        ("/help", "help"),
        ("!restart", "restart"),
        ("start over", "restart"),
        ("go back", "back"),
        ("stop", "stop"),
        ("forget me", "forget"),
        ("help me with my knee", None),
    ],
)
def test_commands_are_whole_messages(reader: Reader, typed: str, command: str | None) -> None:
    assert reader.read(typed).command == command


def test_other_scripts_are_flagged_as_another_language(reader: Reader) -> None:
    assert reader.read("膝が痛い").foreign
    assert not reader.read("qwerty").foreign

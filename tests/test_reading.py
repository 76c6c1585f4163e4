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
        ("got a fever, and chest pain", ("clot_lungs",)),
        ("my knee is swollen and I've got a fever", ("infection",)),
        ("I had a fever last month but it's gone", ()),
        ("it's been sore forever", ()),
        ("please note my calf is swollen", ("calf_clot",)),
        ("my calf is really hot and swollen since the flight", ("calf_clot",)),
        ("I can't put any weight on it", ("cannot_bear_weight",)),
        ("my toes have gone a bit numb", ("blood_supply",)),
        ("chest pain? no", ()),
        ("Chest pain: none", ()),
        ("I dont have chest pain or shortness of breath", ()),
        ("I dislocated my shoulder years ago", ()),
        ("I can't walk far", ()),
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


@pytest.mark.parametrize(
    "typed", ["Stop.", "please stop", "stop 🙏", "Forget me.", "Help!", "restart, thanks"]
)
def test_commands_survive_punctuation_emoji_and_politeness(reader: Reader, typed: str) -> None:
    assert reader.read(typed).command is not None


@pytest.mark.parametrize(
    ("typed", "foreign"),
    [("tengo dolor en el pecho", True), ("ich habe Schmerzen in der Brust", True), ("my knee hurts", False)],
)
def test_other_languages_in_latin_script_are_recognised(reader: Reader, typed: str, foreign: bool) -> None:
    assert reader.read(typed).foreign is foreign


@pytest.mark.parametrize("typed", ["forever", "note", "pills", "hiking", "talking", "blocked", "sale"])
def test_real_english_words_are_never_corrected_into_dialog_words(
    reader: Reader, dialog: Dialog, typed: str
) -> None:
    reading = reader.read(f"it's {typed}")
    assert reading.red_flags == ()
    assert reading.mentions == {}


@pytest.mark.parametrize(
    ("typed", "answer"),
    [
        ("none", "none"),
        ("nope, all good", "none"),
        ("👎", "none"),
        ("no, but my knee aches", None),
        ("I am not fine", None),
    ],
)
def test_the_safety_screen_takes_none_only_from_a_plain_denial(
    reader: Reader, dialog: Dialog, typed: str, answer: str | None
) -> None:
    assert reader.read(typed).answer_to(dialog.questions["screen_emergency"]) == answer


def test_not_sure_is_not_taken_for_yes(reader: Reader) -> None:
    assert not reader.read("I'm not sure").affirmative
    assert reader.read("sure").affirmative


@pytest.mark.parametrize(
    ("typed", "flags"),
    [
        ("no my foot is numb", ("blood_supply",)),  # a "no" does not deny the next statement
        ("no, the calf is swollen", ("calf_clot",)),
        ("no fever and my knee is swollen", ()),
        ("no swelling in the knee and the calf is swollen", ("calf_clot",)),
        ("foot isn't cold just numb", ("blood_supply",)),
        ("calf: swollen", ("calf_clot",)),
        ("my knee is swollen. I have a fever", ("infection",)),
        ("never had chest pain until today", ("clot_lungs",)),
        ("dislocated knee", ("cannot_bear_weight",)),
        ("I can't take 4 steps", ("cannot_bear_weight",)),
        ("the whole leg is swollen", ("calf_clot",)),
        ("I think my bakers cyst has burst", ("calf_clot",)),
        ("numm foot", ("blood_supply",)),
        ("I'm gasping for air", ("clot_lungs",)),
        ("my leg won't hold me since the fall", ("cannot_bear_weight",)),
        ("my knee seized up on the run", ("locked_knee",)),
        ("no chest pain, breathlessness or coughing blood", ()),
        ("I can't lose weight", ()),
        ("my calf is tight after running", ()),
    ],
)
def test_warning_signs_in_the_ways_people_write_them(
    reader: Reader, typed: str, flags: tuple[str, ...]
) -> None:
    assert reader.read(typed).red_flags == flags


@pytest.mark.parametrize(
    ("question", "typed", "answer"),
    [
        ("check_calf_clot", "swollen n red", "yes"),
        ("check_cannot_bear_weight", "no I can't", "yes"),
        ("check_blood_supply", "numb", "yes"),
        ("check_clot_lungs", "no puedo respirar", None),  # another language's "no" is not a No
        ("lump", "n", "no"),
    ],
)
def test_the_one_by_one_warning_checks_read_symptoms_and_other_languages_safely(
    reader: Reader, dialog: Dialog, question: str, typed: str, answer: str | None
) -> None:
    assert reader.read(typed).answer_to(dialog.questions[question]) == answer


@pytest.mark.parametrize(
    "typed", ["nope none of those", "no all good", "nothing like that", "none of the above"]
)
def test_plain_denials_at_the_safety_screen_are_understood(
    reader: Reader, dialog: Dialog, typed: str
) -> None:
    assert reader.read(typed).answer_to(dialog.questions["screen_emergency"]) == "none"


@pytest.mark.parametrize("typed", ["absolutely not", "definitely not"])
def test_an_emphatic_no_is_a_no(reader: Reader, dialog: Dialog, typed: str) -> None:
    assert reader.read(typed).answer_to(dialog.questions["lump"]) == "no"

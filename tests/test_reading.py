"""How typed text is understood: commands, the forms of yes and no, option numbers, typos,
empty, huge, emoji and foreign input, denial and the other context around what is said.

These read single messages with the reader (`bot.reading.reader.Reader`) and the answer it
gives to one question (`bot.reading.answers.answer`); the phrase corpora under tests/reading/
check the whole turn over many more phrasings.
"""

from __future__ import annotations

import pytest

from bot.dialog import Dialog
from bot.reading.answers import answer
from bot.reading.normalise import MAX_READ_CHARS
from bot.reading.reader import Reader, Reading


@pytest.fixture(scope="module")
def reader(dialog: Dialog) -> Reader:
    return Reader(dialog)


def said(reader: Reader, dialog: Dialog, question: str, text: str) -> dict[str, str]:
    """The facts `text` settles as an answer to `question` ({} when it answers nothing)."""
    return dict(answer(dialog.questions[question], reader.read(text), dialog).facts)


def signs(reader: Reader, dialog: Dialog, text: str) -> dict[str, str]:
    return dict(reader.read(text).signs(dialog))


def facts(reader: Reader, dialog: Dialog, text: str) -> dict[str, str]:
    return reader.read(text).facts(dialog)


# ----- commands --------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("typed", "command"),
    [
        ("help", "help"),
        ("HELP", "help"),
        ("Help!", "help"),
        ("start over", "restart"),
        ("restart, thanks", "restart"),
        ("go back", "back"),
        ("stop", "stop"),
        ("Stop.", "stop"),
        ("please stop", "stop"),
        ("stop 🙏", "stop"),
        ("forget me", "forget"),
        ("Forget me.", "forget"),
        ("hi", "hello"),
        ("help me with my knee", None),
        ("stop running hurts", None),
        ("can you help", None),
    ],
)
def test_commands_are_whole_messages_with_politeness_and_punctuation_around_them(
    reader: Reader, typed: str, command: str | None
) -> None:
    assert reader.read(typed).command == command


@pytest.mark.parametrize(
    ("typed", "marked"), [("/help", True), ("!restart", True), ("/back", True), ("back", False)]
)
def test_a_leading_slash_or_bang_marks_a_command(reader: Reader, typed: str, marked: bool) -> None:
    reading = reader.read(typed)
    assert reading.command is not None
    assert reading.marked is marked


# ----- yes, no, not sure ------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("typed", "meaning"),
    [
        ("yes", "yes"),
        ("Yeah", "yes"),
        ("y", "yes"),
        ("yep!", "yes"),
        ("yesss", "yes"),
        ("yse", "yes"),
        ("👍", "yes"),
        ("👍🏽", "yes"),
        ("✔️", "yes"),
        ("it does", "yes"),
        ("sure", "yes"),
        ("a bit", "yes"),
        ("no", "no"),
        ("nope", "no"),
        ("N", "no"),
        ("nah", "no"),
        ("👎", "no"),
        ("absolutely not", "no"),
        ("definitely not", "no"),
        ("nope 👍", "no"),  # words outrank an emoji
        ("dunno", "unsure"),
        ("not sure", "unsure"),
        ("I'm not sure", "unsure"),
        ("idk", "unsure"),
        ("🤷", "unsure"),
        ("?", "unsure"),
        ("1", "yes"),
        ("2", "no"),
        ("3", "unsure"),
    ],
)
def test_yes_no_and_not_sure_in_their_common_forms(
    reader: Reader, dialog: Dialog, typed: str, meaning: str
) -> None:
    assert said(reader, dialog, "lump", typed) == {"lump": meaning}


@pytest.mark.parametrize("typed", ["yes and no", "banana", "4", "🦄🌈"])
def test_what_answers_nothing_is_not_taken_for_an_answer(reader: Reader, dialog: Dialog, typed: str) -> None:
    assert said(reader, dialog, "lump", typed) == {}


def test_a_hedge_is_a_yes_to_an_ordinary_question_but_only_not_sure_to_a_warning_sign(
    reader: Reader, dialog: Dialog
) -> None:
    assert said(reader, dialog, "lump", "sometimes") == {"lump": "yes"}
    assert said(reader, dialog, dialog.confirm_question("blood_supply"), "a bit") == {
        "blood_supply": "unsure"
    }


# ----- choices and option numbers ----------------------------------------------------------------
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
        ("I'm a runner and a cyclist", "both"),
        ("triathlon", "both"),
        ("football", "other"),
        ("4", "other"),
        ("the second one", "cycling"),
        ("option 2", "cycling"),
    ],
)
def test_choices_by_word_number_and_typo(reader: Reader, dialog: Dialog, typed: str, activity: str) -> None:
    assert said(reader, dialog, "activity", typed) == {"activity": activity}


def test_a_bare_yes_to_a_choice_asks_which_one(reader: Reader, dialog: Dialog) -> None:
    given = answer(dialog.questions["activity"], reader.read("yes"), dialog)
    assert not given and given.which


@pytest.mark.parametrize(
    ("typed", "picked"),
    [
        ("1 and 3", {"start_stiffness", "injury"}),
        ("2, 4", {"lump", "giving_way"}),
        ("one and five", {"start_stiffness", "toes_up"}),
        ("1-3", {"start_stiffness", "lump", "injury"}),
        ("#3", {"injury"}),
        ("4️⃣", {"giving_way"}),
        ("all of them", {"start_stiffness", "lump", "injury", "giving_way", "toes_up"}),
        ("all except 3", {"start_stiffness", "lump", "giving_way", "toes_up"}),
        ("everything but the lump", {"start_stiffness", "injury", "giving_way", "toes_up"}),
        ("none of these", set()),
    ],
)
def test_picks_on_a_multi_select_question(
    reader: Reader, dialog: Dialog, typed: str, picked: set[str]
) -> None:
    question = dialog.questions["key_signs"]
    assert said(reader, dialog, "key_signs", typed) == {
        f: ("yes" if f in picked else "no") for f in question.facts
    }


def test_not_sure_to_a_multi_select_question_is_not_sure_of_each(reader: Reader, dialog: Dialog) -> None:
    question = dialog.questions["key_signs"]
    assert said(reader, dialog, "key_signs", "not sure") == dict.fromkeys(question.facts, "unsure")


@pytest.mark.parametrize("typed", ["I'm 45", "10 km", "I do 2 spin classes a week"])
def test_a_measure_or_a_count_is_no_option_number(reader: Reader, dialog: Dialog, typed: str) -> None:
    reading = reader.read(typed)
    assert reading.number is None
    assert not set(said(reader, dialog, "key_signs", typed).values()) & {"yes"}


@pytest.mark.parametrize(
    ("typed", "numbers", "only"),
    [
        ("3", (3,), True),
        ("1 and 4", (1, 4), True),
        ("the first", (1,), True),
        ("3 - I twisted it", (3,), False),
    ],
)
def test_option_numbers_and_whether_the_message_is_nothing_else(
    reader: Reader, typed: str, numbers: tuple[int, ...], only: bool
) -> None:
    reading = reader.read(typed)
    assert (reading.numbers, reading.numbers_only) == (numbers, only)


@pytest.mark.parametrize(
    ("typed", "answered"),
    [
        ("none", "no"),
        ("nope, all good", "no"),
        ("👎", "no"),
        ("none of the above", "no"),
        ("not 1, 2 or 3", "no"),
        ("not sure", "unsure"),
        ("5", "unsure"),  # the screen's last button, "not sure"
    ],
)
def test_a_safety_screen_answered_for_all_its_signs_at_once(
    reader: Reader, dialog: Dialog, typed: str, answered: str
) -> None:
    screen = dialog.questions["screen_emergency"]
    assert said(reader, dialog, screen.id, typed) == dict.fromkeys(screen.facts, answered)


def test_a_safety_screen_option_picked_by_number_or_words(reader: Reader, dialog: Dialog) -> None:
    assert said(reader, dialog, "screen_emergency", "2") == {"blood_supply": "yes"}
    assert said(reader, dialog, "screen_emergency", "the second one") == {"blood_supply": "yes"}
    assert said(reader, dialog, "screen_emergency", "6") == {}  # no such option
    assert said(reader, dialog, "screen_emergency", "I am not fine") == {}  # no plain denial


# ----- typos ----------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("typed", "sign"),
    [
        ("my calff is swolen", "calf_clot"),
        ("numm foot", "blood_supply"),
        ("I cnat put weight on it", "cannot_bear_weight"),
    ],
)
def test_misspelt_warning_signs_are_still_read(reader: Reader, dialog: Dialog, typed: str, sign: str) -> None:
    assert signs(reader, dialog, typed) == {sign: "stated"}


@pytest.mark.parametrize(
    "word", ["forever", "note", "pills", "talking", "sale", "cheers", "looked", "cooled"]
)
def test_real_english_words_are_never_corrected_into_dialog_words(
    reader: Reader, dialog: Dialog, word: str
) -> None:
    reading = reader.read(f"it's {word}")
    assert reading.signs(dialog) == {}
    assert reading.facts(dialog) == {}


# ----- empty, huge, emoji, foreign ----------------------------------------------------------------
@pytest.mark.parametrize("typed", ["", "   \n\t ", "\x00\x01\x02\ufffd\x7f"])
def test_a_message_with_no_words_is_empty(reader: Reader, typed: str) -> None:
    assert reader.read(typed).empty


def test_emoji_alone_are_not_empty_but_say_nothing(reader: Reader, dialog: Dialog) -> None:
    reading = reader.read("🦄🌈")
    assert not reading.empty and not reading.foreign
    assert reading.signs(dialog) == {} and reading.facts(dialog) == {} and reading.command is None


def test_a_huge_message_is_read_from_its_start_and_says_it_was_cut(reader: Reader, dialog: Dialog) -> None:
    text = "my foot is numb. " + "blah " * (MAX_READ_CHARS // 2)
    reading = reader.read(text)
    assert reading.truncated
    assert reading.signs(dialog) == {"blood_supply": "stated"}
    assert not reader.read("my foot is numb").truncated


@pytest.mark.parametrize(
    ("typed", "foreign"),
    [
        ("膝が痛い", True),
        ("Болит под коленом", True),
        ("tengo dolor en el pecho", True),
        ("ich habe Schmerzen in der Brust", True),
        ("ich kann nicht atmen", True),
        ("my knee hurts", False),
        ("qwerty", False),
        ("strava parkrun tbh", False),
    ],
)
def test_another_language_is_recognised(reader: Reader, typed: str, foreign: bool) -> None:
    assert reader.read(typed).foreign is foreign


def test_another_languages_no_is_not_an_english_no(reader: Reader, dialog: Dialog) -> None:
    # "no puedo respirar": "I can't breathe"
    assert said(reader, dialog, dialog.confirm_question("clot_lungs"), "no puedo respirar") != {
        "clot_lungs": "no"
    }


# ----- denial and other context ----------------------------------------------------------------------
@pytest.mark.parametrize(
    ("typed", "read"),
    [
        # said plainly, now
        ("I can't breathe properly", {"clot_lungs": "stated"}),
        ("I CANNOT put weight on it", {"cannot_bear_weight": "stated"}),
        ("please note my calf is swollen", {"calf_clot": "stated"}),
        ("my calf has been swollen since yesterday", {"calf_clot": "stated"}),
        # denied: before, after, in a list, with a colon or a question mark
        ("no fever", {}),
        ("I don't have chest pain", {"clot_lungs": "dropped"}),
        ("chest pain? no", {"clot_lungs": "dropped"}),
        ("Chest pain: none", {"clot_lungs": "dropped"}),
        ("no chest pain, breathlessness or coughing blood", {"clot_lungs": "dropped"}),
        ("my foot is fine", {"blood_supply": "dropped"}),
        # a "no" that answers the question denies nothing after it
        ("no my foot is numb", {"blood_supply": "stated"}),
        ("no, but my foot is numb", {"blood_supply": "stated"}),
        # a denial ends with its statement: the next one is said plainly
        ("no chest pain, my calf is swollen", {"clot_lungs": "dropped", "calf_clot": "stated"}),
        ("no swelling in the knee and the calf is swollen", {"calf_clot": "stated"}),
        # gone, or never until now
        ("my foot went numb but it's fine now", {"blood_supply": "dropped"}),
        ("I had a fever last month but it's gone", {}),
        ("never had chest pain until today", {"clot_lungs": "stated"}),
        # doubt: a hedge, a question, a what-if, long ago, an ordinary explanation
        ("I think my calf might be swollen", {"calf_clot": "doubtful"}),
        ("is a numb foot serious?", {"blood_supply": "doubtful"}),
        ("what if my calf swells up", {"calf_clot": "doubtful"}),
        ("I had a DVT years ago", {"calf_clot": "doubtful"}),
        ("my foot went cold on a winter ride", {"blood_supply": "doubtful"}),
        ("my toes have gone a bit numb", {"blood_supply": "doubtful"}),
        # ordinary words that only look like a sign
        ("I can't walk far", {}),
        ("I can't lose weight", {}),
        ("my calf is tight after running", {}),
        ("it's been sore forever", {}),
    ],
)
def test_warning_signs_are_read_with_the_words_around_them(
    reader: Reader, dialog: Dialog, typed: str, read: dict[str, str]
) -> None:
    assert signs(reader, dialog, typed) == read


def test_the_most_definite_reading_of_a_sign_said_twice_wins(reader: Reader, dialog: Dialog) -> None:
    assert signs(reader, dialog, "I think my foot is numb. My foot is numb and cold.") == {
        "blood_supply": "stated"
    }


@pytest.mark.parametrize(
    ("typed", "read"),
    [
        ("I'm a cyclist and twisted it last week", {"activity": "cycling", "injury": "yes"}),
        ("there's no lump though", {"lump": "no"}),
        ("maybe a lump", {"lump": "unsure"}),
        ("I think there might be a lump", {"lump": "unsure"}),
        ("I'm not sure if there's a lump", {"lump": "unsure"}),
        ("is a lump normal?", {}),  # a question says nothing of the person
        ("my friend has a lump", {}),  # nor does someone else's
        ("my calf hurts when I walk and eases when I stand still", {"walking_calf_pain": "yes"}),
        ("since my long flight", {"recent_travel": "yes"}),
    ],
)
def test_facts_are_read_with_the_words_around_them(
    reader: Reader, dialog: Dialog, typed: str, read: dict[str, str]
) -> None:
    assert facts(reader, dialog, typed) == read


@pytest.mark.parametrize(
    ("typed", "read", "someone_else"),
    [
        ("my calf is swollen", {"calf_clot": "stated"}, False),
        ("my mum is short of breath", {"clot_lungs": "stated"}, True),  # told as now: a sign, for them
        ("asking for my son, he can't put weight on his leg", {"cannot_bear_weight": "stated"}, True),
        ("my dad had a clot years ago", {"calf_clot": "dropped"}, True),  # someone else's history
        ("my dad said his calf swelled up", {"calf_clot": "doubtful"}, True),  # no time: checked
        ("my friend's knee locked after a tackle", {"locked_knee": "doubtful"}, True),
    ],
)
def test_someone_elses_sign_is_read_as_theirs(
    reader: Reader, dialog: Dialog, typed: str, read: dict[str, str], someone_else: bool
) -> None:
    reading: Reading = reader.read(typed)
    assert reading.signs(dialog) == read
    assert (set(read) <= reading.about_someone_else()) is someone_else


# ----- a warning sign's confirming question ------------------------------------------------------
@pytest.mark.parametrize(
    ("sign", "typed", "meaning"),
    [
        ("calf_clot", "yes it is swollen and red", "yes"),
        ("calf_clot", "swollen n red", "yes"),
        ("blood_supply", "numb", "yes"),
        ("blood_supply", "yes", "yes"),
        ("blood_supply", "it's fine now", "no"),
        ("blood_supply", "a bit", "unsure"),
        ("cannot_bear_weight", "no I can't", "yes"),  # asked "can you put weight on it?"
        ("clot_lungs", "not sure", "unsure"),
        ("clot_lungs", "no", "no"),
    ],
)
def test_the_confirming_question_reads_symptoms_and_the_way_it_is_asked(
    reader: Reader, dialog: Dialog, sign: str, typed: str, meaning: str
) -> None:
    assert said(reader, dialog, dialog.confirm_question(sign), typed) == {sign: meaning}

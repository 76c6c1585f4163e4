"""Privacy is said first: whatever a new person's first message is, the first thing kneebot tells
them includes what it keeps, for how long, and that `forget` deletes it. The wording lives in the
dialog file (the greeting every new check starts with), so it holds on every platform; the
adapters' own tests check that the greeting reaches the person there."""

from __future__ import annotations

import pytest

from bot.dialog import Dialog
from bot.engine import Engine
from bot.messages import Reply
from bot.store.base import DEFAULT_TTL_SECONDS
from tests.conftest import Person

FIRST_MESSAGES = [
    "hi",
    "",
    "I'm a runner and it hurts behind my knee after long runs",
    "my calf is swollen, red and hot",  # a warning sign straight away: the result comes at once
    "¿puedes ayudarme con la rodilla?",
    "restart",
]


def says_what_is_kept(text: str, dialog: Dialog) -> bool:
    """The privacy note: the answers are what is kept, for a day (the default idle time), and
    the forget command deletes them."""
    assert DEFAULT_TTL_SECONDS == 24 * 3600, "the dialog's wording says a day"
    forget_words = dialog.language.commands["forget"]
    return "answers" in text and " a day " in text and any(f" {word} " in text for word in forget_words)


def test_the_greeting_says_what_is_kept_for_how_long_and_how_to_delete_it(dialog: Dialog) -> None:
    assert says_what_is_kept(dialog.messages["greeting"], dialog)


@pytest.mark.parametrize("first", FIRST_MESSAGES)
def test_a_new_persons_first_reply_is_the_greeting_with_the_privacy_note(
    engine: Engine, person: Person, first: str
) -> None:
    replies = person.say(first)
    assert replies[0].name == "greeting"
    assert says_what_is_kept(replies[0].text, engine.dialog)


def test_opening_kneebot_from_a_menu_greets_a_new_person_the_same_way(engine: Engine, person: Person) -> None:
    replies = engine.open(person.key, person.user)
    assert replies[0].name == "greeting" and says_what_is_kept(replies[0].text, engine.dialog)


@pytest.mark.parametrize("command", ["help", "forget"])
def test_help_or_forget_as_a_first_message_says_it_too_or_holds_nothing(
    engine: Engine, person: Person, command: str
) -> None:
    """`help` explains what is kept; `forget` and nothing is kept at all."""
    replies: list[Reply] = person.say(command)
    if command == "help":
        assert "forget" in replies[0].text and "a day" in replies[0].text
    else:
        assert replies[0].name == "forgotten"
    assert list(engine.store.keys()) == []

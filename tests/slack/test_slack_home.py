"""Onboarding in Slack: the App Home tab and the one-time welcome in the Messages tab.

Opening kneebot's Home tab publishes a view saying what kneebot is and is not, with "Start a
check", what is kept and for how long, "Forget me" and a link to the docs. The first time
someone opens the Messages tab, a welcome (with the same start button) says hello and what is
kept; never twice.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from slack_fake_api import FakeSlack
from slack_harness import LoopThread, SlackPerson, SlackRig, buttons_of, posted, texts, visible_text

from adapters.slack.home import DOCS_ACTION, FORGET_ACTION, START_ACTION
from bot.dialog import Dialog
from bot.engine import Engine
from bot.keys import conversation_key
from bot.store import MemoryStore

DOCS = "https://kneebot.example.org/docs/privacy"


@pytest.fixture
def rig(loop_thread: LoopThread, fake: FakeSlack, slack_dialog: Dialog) -> Iterator[SlackRig]:
    """The adapter with a docs link configured (KNEEBOT_DOCS_URL)."""
    running = SlackRig(loop_thread, fake, Engine(slack_dialog, MemoryStore()), docs_url=DOCS)
    yield running
    running.close()


def elements(view: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The view's interactive elements by action id."""
    return {
        element["action_id"]: element
        for block in view["blocks"]
        if block["type"] == "actions"
        for element in block["elements"]
    }


def test_opening_the_home_tab_publishes_what_kneebot_is_a_start_button_privacy_and_forget(
    person: SlackPerson, fake: FakeSlack
) -> None:
    words = person.rig.engine.dialog.messages

    person.open_home()

    (published,) = fake.calls_to("views.publish")
    assert published.args["user_id"] == person.user
    view = published.args["view"]
    assert view["type"] == "home"
    shown = visible_text(view["blocks"])
    assert words["slack_home_about"] in shown, "what kneebot is and is not"
    assert words["slack_home_privacy"] in shown, "what is kept and for how long"
    buttons = elements(view)
    assert buttons[START_ACTION]["text"]["text"] == words["slack_home_start"]
    assert buttons[FORGET_ACTION]["text"]["text"] == words["slack_home_forget"]
    assert buttons[FORGET_ACTION]["confirm"]["confirm"]["text"] == words["slack_home_forget_yes"]
    assert buttons[DOCS_ACTION]["url"] == DOCS
    assert not posted(fake.calls), "opening the Home tab sends no message"


def test_start_a_check_on_the_home_tab_starts_it_in_the_dm(person: SlackPerson, fake: FakeSlack) -> None:
    person.open_home()

    calls = person.click_home(START_ACTION)

    assert [c.args["users"] for c in calls if c.method == "conversations.open"] == [person.user]
    in_dm = texts(posted(calls, person.dm))
    assert in_dm[0] == person.rig.engine.dialog.messages["greeting"]
    assert buttons_of(posted(calls, person.dm)[-1]), "the first question, with its buttons"
    note = visible_text(person.home().args["view"]["blocks"])
    assert person.rig.engine.dialog.messages["slack_home_started"] in note, "the Home tab says where"


def test_start_a_check_again_picks_up_the_check_in_progress(person: SlackPerson) -> None:
    first = posted(person.say("hi"), person.dm)[-1]
    person.open_home()

    calls = posted(person.click_home(START_ACTION), person.dm)

    assert texts(calls)[0] == person.rig.engine.dialog.messages["resumed"]
    assert texts(calls)[-1] == texts([first])[-1], "the same question as before"


def test_forget_me_deletes_everything_held_about_the_person_and_no_one_else(
    person: SlackPerson, other_person: SlackPerson
) -> None:
    person.say("hi")
    other_person.say("hi")
    store = person.rig.engine.store
    theirs = conversation_key("slack", other_person.team, other_person.dm, other_person.user)
    person.open_home()

    person.click_home(FORGET_ACTION)

    assert list(store.keys()) == [theirs]
    note = visible_text(person.home().args["view"]["blocks"])
    assert person.rig.engine.dialog.messages["forgotten"] in note


def test_the_docs_link_click_is_acknowledged_and_does_nothing_else(
    person: SlackPerson, fake: FakeSlack
) -> None:
    person.open_home()
    calls = person.click_home(DOCS_ACTION)
    assert [c.method for c in calls] == []
    assert list(person.rig.engine.store.keys()) == []


def test_without_a_docs_address_the_home_tab_has_no_link(
    loop_thread: LoopThread, fake: FakeSlack, slack_dialog: Dialog
) -> None:
    rig = SlackRig(loop_thread, fake, Engine(slack_dialog, MemoryStore()))
    try:
        SlackPerson(rig, "U0NODOCS1").open_home()
    finally:
        rig.close()
    view = fake.calls_to("views.publish")[-1].args["view"]
    assert DOCS_ACTION not in elements(view) and START_ACTION in elements(view)


# ----- the welcome -----------------------------------------------------------------------------------
def test_the_first_visit_to_the_messages_tab_gets_one_welcome_with_the_privacy_note(
    person: SlackPerson, fake: FakeSlack
) -> None:
    words = person.rig.engine.dialog.messages

    (welcome,) = posted(person.open_messages_tab(), person.dm)

    assert visible_text(welcome.blocks) == words["slack_welcome"]
    assert "forget" in words["slack_welcome"] and "a day" in words["slack_welcome"]
    assert [b["action_id"] for b in buttons_of(welcome)] == [START_ACTION]
    assert posted(person.open_messages_tab(), person.dm) == [], "never twice"
    assert list(person.rig.engine.store.keys()) == [], "a welcome keeps nothing about anyone"


def test_no_welcome_for_someone_who_has_talked_to_kneebot_before(person: SlackPerson) -> None:
    person.say("hi")
    assert posted(person.open_messages_tab(), person.dm) == []


def test_no_welcome_when_a_person_wrote_first(person: SlackPerson, fake: FakeSlack) -> None:
    fake.user_messages[person.dm] = ["1700000000.000001"]
    assert posted(person.open_messages_tab(), person.dm) == []


def test_the_welcomes_start_button_starts_the_check(person: SlackPerson) -> None:
    (welcome,) = posted(person.open_messages_tab(), person.dm)

    calls = posted(person.click_in_dm(welcome, START_ACTION), person.dm)

    assert texts(calls)[0] == person.rig.engine.dialog.messages["greeting"]
    assert buttons_of(calls[-1])

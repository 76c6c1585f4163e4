"""Slack's own sentences (the answered note, the notes said only to one person, the Home tab
and the welcome) in each person's Slack language when kneebot speaks it, as the check is."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from slack_fake_api import FakeSlack
from slack_harness import LoopThread, SlackPerson, SlackRig, labels_of, posted, visible_text

from bot.dialog import Dialog
from bot.engine import Engine, default_dialog_path
from bot.languages import load_translations
from bot.store import MemoryStore

SPANISH = load_translations(default_dialog_path())[0].messages


@pytest.fixture
def rig(loop_thread: LoopThread, fake: FakeSlack, slack_dialog: Dialog) -> Iterator[SlackRig]:
    engine = Engine(slack_dialog, MemoryStore(), translations=load_translations(default_dialog_path()))
    running = SlackRig(loop_thread, fake, engine)
    yield running
    running.close()


@pytest.fixture
def hablante(person: SlackPerson, fake: FakeSlack) -> SlackPerson:
    fake.locales[person.user] = "es-ES"
    return person


def test_the_answered_note_is_in_the_persons_language(hablante: SlackPerson) -> None:
    question = posted(hablante.say("hola"), hablante.dm)[-1]
    label = labels_of(question)[0]
    calls = hablante.click(label, on=question)

    edit = next(c for c in calls if c.method == "chat.update")
    assert visible_text(edit.blocks).endswith(SPANISH["slack_answered"].format(answer=label))


def test_a_click_on_someone_elses_question_is_refused_in_the_clickers_language(
    person: SlackPerson, other_person: SlackPerson, fake: FakeSlack
) -> None:
    fake.locales[other_person.user] = "es-419"
    question = posted(person.say("hi"), person.dm)[-1]
    calls = person.click(labels_of(question)[0], on=question, clicker=other_person.user)

    note = next(c for c in calls if c.method == "chat.postEphemeral")
    assert visible_text(note.blocks) == SPANISH["slack_not_yours"]


def test_a_channel_mention_is_moved_to_the_dm_in_the_persons_language(hablante: SlackPerson) -> None:
    calls = hablante.mention("<@U0KNEEBOT> hola", channel="C0RUNNING")

    note = next(c for c in calls if c.method == "chat.postEphemeral")
    assert visible_text(note.blocks) == SPANISH["slack_moved_to_dm"]


def test_the_home_tab_and_the_welcome_are_in_the_persons_language(hablante: SlackPerson) -> None:
    hablante.open_home()
    assert SPANISH["slack_home_title"] in str(hablante.home().args["view"])

    welcome = next(c for c in hablante.open_messages_tab() if c.method == "chat.postMessage")
    assert welcome.args["text"].startswith(SPANISH["slack_welcome"][:40])


def test_a_language_kneebot_does_not_speak_gets_the_main_dialogs_sentences(
    person: SlackPerson, fake: FakeSlack
) -> None:
    fake.locales[person.user] = "pt-BR"
    person.open_home()
    assert SPANISH["slack_home_title"] not in str(person.home().args["view"])
    assert "kneebot" in str(person.home().args["view"])

"""Nobody gets pinged through the bot, and what people write never reaches a log."""

from __future__ import annotations

import dataclasses
import json
import re
from collections.abc import Iterator
from typing import Any

import pytest
from slack_fake_api import BOT_TOKEN, Call, FakeSlack
from slack_harness import LoopThread, SlackPerson, SlackRig, posted

from adapters.slack.blocks import reply_message
from bot.dialog import Dialog
from bot.engine import Engine
from bot.messages import Choice, Reply
from bot.store import MemoryStore

HOSTILE = "<!channel> <!here|here> <!everyone> <@U0VICTIM> <!subteam^S0RUNNERS|@runners> <#C0GENERAL> & co"
RAW_MENTION = re.compile(r"<[!@#]")


def sent_text(calls: list[Call]) -> str:
    """Every string the bot sent anywhere in a message (text, blocks, ephemeral, response_url)."""
    return json.dumps([c.args for c in calls if c.method != "auth.test"], ensure_ascii=False)


def mrkdwn_objects(blocks: list[dict[str, Any]]) -> Iterator[dict[str, Any]]:
    for block in blocks:
        for text in [block.get("text"), *block.get("elements", [])]:
            if isinstance(text, dict) and text.get("type") == "mrkdwn":
                yield text


@pytest.fixture
def hostile_rig(loop_thread: LoopThread, fake: FakeSlack, slack_dialog: Dialog) -> Iterator[SlackRig]:
    """A dialog whose own sentences (as a careless edit might) contain Slack mention syntax."""
    messages = {**slack_dialog.messages, "greeting": f"Hi {HOSTILE}", "slack_moved_to_dm": f"Moved {HOSTILE}"}
    dialog = dataclasses.replace(slack_dialog, messages=messages)
    running = SlackRig(loop_thread, fake, Engine(dialog, MemoryStore()))
    yield running
    running.close()


def test_mention_syntax_in_anything_the_bot_sends_is_escaped(hostile_rig: SlackRig, fake: FakeSlack) -> None:
    person = SlackPerson(hostile_rig, "U0HOSTILE1")
    calls = person.say(f"{HOSTILE} my knee hurts")
    calls += person.mention(f"<@U0KNEEBOT> {HOSTILE}", channel="C0RUNNING")
    calls += person.slash(HOSTILE, channel="C0RUNNING")
    question = posted(calls, person.dm)[-1]
    calls += person.click("None of these", on=question)

    everything = sent_text(calls)
    assert not RAW_MENTION.search(everything), "a raw <!…>, <@…> or <#…> would notify people"
    assert "&lt;!channel&gt;" in everything and "&lt;@U0VICTIM&gt;" in everything and "&amp; co" in everything
    for call in calls:
        for text in mrkdwn_objects(call.blocks):
            assert text["verbatim"] is True, "verbatim stops Slack linking names and channels by itself"
        assert call.args.get("link_names") in (None, False, 0)


def test_the_answered_line_escapes_the_label_it_echoes(person: SlackPerson) -> None:
    question = posted(person.say("hi"), person.dm)[-1]
    click = person.action_payload(question, "None of these")
    click["actions"][0]["text"]["text"] = "<!here> None of these"
    start = len(person.fake.calls)
    person.rig.interaction(click)
    [edit] = [c for c in person.fake.calls[start:] if c.method == "chat.update"]
    assert "You chose: &lt;!here&gt; None of these" in sent_text([edit])
    assert not RAW_MENTION.search(sent_text([edit]))


def test_layout_escapes_every_text_and_keeps_the_plain_fallback() -> None:
    reply = Reply(
        kind="question",
        text=f"Pick one {HOSTILE}",
        question="q",
        choices=(Choice(label="<!here> yes", value="yes", token="q|0|yes"),),
    )
    message = reply_message(reply, owner="U0OWNER")
    assert message["text"].startswith("Pick one &lt;!channel&gt;")
    assert not RAW_MENTION.search(json.dumps(message["blocks"][0]))
    button = message["blocks"][1]["elements"][0]
    assert button["text"] == {
        "type": "plain_text",
        "text": "<!here> yes",
        "emoji": True,
    }  # plain_text: never parsed


def test_no_message_text_or_token_reaches_any_log(
    person: SlackPerson, log_records: pytest.LogCaptureFixture
) -> None:
    secret_words = "zebra-crossing-knee-story"
    person.say(f"hi, {secret_words}")
    person.say(f"none {secret_words}")
    person.mention(f"<@U0KNEEBOT> {secret_words}")
    person.slash(secret_words, channel="C0RUNNING")
    question = next(c for c in reversed(person.offered()))
    person.click("Running" if "Running" in str(question.blocks) else "None of these", on=question)

    logged = "\n".join(f"{r.name} {r.getMessage()} {r.exc_text or ''}" for r in log_records.records)
    assert log_records.records, "the engine logs each turn (ids only), so logging was on"
    assert secret_words not in logged
    assert "my knee" not in logged and "I'm kneebot" not in logged, "neither the person's nor the bot's words"
    assert BOT_TOKEN not in logged

"""A reply is never lost quietly: Slack's 429s and 500s are waited out and retried, a message
Slack refuses is sent again as plain text, and one that still cannot be delivered is logged at
ERROR with the conversation's log id and counted in /metrics. Also: a DM thread is answered in
that thread.

Conversations are driven generically (the first button of whatever question comes, or typing
its number), never by the current dialog's questions.
"""

from __future__ import annotations

import json
import logging
import urllib.request
from typing import Any

import pytest
from slack_fake_api import Call, FakeSlack
from slack_harness import SlackPerson, buttons_of, labels_of, outcome_of, posted, texts

from adapters.ops import start_ops_server
from bot.config import Settings
from bot.engine import TurnRecord, conversation_id
from bot.keys import conversation_key
from bot.metrics import metrics_for


def _has_result(args: dict[str, Any]) -> bool:
    return "kneebot_result:" in json.dumps(args.get("blocks") or [])


def _plain(args: dict[str, Any]) -> bool:
    return not args.get("blocks")


def click_until_result(person: SlackPerson) -> list[Call]:
    """Click the first button of each new question until a result comes (or nothing does)."""
    calls = posted(person.say("hi"), person.dm)
    for _ in range(40):
        if any(outcome_of(c) for c in calls) or not calls or not buttons_of(calls[-1]):
            return calls
        calls = posted(person.click(labels_of(calls[-1])[0], on=calls[-1]), person.dm)
    raise AssertionError("no result after 40 clicks")


def scrape_metrics(person: SlackPerson) -> str:
    """GET /metrics from the ops server, as Prometheus would."""
    engine = person.rig.engine
    with (
        start_ops_server(
            Settings(health_port=0), engine, metrics_for(engine), platform_ready=lambda: True
        ) as ops,
        urllib.request.urlopen(f"{ops.url}/metrics", timeout=10) as response,
    ):  # type: ignore[union-attr]
        return response.read().decode()


def test_a_429_on_chat_post_message_still_delivers_the_reply(person: SlackPerson, fake: FakeSlack) -> None:
    fake.fail("chat.postMessage", status=429, retry_after=1)

    calls = posted(person.say("hi"), person.dm)

    assert [c.method for c in fake.refused] == ["chat.postMessage"], "Slack said 429 once"
    assert calls and texts(calls)[0] == person.rig.engine.dialog.messages["greeting"]
    assert buttons_of(calls[-1]), "the same message, blocks and buttons, once Retry-After had passed"


def test_a_429_on_chat_update_still_marks_the_answer(person: SlackPerson, fake: FakeSlack) -> None:
    question = posted(person.say("hi"), person.dm)[-1]
    fake.fail("chat.update", status=429, retry_after=0)

    calls = person.click(labels_of(question)[-1], on=question)

    assert [c.method for c in fake.refused] == ["chat.update"]
    (update,) = [c for c in calls if c.method == "chat.update"]
    assert update.args["ts"] == question.ts and not any(b["type"] == "actions" for b in update.blocks)


def test_a_slack_server_error_is_retried(person: SlackPerson, fake: FakeSlack) -> None:
    fake.fail("chat.postMessage", status=500, error="internal_error", times=2)
    calls = posted(person.say("hi"), person.dm)
    assert len(fake.refused) == 2
    assert texts(calls)[0] == person.rig.engine.dialog.messages["greeting"] and buttons_of(calls[-1])


def test_a_message_slack_refuses_goes_again_as_plain_text_that_can_still_be_answered(
    person: SlackPerson, fake: FakeSlack
) -> None:
    fake.fail("chat.postMessage", status=200, error="invalid_blocks")
    turns: list[TurnRecord] = []
    person.rig.engine.observers.append(turns.append)

    (plain,) = posted(person.say("hi"), person.dm)

    assert "blocks" not in plain.args
    text = plain.args["text"]
    assert text.startswith(person.rig.engine.dialog.messages["greeting"])
    assert "  1. " in text, "the answers are numbered, so typing the number answers"
    person.say("1")
    assert turns[-1].event in ("answer", "result", "red_flag"), "the typed number was an answer"


def test_a_result_that_cannot_be_delivered_is_logged_at_error_and_counted_in_metrics(
    person: SlackPerson, fake: FakeSlack, caplog: pytest.LogCaptureFixture
) -> None:
    # Slack refuses the result, and its plain-text copy too; everything else goes through.
    fake.fail(
        "chat.postMessage",
        status=200,
        error="msg_too_long",
        times=2,
        when=lambda args: _has_result(args) or _plain(args),
    )
    with caplog.at_level(logging.DEBUG):
        calls = click_until_result(person)

    assert not any(outcome_of(c) for c in calls), "the result never reached Slack"
    assert len(fake.refused) == 2, "tried with blocks, then as plain text"
    key = conversation_key("slack", person.team, person.dm, person.user)
    errors = [r for r in caplog.records if r.levelno == logging.ERROR and r.name == "adapters.delivery"]
    assert [r.getMessage() for r in errors] == [
        f"slack could not deliver a result to conversation {conversation_id(key)}: "
        "chat.postMessage msg_too_long, then as plain text msg_too_long"
    ]
    exposition = scrape_metrics(person)
    assert 'kneebot_undelivered_replies_total{kind="result",platform="slack"} 1.0' in exposition
    assert 'kneebot_undelivered_replies_total{kind="question",platform="slack"} 0.0' in exposition


def test_without_failures_nothing_is_counted_undelivered(person: SlackPerson) -> None:
    click_until_result(person)
    assert 'kneebot_undelivered_replies_total{kind="result",platform="slack"} 0.0' in scrape_metrics(person)


# ----- threads in the DM -----------------------------------------------------------------------------
def test_a_message_written_in_a_dm_thread_is_answered_in_that_thread(person: SlackPerson) -> None:
    event = person.message_event("hi")
    event["event"]["thread_ts"] = "1700000000.000777"
    start = len(person.fake.calls)
    person.rig.event(event)
    answer = posted(person.fake.calls[start:], person.dm)

    assert answer and all(c.args.get("thread_ts") == "1700000000.000777" for c in answer)

    # A button clicked on a question in that thread: the next question comes in the thread too.
    question = answer[-1]
    body = person.action_payload(question, labels_of(question)[-1])
    body["message"]["thread_ts"] = "1700000000.000777"
    body["container"]["thread_ts"] = "1700000000.000777"
    start = len(person.fake.calls)
    person.rig.interaction(body)
    after = posted(person.fake.calls[start:], person.dm)
    assert after and all(c.args.get("thread_ts") == "1700000000.000777" for c in after)


def test_a_message_at_the_top_of_the_dm_is_answered_at_the_top(person: SlackPerson) -> None:
    calls = posted(person.say("hi"), person.dm)
    assert calls and all("thread_ts" not in c.args for c in calls)

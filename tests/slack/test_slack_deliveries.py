"""What reaches the bot and what it answers: signatures, retries, duplicates, other bots, and
acknowledging before the work is done."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from slack_fake_api import FakeSlack
from slack_harness import (
    SIGNING_SECRET,
    LoopThread,
    SlackPerson,
    SlackRig,
    ephemeral,
    next_ts,
    payload,
    posted,
    texts,
    wait_for,
)

from bot.dialog import Dialog
from bot.engine import Engine
from bot.messages import Incoming, Reply
from bot.store import SQLiteStore, Store

GREETING_START = "Hi, I'm kneebot."


# ----- signatures ----------------------------------------------------------------------------------
def test_a_forged_signature_is_refused_and_nothing_is_said(person: SlackPerson, fake: FakeSlack) -> None:
    body = json.dumps(person.message_event("hi")).encode()
    status, _ = person.rig.post(body, "application/json", sign_with="not-the-signing-secret")
    assert status == 401
    assert not fake.calls


def test_a_stale_timestamp_is_refused_even_when_correctly_signed(
    person: SlackPerson, fake: FakeSlack
) -> None:
    body = json.dumps(person.message_event("hi")).encode()
    six_minutes_ago = str(int(time.time()) - 6 * 60)
    status, _ = person.rig.post(body, "application/json", timestamp=six_minutes_ago)
    assert status == 401
    assert not fake.calls


def test_a_signed_request_whose_body_was_changed_is_refused(person: SlackPerson, fake: FakeSlack) -> None:
    signed = json.dumps(person.message_event("hi")).encode()
    stamp = str(int(time.time()))
    from slack_harness import signature

    tampered = signed.replace(b'"hi"', b'"stop"')
    request_signature = signature(SIGNING_SECRET, stamp, signed)
    status, _ = person.rig.post(
        tampered, "application/json", timestamp=stamp, headers={"X-Slack-Signature": request_signature}
    )
    assert status == 401
    assert not fake.calls


def test_the_request_url_check_is_answered_with_the_challenge(rig: SlackRig) -> None:
    challenge = payload("url_verification")
    status, body = rig.post(json.dumps(challenge).encode(), "application/json")
    assert status == 200
    assert challenge["challenge"] in body


# ----- answered once ---------------------------------------------------------------------------------
def test_a_retried_delivery_is_answered_once(person: SlackPerson, fake: FakeSlack) -> None:
    event = person.message_event("hi")
    person.rig.event(event)
    person.rig.event(event, retry=1)
    person.rig.event(event, retry=2)
    assert len([t for t in texts(posted(fake.calls, person.dm)) if t.startswith(GREETING_START)]) == 1


def test_a_mention_also_delivered_as_a_dm_message_is_answered_once(
    person: SlackPerson, fake: FakeSlack
) -> None:
    ts = next_ts()
    person.rig.event(person.mention_event("<@U0KNEEBOT> hi", channel=person.dm, ts=ts))
    person.rig.event(person.message_event("<@U0KNEEBOT> hi", ts=ts))
    assert len([t for t in texts(posted(fake.calls, person.dm)) if t.startswith(GREETING_START)]) == 1


def test_a_retried_channel_mention_leaves_one_note_and_one_conversation(
    person: SlackPerson, fake: FakeSlack
) -> None:
    event = person.mention_event("<@U0KNEEBOT> hi", channel="C0RUNNING")
    person.rig.event(event)
    person.rig.event(event, retry=1)
    assert len(ephemeral(fake.calls, "C0RUNNING")) == 1
    assert len([t for t in texts(posted(fake.calls, person.dm)) if t.startswith(GREETING_START)]) == 1


@pytest.fixture(params=["sqlite", "redis"])
def shared_store_factory(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[object]:
    """Makes independent store objects on one shared backend, as two bot processes would."""
    made: list[Store] = []

    def make() -> Store:
        if request.param == "sqlite":
            store: Store = SQLiteStore(tmp_path / "shared.sqlite3")
        else:
            from bot.store.redis import RedisStore

            store = RedisStore(request.getfixturevalue("redis_url"))
        made.append(store)
        return store

    yield make
    for store in made:
        store.close()


def test_a_retry_landing_on_another_process_is_not_answered_again(
    loop_thread: LoopThread, fake: FakeSlack, slack_dialog: Dialog, shared_store_factory: object
) -> None:
    first = SlackRig(loop_thread, fake, Engine(slack_dialog, shared_store_factory()))  # type: ignore[operator]
    second = SlackRig(loop_thread, fake, Engine(slack_dialog, shared_store_factory()))  # type: ignore[operator]
    try:
        person = SlackPerson(first, "U0TWOPROCS")
        event = person.message_event("hi")
        first.event(event)
        second.event(event, retry=1)
        assert len([t for t in texts(posted(fake.calls, person.dm)) if t.startswith(GREETING_START)]) == 1
        # ...and the conversation itself moves between them: the next turn lands on the other one.
        person.rig = second
        assert texts(posted(person.say("none of these"), person.dm))[-1] == "And do any of these apply?"
    finally:
        first.close()
        second.close()


# ----- who is ignored ------------------------------------------------------------------------------
def test_other_bots_and_message_edits_are_ignored(person: SlackPerson, fake: FakeSlack) -> None:
    bot_message = payload("event_bot_message_im")
    bot_message["event"]["channel"] = person.dm
    person.rig.event(bot_message)
    edit = person.message_event("hello")
    edit["event"]["subtype"] = "message_changed"
    person.rig.event(edit)
    assert [c.method for c in fake.calls if c.method != "auth.test"] == [], "nothing said, nothing opened"


def test_a_message_with_a_photo_attached_is_still_read(person: SlackPerson, fake: FakeSlack) -> None:
    event = person.message_event("hi, here is my knee")
    event["event"]["subtype"] = "file_share"
    event["event"]["files"] = [{"id": "F0PHOTO", "name": "knee.jpg", "mimetype": "image/jpeg"}]
    person.rig.event(event)
    assert texts(posted(fake.calls, person.dm))[0].startswith(GREETING_START)


def test_the_bots_own_messages_never_reach_the_dialog(person: SlackPerson, fake: FakeSlack) -> None:
    own = payload("event_own_message_im")
    own["event"]["channel"] = person.dm
    own["event"]["text"] = "restart"
    person.rig.event(own, wait=False)  # Bolt drops it before any listener runs
    person.rig.event(person.message_event("hi"))  # handled after it, on the same loop
    assert texts(posted(fake.calls, person.dm))[0].startswith(GREETING_START)
    assert not [t for t in texts(fake.calls) if "Starting a fresh check" in t]


# ----- acknowledge first ---------------------------------------------------------------------------
class _Gate:
    """Holds every engine turn until opened, to show Slack's request is answered before that."""

    def __init__(self, engine: Engine) -> None:
        self.opened = threading.Event()
        self.entered = threading.Event()
        self._handle = engine.handle

    def handle(self, incoming: Incoming) -> list[Reply]:
        self.entered.set()
        assert self.opened.wait(10), "the test never opened the gate"
        return self._handle(incoming)


@pytest.mark.parametrize("kind", ["event", "command", "click"])
def test_slack_gets_its_acknowledgement_while_the_engine_is_still_working(
    person: SlackPerson, fake: FakeSlack, kind: str
) -> None:
    question = posted(person.say("hi"), person.dm)[-1]
    gate = _Gate(person.rig.engine)
    person.rig.engine.handle = gate.handle  # type: ignore[method-assign]
    before = person.rig.bot.handled
    if kind == "event":
        status = person.rig.event(person.message_event("none"), wait=False)
    elif kind == "command":
        fields = payload("slash_command")
        fields.update(user_id=person.user, channel_id=person.dm, text="none")
        status = person.rig.command(fields, wait=False)
    else:
        status = person.rig.interaction(person.action_payload(question, "None of these"), wait=False)
    assert status == 200, "Slack had its answer"
    assert gate.entered.wait(10), "the engine turn started"
    assert person.rig.bot.handled == before, "...and was still running when Slack got its answer"
    gate.opened.set()
    wait_for(lambda: person.rig.bot.handled > before, "the turn to finish")
    assert texts(posted(fake.calls, person.dm))[-1] == "And do any of these apply?"

"""Requests to the HTTP endpoint whose body is not a Slack payload at all: refused with 400
when signed (only Slack, or someone holding the signing secret, can send those), 401 when not,
and never a 500 with a traceback in the log."""

from __future__ import annotations

import logging
import time

import pytest
from slack_fake_api import FakeSlack
from slack_harness import SlackRig

BODIES = {
    "not-json": (b"this is not json", "application/json"),
    "half-json": (b'{"type": "event_callback", "event": ', "application/json"),
    "json-array": (b'[{"type": "event_callback"}]', "application/json"),
    "json-string": (b'"event_callback"', "application/json"),
    "form-payload-array": (b"payload=%5B1%2C2%5D", "application/x-www-form-urlencoded"),
    "form-payload-not-json": (b"payload=%7Bnope", "application/x-www-form-urlencoded"),
    "binary": (b"\xff\xfe\x00\x01{", "application/octet-stream"),
}


def _tracebacks(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [f"{r.name}: {r.getMessage()}" for r in caplog.records if r.exc_info or r.levelno >= logging.ERROR]


@pytest.mark.parametrize("name", sorted(BODIES))
def test_a_signed_body_that_is_not_a_slack_payload_gets_400_without_a_traceback(
    rig: SlackRig, fake: FakeSlack, caplog: pytest.LogCaptureFixture, name: str
) -> None:
    caplog.set_level(logging.DEBUG)
    body, content_type = BODIES[name]
    status, _ = rig.post(body, content_type)
    assert status == 400
    assert _tracebacks(caplog) == []
    assert fake.calls == []


@pytest.mark.parametrize("name", sorted(BODIES))
def test_an_unsigned_body_that_is_not_a_slack_payload_gets_401_without_a_traceback(
    rig: SlackRig, fake: FakeSlack, caplog: pytest.LogCaptureFixture, name: str
) -> None:
    caplog.set_level(logging.DEBUG)
    body, content_type = BODIES[name]
    forged = rig.post(body, content_type, sign_with="not-the-signing-secret")
    stale = rig.post(body, content_type, timestamp=str(int(time.time()) - 3600))
    unsigned = rig.post(
        body, content_type, headers={"X-Slack-Signature": "", "X-Slack-Request-Timestamp": "x"}
    )
    assert [forged[0], stale[0], unsigned[0]] == [401, 401, 401]
    assert _tracebacks(caplog) == []
    assert fake.calls == []


def test_the_endpoint_still_answers_real_deliveries_afterwards(
    rig: SlackRig, person, fake: FakeSlack
) -> None:
    assert rig.post(b"[]", "application/json")[0] == 400
    person.say("hi")
    assert fake.calls  # the greeting went out

"""A reply is never lost quietly on Discord either: a 429 is waited out and the request retried
(discord.py does it, given a 429 shaped like Discord's), a message Discord refuses is sent
again as plain text, and one that still cannot be delivered is logged at ERROR with the
conversation's log id and counted in /metrics.

Conversations are driven generically (the first button of whatever question comes), never by
the current dialog's questions.
"""

from __future__ import annotations

import logging
import urllib.request
from typing import Any

import pytest
from discord_fake import Shown
from discord_world import MASON, DiscordWorld, buttons

from adapters.ops import start_ops_server
from bot.config import Settings
from bot.engine import conversation_id
from bot.keys import conversation_key
from bot.metrics import metrics_for

MESSAGES = "/channels/"


def dm_key(world: DiscordWorld) -> str:
    return conversation_key("discord", "dm", world.fake.dm_channel(MASON)["id"], MASON["id"])


def has_result(body: Any) -> bool:
    return isinstance(body, dict) and bool(body.get("embeds"))


def plain(body: Any) -> bool:
    return isinstance(body, dict) and not body.get("embeds") and not body.get("components")


def click_until_result(world: DiscordWorld) -> list[Shown]:
    """Click the first button of each newest question until a result comes (or nothing does)."""
    shown = world.type("hi")
    for _ in range(40):
        if not shown or any(s.data.get("embeds") for s in shown) or not buttons(shown[-1]):
            return shown
        label = buttons(shown[-1])[0][0]
        shown = world.click(shown[-1], label)
    raise AssertionError("no result after 40 clicks")


def scrape_metrics(world: DiscordWorld) -> str:
    assert world.engine is not None
    with (
        start_ops_server(
            Settings(health_port=0), world.engine, metrics_for(world.engine), platform_ready=lambda: True
        ) as ops,
        urllib.request.urlopen(f"{ops.url}/metrics", timeout=10) as response,
    ):  # type: ignore[union-attr]
        return response.read().decode()


def test_a_429_on_sending_still_delivers_the_reply(world: DiscordWorld) -> None:
    world.fake.fail("POST", MESSAGES, status=429, retry_after=0.05)

    (question,) = world.type("hi")

    assert [c.path for c in world.fake.refused] == [
        f"/channels/{world.fake.dm_channel(MASON)['id']}/messages"
    ]
    assert question.data["content"].startswith("Hi, I'm kneebot.") and buttons(question), "blocks and all"


def test_a_429_on_a_click_still_answers_it(world: DiscordWorld) -> None:
    (question,) = world.type("hi")
    world.fake.fail("POST", MESSAGES, status=429, retry_after=0.05)
    label = buttons(question)[-1][0]

    new = world.click(question, label)

    assert len(world.fake.refused) == 1
    assert new and world.fake.shown[question.id].data["content"].endswith(f"✅ {label}")


def test_a_message_discord_refuses_goes_again_as_plain_text(world: DiscordWorld) -> None:
    world.fake.fail("POST", MESSAGES, status=400, code=50035)

    (question,) = world.type("hi")

    assert not buttons(question) and not question.data["embeds"]
    assert question.data["content"].startswith("Hi, I'm kneebot.")
    assert "  1. " in question.data["content"], "the answers numbered, so typing the number answers"


def test_a_result_that_cannot_be_delivered_is_logged_at_error_and_counted_in_metrics(
    world: DiscordWorld, caplog: pytest.LogCaptureFixture
) -> None:
    # Discord refuses the result, and its plain-text copy too; everything else goes through.
    world.fake.fail(
        "POST", MESSAGES, status=400, code=50035, times=2, when=lambda b: has_result(b) or plain(b)
    )
    with caplog.at_level(logging.INFO):
        shown = click_until_result(world)

    assert not any(s.data.get("embeds") for s in shown), "the result never reached Discord"
    assert len(world.fake.refused) == 2
    errors = [r.getMessage() for r in caplog.records if r.levelno == logging.ERROR]
    assert errors == [
        f"discord could not deliver a result to conversation {conversation_id(dm_key(world))}: "
        "refused (HTTP 400, code 50035), then as plain text (HTTP 400, code 50035)"
    ]
    exposition = scrape_metrics(world)
    assert 'kneebot_undelivered_replies_total{kind="result",platform="discord"} 1.0' in exposition


def test_without_failures_nothing_is_counted_undelivered(world: DiscordWorld) -> None:
    click_until_result(world)
    assert 'kneebot_undelivered_replies_total{kind="result",platform="discord"} 0.0' in scrape_metrics(world)

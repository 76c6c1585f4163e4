"""The person's language reaches the engine as `Incoming.locale`: Slack's `users.info` locale,
looked up once per person and cached (bounded, with a time to live), from every entry point.
The engine may ignore it for now; what is tested is that the adapter passes it on."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from slack_fake_api import BOT_TOKEN, FakeSlack
from slack_harness import LoopThread, SlackPerson, labels_of, posted

from adapters.slack.home import START_ACTION
from adapters.slack.locales import KNOWN_SECONDS, UNKNOWN_SECONDS, Locales, bcp47
from bot.engine import Engine
from bot.messages import Incoming, Reply


@pytest.fixture
def seen(person: SlackPerson) -> Iterator[list[Incoming]]:
    """Every Incoming the adapter hands the engine (the engine still runs each one)."""
    engine: Engine = person.rig.engine
    incomings: list[Incoming] = []
    handle = engine.handle

    def recording(incoming: Incoming) -> list[Reply]:
        incomings.append(incoming)
        return handle(incoming)

    engine.handle = recording  # type: ignore[method-assign]
    yield incomings


def test_a_dm_carries_the_persons_slack_locale(
    person: SlackPerson, fake: FakeSlack, seen: list[Incoming]
) -> None:
    fake.locales[person.user] = "es-ES"
    person.say("hola")
    assert [i.locale for i in seen] == ["es-ES"]


def test_every_entry_point_passes_the_locale(
    person: SlackPerson, fake: FakeSlack, seen: list[Incoming]
) -> None:
    fake.locales[person.user] = "pt-BR"
    question = posted(person.say("hi"), person.dm)[-1]
    person.click(labels_of(question)[-1], on=question)
    person.mention("<@U0KNEEBOT> hi", channel="C0RUNNING")
    person.slash(channel="C0RUNNING")
    person.slash("help", channel="C0RUNNING")
    person.open_home()
    person.click_home(START_ACTION)
    assert len(seen) == 6
    assert {i.locale for i in seen} == {"pt-BR"}


def test_the_locale_is_looked_up_once_per_person(
    person: SlackPerson, other_person: SlackPerson, fake: FakeSlack, seen: list[Incoming]
) -> None:
    for text in ("hi", "none of these", "help"):
        person.say(text)
    other_person.say("hi")
    asked = [c.args["user"] for c in fake.calls_to("users.info")]
    assert sorted(asked) == sorted([person.user, other_person.user])
    assert all(c.args["include_locale"] in (True, "true", "1") for c in fake.calls_to("users.info"))
    assert {i.locale for i in seen} == {"en-US"}


def test_without_users_read_the_turn_goes_on_with_no_locale_and_is_not_retried_each_time(
    person: SlackPerson, fake: FakeSlack, seen: list[Incoming]
) -> None:
    """An install from before kneebot asked for users:read: Slack says missing_scope."""
    fake.fail("users.info", status=200, error="missing_scope", times=100)
    assert posted(person.say("hi"), person.dm), "answered all the same"
    person.say("none of these")
    assert [i.locale for i in seen] == [None, None]
    assert len(fake.refused) == 1, "remembered as unknown for a while"


# ----- the cache itself, against the fake Web API ---------------------------------------------------
class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_the_cache_forgets_after_its_time_to_live_and_holds_a_bounded_number(
    loop_thread: LoopThread, fake: FakeSlack
) -> None:
    from slack_sdk.web.async_client import AsyncWebClient

    clock = Clock()
    locales = Locales(size=2, timer=clock)

    async def lookups() -> list[str | None]:
        client = AsyncWebClient(token=BOT_TOKEN, base_url=fake.api_url)
        got = [await locales.of(client, "T1", "U1"), await locales.of(client, "T1", "U1")]
        clock.now += KNOWN_SECONDS + 1
        got.append(await locales.of(client, "T1", "U1"))  # expired: asked again
        await locales.of(client, "T1", "U2")
        await locales.of(client, "T1", "U3")  # a third person: the oldest is dropped
        got.append(await locales.of(client, "T1", "U1"))
        return got

    fake.locales.update(U1="de-DE")
    assert loop_thread.run(lookups()) == ["de-DE"] * 4
    assert [c.args["user"] for c in fake.calls_to("users.info")] == ["U1", "U1", "U2", "U3", "U1"]
    assert locales.lookups == 5
    assert UNKNOWN_SECONDS < KNOWN_SECONDS


@pytest.mark.parametrize(
    ("given", "tag"), [("en-US", "en-US"), ("es_ES", "es-ES"), ("", None), (None, None), (7, None)]
)
def test_slack_locales_become_bcp47_tags(given: object, tag: str | None) -> None:
    assert bcp47(given) == tag

"""Workspaces come and go: an uninstall deletes everything held for that workspace (and nothing
of any other), a revoked token what is held for those people; and one kneebot serves every
workspace that installs it through Slack's OAuth flow (Bolt's install and redirect pages, a
fake `oauth.v2.access` on loopback), with installations in SQLite or shared in Redis.

Every store is the real one: memory, a SQLite file, and the private redis-server on loopback.
"""

from __future__ import annotations

import html
import logging
import re
import urllib.parse
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import redis
from slack_fake_api import BOT_TOKEN, BOT_USER, CLIENT_ID, CLIENT_SECRET, TEAM, Call, FakeSlack, Workspace
from slack_harness import LoopThread, SlackPerson, SlackRig, payload, posted, texts

from adapters.slack.app import BOT_SCOPES
from adapters.slack.installs import INSTALL_PATH, REDIRECT_PATH, oauth_settings
from bot.dialog import Dialog
from bot.engine import Engine
from bot.keys import conversation_key
from bot.store import MemoryStore, SQLiteStore, Store

OTHER_TEAM = "T0RUNCLUB"
LOOKALIKE_TEAM = TEAM + "2"
"""A workspace id that merely begins like the first one: it must survive that one's uninstall."""


@pytest.fixture(params=["memory", "sqlite", "redis"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    if request.param == "memory":
        made: Store = MemoryStore()
    elif request.param == "sqlite":
        made = SQLiteStore(tmp_path / "kneebot.sqlite3")
    else:
        from bot.store.redis import RedisStore

        made = RedisStore(request.getfixturevalue("redis_url"), prefix=f"kneebot-{uuid.uuid4().hex}:")
    yield made
    made.close()


def key_of(person: SlackPerson) -> str:
    return conversation_key("slack", person.team, person.dm, person.user)


def workspace_event(name: str, team: str, **event: Any) -> dict[str, Any]:
    body = payload(name)
    body["team_id"] = team
    body["event_id"] = f"Ev{uuid.uuid4().hex[:10]}"
    body["event"].update(event)
    return body


# ----- uninstall and revoked tokens ------------------------------------------------------------------
@pytest.fixture
def rig_for(
    loop_thread: LoopThread, fake: FakeSlack, slack_dialog: Dialog, store: Store
) -> Iterator[Callable[[str], SlackRig]]:
    """Single-workspace adapters (one per workspace token) sharing one store, as two kneebot
    deployments sharing a Redis would: the workspace of each request is its token's."""
    made: list[SlackRig] = []

    def make(team: str) -> SlackRig:
        token = BOT_TOKEN if team == TEAM else f"xoxb-{team.lower()}-token"
        fake.workspaces[token] = Workspace(team=team, bot_token=token)
        running = SlackRig(loop_thread, fake, Engine(slack_dialog, store), token=token)
        made.append(running)
        return running

    yield make
    for running in made:
        running.close()


def test_app_uninstalled_deletes_that_workspaces_conversations_and_no_other(
    rig_for: Callable[[str], SlackRig], store: Store
) -> None:
    rig = rig_for(TEAM)
    ann, bob = SlackPerson(rig, "U0ANN0001"), SlackPerson(rig, "U0BOB0001")
    cat = SlackPerson(rig_for(LOOKALIKE_TEAM), "U0CAT0001", team=LOOKALIKE_TEAM)
    dan = SlackPerson(rig_for(OTHER_TEAM), "U0DAN0001", team=OTHER_TEAM)
    ann.say("hi")
    bob.mention("<@U0KNEEBOT> my knee hurts", channel="C0RUNNING")  # the check moved to bob's DM
    cat.say("hi")
    dan.say("hi")
    assert sorted(store.keys()) == sorted(key_of(p) for p in (ann, bob, cat, dan))

    rig.event(workspace_event("event_app_uninstalled", TEAM))

    assert sorted(store.keys()) == sorted([key_of(cat), key_of(dan)])
    assert texts(posted(dan.say("none of these"), dan.dm)), "the other workspace carries on"


def test_tokens_revoked_deletes_what_is_held_for_those_people_only(
    rig_for: Callable[[str], SlackRig], store: Store
) -> None:
    rig = rig_for(TEAM)
    ann, bob = SlackPerson(rig, "U0ANN0002"), SlackPerson(rig, "U0BOB0002")
    ann.say("hi")
    bob.say("hi")

    rig.event(workspace_event("event_tokens_revoked", TEAM, tokens={"oauth": [ann.user], "bot": []}))

    assert list(store.keys()) == [key_of(bob)]


def test_a_revoked_bot_token_deletes_the_whole_workspace(
    rig_for: Callable[[str], SlackRig], store: Store
) -> None:
    """kneebot can never answer there again, so nothing of that workspace is worth keeping."""
    rig = rig_for(TEAM)
    ann = SlackPerson(rig, "U0ANN0003")
    dan = SlackPerson(rig_for(OTHER_TEAM), "U0DAN0003", team=OTHER_TEAM)
    ann.say("hi")
    dan.say("hi")

    rig.event(workspace_event("event_tokens_revoked", TEAM, tokens={"oauth": [], "bot": [BOT_USER]}))

    assert list(store.keys()) == [key_of(dan)]


# ----- many workspaces through OAuth --------------------------------------------------------------
FIRST = Workspace(team=TEAM, bot_token="xoxb-1-first-workspace", bot_user="U0KNEEBOT", bot_id="B0KNEEBOT")
SECOND = Workspace(
    team=OTHER_TEAM, bot_token="xoxb-2-second-workspace", bot_user="U0KNEEBOT2", bot_id="B0KNEEBOT2"
)


@pytest.fixture(params=["sqlite", "redis"])
def oauth_rigs(
    request: pytest.FixtureRequest,
    loop_thread: LoopThread,
    fake: FakeSlack,
    slack_dialog: Dialog,
    tmp_path: Path,
) -> Iterator[Callable[[], SlackRig]]:
    """Adapters in OAuth mode on shared stores, as processes of one deployment would be: the
    conversations and installations in one SQLite file, or both in Redis."""
    redis_url = request.getfixturevalue("redis_url") if request.param == "redis" else None
    if redis_url:
        redis.Redis.from_url(redis_url).flushall()
    made: list[tuple[SlackRig, Store]] = []

    def make() -> SlackRig:
        settings = oauth_settings(
            client_id=CLIENT_ID,
            client_secret=CLIENT_SECRET,
            scopes=BOT_SCOPES,
            redis_url=redis_url,
            sqlite_path=tmp_path / "kneebot.sqlite3",
        )
        if redis_url:
            from bot.store.redis import RedisStore

            store: Store = RedisStore(redis_url)
        else:
            store = SQLiteStore(tmp_path / "kneebot.sqlite3")
        rig = SlackRig(loop_thread, fake, Engine(slack_dialog, store), token=None, oauth=settings)
        made.append((rig, store))
        return rig

    yield make
    for rig, store in made:
        rig.close()
        for part in (rig.bot.app.installation_store, rig.bot.app.oauth_flow.settings.state_store):  # type: ignore[union-attr]
            if hasattr(part, "close"):
                loop_thread.run(part.close())
        store.close()


def install(rig: SlackRig, fake: FakeSlack, workspace: Workspace) -> tuple[int, str]:
    """A workspace admin installs kneebot: the install page, Slack's consent (the fake grants a
    code), and the redirect back with code and state, from the same browser (its cookie)."""
    status, headers, page = rig.get(INSTALL_PATH)
    assert status == 200
    (authorize,) = re.findall(r'<a href="([^"]+)"', page)
    query = urllib.parse.parse_qs(urllib.parse.urlsplit(html.unescape(authorize)).query)
    assert query["client_id"] == [CLIENT_ID]
    assert sorted(query["scope"][0].split(",")) == sorted(BOT_SCOPES)
    (state,) = query["state"]
    cookie = headers["Set-Cookie"].split(";")[0]
    code = f"code-{uuid.uuid4().hex[:8]}"
    fake.grant(code, workspace)
    status, _, body = rig.get(f"{REDIRECT_PATH}?code={code}&state={state}", headers={"Cookie": cookie})
    return status, body


def sent_with(calls: list[Call]) -> set[str | None]:
    return {call.token for call in calls if call.method in ("chat.postMessage", "conversations.open")}


def test_an_install_into_a_second_workspace_serves_both(
    oauth_rigs: Callable[[], SlackRig], fake: FakeSlack, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    rig = oauth_rigs()
    assert install(rig, fake, FIRST)[0] == 200
    assert install(rig, fake, SECOND)[0] == 200
    assert [c.args["code"] for c in fake.calls_to("oauth.v2.access")], "Bolt traded the codes for tokens"
    ann = SlackPerson(rig, "U0ANN0004", team=FIRST.team)
    dan = SlackPerson(rig, "U0DAN0004", team=SECOND.team)

    for person, workspace in ((ann, FIRST), (dan, SECOND)):
        calls = person.say("hi")
        assert texts(posted(calls, person.dm))[0] == rig.engine.dialog.messages["greeting"]
        assert sent_with(calls) == {workspace.bot_token}, "each workspace is answered with its own token"

    # Another process of the same deployment, on the same stores, serves both as well.
    other = oauth_rigs()
    dan.rig = other
    calls = dan.say("none of these")
    assert posted(calls, dan.dm) and sent_with(calls) == {SECOND.bot_token}

    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert "turn" in logged, "logs did flow, at DEBUG"
    assert not any(secret in logged for secret in (FIRST.bot_token, SECOND.bot_token, CLIENT_SECRET))


def test_uninstalling_one_workspace_forgets_it_and_leaves_the_other_served(
    oauth_rigs: Callable[[], SlackRig], fake: FakeSlack
) -> None:
    rig = oauth_rigs()
    install(rig, fake, FIRST)
    install(rig, fake, SECOND)
    ann = SlackPerson(rig, "U0ANN0005", team=FIRST.team)
    dan = SlackPerson(rig, "U0DAN0005", team=SECOND.team)
    ann.say("hi")
    dan.say("hi")

    rig.event(
        workspace_event("event_tokens_revoked", SECOND.team, tokens={"oauth": [], "bot": [SECOND.bot_user]})
    )
    rig.event(workspace_event("event_app_uninstalled", SECOND.team))

    assert list(rig.engine.store.keys()) == [key_of(ann)]
    store = rig.bot.app.installation_store
    assert store is not None
    assert rig.loop.run(store.async_find_bot(enterprise_id=None, team_id=SECOND.team)) is None
    assert rig.loop.run(store.async_find_bot(enterprise_id=None, team_id=FIRST.team)) is not None
    start = len(fake.calls)
    rig.event(dan.message_event("hello?"), wait=False)  # Bolt finds no installation: no listener runs
    assert posted(fake.calls[start:]) == [], "an uninstalled workspace gets nothing"
    assert sent_with(ann.say("none of these")) == {FIRST.bot_token}


def test_an_install_with_a_forged_state_is_refused(
    oauth_rigs: Callable[[], SlackRig], fake: FakeSlack
) -> None:
    rig = oauth_rigs()
    rig.get(INSTALL_PATH)
    fake.grant("code-forged", SECOND)
    status, _, _ = rig.get(
        f"{REDIRECT_PATH}?code=code-forged&state=not-issued",
        headers={"Cookie": "slack-app-oauth-state=not-issued"},
    )
    assert status == 401
    assert fake.calls_to("oauth.v2.access") == [], "no token was asked for"
    store = rig.bot.app.installation_store
    assert (
        store is not None
        and rig.loop.run(store.async_find_bot(enterprise_id=None, team_id=SECOND.team)) is None
    )

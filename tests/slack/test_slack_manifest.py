"""deploy/slack/manifest.yaml asks for exactly what the adapter uses: no missing scope or event
(the bot would silently hear nothing), and no extra one (a club admin should not have to grant
more than the bot needs)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from slack_fake_api import FakeSlack
from slack_harness import SlackPerson, payload, posted

from adapters.slack.app import BOT_EVENTS, BOT_SCOPES, SLASH_COMMAND
from adapters.slack.installs import REDIRECT_PATH
from bot.keys import conversation_key

MANIFEST = Path(__file__).parents[2] / "deploy" / "slack" / "manifest.yaml"

# The bot scope each Web API method needs (Slack's method reference); None: no scope.
METHOD_SCOPES = {
    "auth.test": None,
    "chat.postMessage": "chat:write",
    "chat.postEphemeral": "chat:write",
    "chat.update": "chat:write",
    "conversations.open": "im:write",
    "conversations.history": "im:history",
    "users.info": "users:read",
    "views.publish": None,
    "response_url": None,
}


@pytest.fixture(scope="module")
def manifest() -> dict[str, Any]:
    return yaml.safe_load(MANIFEST.read_text())


def test_the_manifest_subscribes_to_exactly_the_events_the_adapter_handles(manifest: dict[str, Any]) -> None:
    assert sorted(manifest["settings"]["event_subscriptions"]["bot_events"]) == sorted(BOT_EVENTS)


def test_the_manifest_grants_exactly_the_scopes_the_adapter_needs(manifest: dict[str, Any]) -> None:
    assert sorted(manifest["oauth_config"]["scopes"]["bot"]) == sorted(BOT_SCOPES)
    assert "user" not in manifest["oauth_config"]["scopes"], "kneebot never acts as a person"


def test_the_manifest_has_the_command_buttons_socket_mode_and_a_writable_messages_tab(
    manifest: dict[str, Any],
) -> None:
    assert [c["command"] for c in manifest["features"]["slash_commands"]] == [SLASH_COMMAND]
    assert manifest["settings"]["interactivity"]["is_enabled"] is True
    assert manifest["settings"]["socket_mode_enabled"] is True
    app_home = manifest["features"]["app_home"]
    assert app_home["home_tab_enabled"] is True, "the Home tab is where a new person starts"
    assert app_home["messages_tab_enabled"] is True
    assert app_home["messages_tab_read_only_enabled"] is False, "people must be able to write to the bot"
    assert len(manifest["display_information"]["long_description"]) >= 174, "Slack refuses a shorter one"


def test_the_manifest_shows_where_slack_sends_installers_back() -> None:
    """Commented out (it needs your host), but with the path the OAuth flow serves."""
    urls = [line for line in MANIFEST.read_text().splitlines() if "oauth_redirect" in line]
    assert urls and all(line.strip().startswith("#") for line in urls)
    assert any(line.rstrip().endswith(REDIRECT_PATH) for line in urls)


@pytest.mark.parametrize("event", BOT_EVENTS)
def test_every_subscribed_event_is_answered(event: str, person: SlackPerson, fake: FakeSlack) -> None:
    body = payload("event_" + event.replace(".", "_"))
    body["event"].update(user=person.user, ts="1700000500.000100", text="<@U0KNEEBOT> hi")
    if event in ("message.im", "app_home_opened"):
        body["event"]["channel"] = person.dm
    if event in ("app_uninstalled", "tokens_revoked"):
        person.say("hi")  # something to delete
        body["event"].pop("user")
        body["event"].pop("text")
        body["event"].pop("ts")
        if event == "tokens_revoked":
            body["event"]["tokens"]["oauth"] = [person.user]
    person.rig.event(body)
    if event == "app_home_opened":
        assert fake.calls_to("views.publish"), "the Home tab was published"
    elif event in ("app_uninstalled", "tokens_revoked"):
        key = conversation_key("slack", person.team, person.dm, person.user)
        assert key not in list(person.rig.engine.store.keys()), f"{event} deleted the conversation"
    else:
        assert posted(fake.calls, person.dm), f"a {event} event got no answer"


def test_every_web_api_call_made_is_covered_by_the_manifest_scopes(
    manifest: dict[str, Any], person: SlackPerson, fake: FakeSlack
) -> None:
    person.say("hi")
    person.click("None of these")
    person.click("Not sure", stale=True)
    person.mention("<@U0KNEEBOT> hi")
    person.slash(channel="C0RUNNING")
    person.open_home()
    person.open_messages_tab()
    granted = set(manifest["oauth_config"]["scopes"]["bot"])
    called = {c.method for c in fake.calls}
    assert called <= set(METHOD_SCOPES), (
        f"a Web API method with no known scope: {called - set(METHOD_SCOPES)}"
    )
    needed = {METHOD_SCOPES[m] for m in called} - {None}
    assert needed <= granted
    assert {
        "chat.postMessage",
        "chat.update",
        "chat.postEphemeral",
        "conversations.open",
        "conversations.history",
        "users.info",
        "views.publish",
    } <= called

"""Socket Mode: the same bot over a WebSocket the bot opens itself (no public URL needed)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from slack_fake_api import APP_TOKEN, BOT_TOKEN, FakeSlack
from slack_harness import LoopThread, SlackPerson, payload, posted, texts, wait_for

from adapters.slack.app import SlackBot
from adapters.slack.serve import SocketModeEndpoint
from bot.dialog import Dialog
from bot.engine import Engine
from bot.store import MemoryStore


class SocketRig:
    """A SlackBot connected over Socket Mode to the fake Slack; `push` sends one envelope."""

    def __init__(self, loop: LoopThread, fake: FakeSlack, engine: Engine) -> None:
        self.loop = loop
        self.fake = fake
        self.engine = engine
        self.bot = SlackBot(engine, token=BOT_TOKEN, api_url=fake.api_url)  # no signing secret needed
        self.endpoint = SocketModeEndpoint(self.bot, app_token=APP_TOKEN)
        loop.run(self.endpoint.start())
        self._envelopes = 0

    def push(self, kind: str, body: dict[str, object]) -> str:
        self._envelopes += 1
        envelope_id = f"envelope-{id(self)}-{self._envelopes}"
        before = self.bot.handled
        self.loop.run(self.fake.push(kind, body, envelope_id=envelope_id))
        wait_for(lambda: envelope_id in self.fake.acks, "the envelope to be acknowledged")
        wait_for(lambda: self.bot.handled > before, "the adapter to finish handling the envelope")
        return envelope_id

    def close(self) -> None:
        self.loop.run(self.endpoint.stop())


@pytest.fixture
def socket_rig(loop_thread: LoopThread, fake: FakeSlack, slack_dialog: Dialog) -> Iterator[SocketRig]:
    rig = SocketRig(loop_thread, fake, Engine(slack_dialog, MemoryStore()))
    yield rig
    rig.close()


def test_socket_mode_connects_with_the_app_token_and_reports_ready(
    socket_rig: SocketRig, fake: FakeSlack
) -> None:
    assert [c.method for c in fake.calls] == ["apps.connections.open"]
    assert fake.socket_connected
    assert socket_rig.endpoint.ready()


def test_a_dm_a_click_and_the_slash_command_over_socket_mode(socket_rig: SocketRig, fake: FakeSlack) -> None:
    person = SlackPerson(None, "U0SOCKET1", fake=fake)

    socket_rig.push("events_api", person.message_event("hi"))
    question = posted(fake.calls, person.dm)[-1]
    assert texts([question])[-1] == "Do any of these apply to you right now?"

    socket_rig.push("interactive", person.action_payload(question, "None of these"))
    assert [c.method for c in fake.calls if c.method == "chat.update"] == ["chat.update"]
    assert texts(posted(fake.calls, person.dm))[-1] == "And do any of these apply?"

    command = payload("slash_command")
    command.update(user_id=person.user, channel_id="C0RUNNING", response_url=fake.response_url("socket-cmd"))
    socket_rig.push("slash_commands", command)
    assert texts(posted(fake.calls, person.dm))[-2:] == [
        "Welcome back. Let's carry on where we left off.",
        "And do any of these apply?",
    ]
    assert [c.args["response_type"] for c in fake.calls if c.method == "response_url"] == ["ephemeral"]


def test_socket_mode_answers_a_redelivered_envelope_once(socket_rig: SocketRig, fake: FakeSlack) -> None:
    person = SlackPerson(None, "U0SOCKET2", fake=fake)
    event = person.message_event("hi")
    socket_rig.push("events_api", event)
    socket_rig.push("events_api", event)
    assert len([t for t in texts(posted(fake.calls, person.dm)) if t.startswith("Hi, I'm kneebot.")]) == 1

"""Drive the real Slack adapter the way Slack does: signed HTTP requests to its endpoint.

`LoopThread` runs the adapter and the fake Slack on one asyncio loop in a background thread,
so the tests themselves stay plain synchronous code. `SlackRig` is one running adapter (a
`SlackBot` on an engine, served by `HttpEndpoint` on 127.0.0.1) plus a signed-request sender
that waits, with a deadline, until the adapter has finished handling each delivery.
`SlackPerson` is someone in the workspace: they type in their DM and click buttons, and see
what the fake Slack recorded.
"""

from __future__ import annotations

import asyncio
import copy
import hashlib
import hmac
import itertools
import json
import re
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Coroutine
from pathlib import Path
from typing import Any, TypeVar

from slack_fake_api import BOT_TOKEN, TEAM, Call, FakeSlack

from adapters.slack.app import SlackBot
from adapters.slack.blocks import DONE_ACTION, PICKS_ACTION
from adapters.slack.serve import HttpEndpoint
from bot.engine import Engine

T = TypeVar("T")
PAYLOADS = Path(__file__).parent / "payloads"
SIGNING_SECRET = "8f742231b10e8888abcd99yyyzzz85a5"
WAIT_SECONDS = 10.0
_stamps = itertools.count(1)


def payload(name: str) -> dict[str, Any]:
    """A fresh copy of a recorded payload from payloads/<name>.json."""
    return copy.deepcopy(json.loads((PAYLOADS / f"{name}.json").read_text()))


def next_ts() -> str:
    return f"{1700000000 + next(_stamps)}.{next(_stamps):06d}"


class LoopThread:
    """An event loop in a daemon thread; `run` a coroutine on it and wait for its result."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self.loop.run_forever, name="slack-tests", daemon=True)
        self._thread.start()

    def run(self, coroutine: Coroutine[Any, Any, T], timeout: float = WAIT_SECONDS) -> T:
        return asyncio.run_coroutine_threadsafe(coroutine, self.loop).result(timeout)

    def close(self) -> None:
        async def drain() -> None:
            tasks = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)

        self.run(drain())
        self.loop.call_soon_threadsafe(self.loop.stop)
        self._thread.join(WAIT_SECONDS)
        self.loop.close()


def signature(secret: str, timestamp: str, body: bytes) -> str:
    """Slack's request signature: v0=HMAC-SHA256(secret, "v0:<timestamp>:<body>")."""
    base = b"v0:" + timestamp.encode() + b":" + body
    return "v0=" + hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()


def wait_for(check: Any, what: str, timeout: float = WAIT_SECONDS) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}")
        time.sleep(0.005)


class SlackRig:
    """One running Slack adapter on loopback, and a signed-request sender for it. `bot` options
    go to `SlackBot` (the default: one workspace, with the fake's bot token)."""

    def __init__(
        self, loop: LoopThread, fake: FakeSlack, engine: Engine, *, secret: str = SIGNING_SECRET, **bot: Any
    ) -> None:
        self.loop = loop
        self.fake = fake
        self.engine = engine
        self.secret = secret
        options = {"token": BOT_TOKEN, **bot}
        self.bot = SlackBot(engine, signing_secret=secret, api_url=fake.api_url, **options)
        self.endpoint = HttpEndpoint(self.bot, host="127.0.0.1", port=0)
        loop.run(self.endpoint.start())

    def close(self) -> None:
        self.loop.run(self.endpoint.stop())

    # ----- raw requests ------------------------------------------------------------------------
    def get(self, path: str, *, headers: dict[str, str] | None = None) -> tuple[int, dict[str, str], str]:
        """A browser's GET (the OAuth install and redirect pages): status, headers, body.
        Redirects are not followed: where they point is what a test reads."""
        base = self.endpoint.url.removesuffix("/slack/events")

        class _NoRedirect(urllib.request.HTTPRedirectHandler):
            def redirect_request(self, *args: Any, **kwargs: Any) -> None:
                return None

        opener = urllib.request.build_opener(_NoRedirect)
        request = urllib.request.Request(base + path, headers={"Connection": "close", **(headers or {})})
        try:
            with opener.open(request, timeout=WAIT_SECONDS) as response:
                return response.status, dict(response.headers), response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, dict(error.headers), error.read().decode()

    def post(
        self,
        body: bytes,
        content_type: str,
        *,
        timestamp: str | None = None,
        sign_with: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> tuple[int, str]:
        stamp = timestamp or str(int(time.time()))
        request = urllib.request.Request(
            self.endpoint.url,
            data=body,
            method="POST",
            headers={
                "Content-Type": content_type,
                "X-Slack-Request-Timestamp": stamp,
                "X-Slack-Signature": signature(sign_with or self.secret, stamp, body),
                "Connection": "close",
                **(headers or {}),
            },
        )
        try:
            with urllib.request.urlopen(request, timeout=WAIT_SECONDS) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode()

    def _deliver(self, body: bytes, content_type: str, *, wait: bool, **options: Any) -> int:
        before = self.bot.handled
        status, _ = self.post(body, content_type, **options)
        if wait:
            assert status == 200, f"the adapter answered HTTP {status}"
            wait_for(lambda: self.bot.handled > before, "the adapter to finish handling the delivery")
        return status

    def event(self, body: dict[str, Any], *, retry: int | None = None, wait: bool = True) -> int:
        headers = {"X-Slack-Retry-Num": str(retry), "X-Slack-Retry-Reason": "http_timeout"} if retry else None
        return self._deliver(json.dumps(body).encode(), "application/json", wait=wait, headers=headers)

    def interaction(self, body: dict[str, Any], *, wait: bool = True) -> int:
        form = urllib.parse.urlencode({"payload": json.dumps(body)}).encode()
        return self._deliver(form, "application/x-www-form-urlencoded", wait=wait)

    def command(self, fields: dict[str, Any], *, wait: bool = True) -> int:
        form = urllib.parse.urlencode(fields).encode()
        return self._deliver(form, "application/x-www-form-urlencoded", wait=wait)


# ----- what a person sees ------------------------------------------------------------------------
def _unescape(text: str) -> str:
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def visible_text(blocks: list[dict[str, Any]], fallback: str = "") -> str:
    """The words a Slack client shows for these blocks: entities decoded, bold markers gone."""
    lines: list[str] = []
    for block in blocks:
        if block["type"] in ("header", "section") and block.get("text"):
            lines.append(block["text"]["text"])
        elif block["type"] == "context":
            lines.extend(e["text"] for e in block["elements"] if "text" in e)
    shown = "\n".join(lines) if lines else fallback
    return _unescape(re.sub(r"\*([^*\n]+)\*", r"\1", shown))


def buttons_of(call: Call) -> list[dict[str, Any]]:
    return [
        {**element, "block_id": block.get("block_id")}
        for block in call.blocks
        if block["type"] == "actions"
        for element in block["elements"]
        if element["type"] == "button"
    ]


def checkboxes_of(call: Call) -> list[dict[str, Any]]:
    """The checkbox groups of a message (a multi-select question), each with its block id."""
    return [
        {**element, "block_id": block.get("block_id")}
        for block in call.blocks
        if block["type"] == "actions"
        for element in block["elements"]
        if element["type"] == "checkboxes"
    ]


def labels_of(call: Call) -> tuple[str, ...]:
    """What the person can choose, in order: the boxes to tick, then the buttons that are an
    answer of their own (the Done button only sends the ticked boxes)."""
    boxes = [option["text"]["text"] for group in checkboxes_of(call) for option in group["options"]]
    answers = [b["text"]["text"] for b in buttons_of(call) if b["action_id"] != DONE_ACTION]
    return (*boxes, *answers)


def outcome_of(call: Call) -> tuple[str | None, str] | None:
    for block in call.blocks:
        parts = str(block.get("block_id", "")).split(":")
        if len(parts) == 3 and parts[0] == "kneebot_result":
            return (None if parts[1] == "none" else parts[1], parts[2])
    return None


class SlackPerson:
    """Someone in the workspace, talking to kneebot in their DM with it."""

    def __init__(
        self, rig: SlackRig | None, user: str, *, fake: FakeSlack | None = None, team: str = TEAM
    ) -> None:
        """`rig` sends over HTTP; without one (Socket Mode tests) only the payload builders work."""
        self.rig: SlackRig = rig  # type: ignore[assignment]
        self.fake: FakeSlack = fake or rig.fake  # type: ignore[union-attr]
        self.user = user
        self.team = team
        self.dm = "D" + user[1:]  # the fake's conversations.open gives this DM id

    def _since(self, start: int) -> list[Call]:
        return list(self.fake.calls[start:])

    def message_event(
        self, text: str, *, ts: str | None = None, channel: str | None = None
    ) -> dict[str, Any]:
        body = payload("event_message_im")
        stamp = ts or next_ts()
        body["team_id"] = self.team
        body["event_id"] = f"Ev{stamp.replace('.', '')}"
        body["event_time"] = int(float(stamp))
        body["event"].update(
            text=text, user=self.user, ts=stamp, event_ts=stamp, channel=channel or self.dm, team=self.team
        )
        body["event"]["blocks"][0]["elements"][0]["elements"][0]["text"] = text
        return self._in_workspace(body)

    def _in_workspace(self, body: dict[str, Any]) -> dict[str, Any]:
        """Slack names the workspace an event is for in `authorizations` too (Bolt reads it there)."""
        for authorization in body.get("authorizations") or []:
            authorization["team_id"] = self.team
        return body

    def say(self, text: str, **options: Any) -> list[Call]:
        start = len(self.fake.calls)
        self.rig.event(self.message_event(text), **options)
        return self._since(start)

    def offered(self) -> list[Call]:
        """Every message posted to this person that carried buttons, oldest first."""
        return [c for c in self.fake.calls_to("chat.postMessage", self.dm) if buttons_of(c)]

    def action_payload(self, message: Call, label: str, *, clicker: str | None = None) -> dict[str, Any]:
        button = next(b for b in buttons_of(message) if b["text"]["text"] == label)
        body = payload("block_actions")
        who = clicker or self.user
        body["user"].update(id=who, username=who.lower(), name=who.lower(), team_id=self.team)
        body["team"]["id"] = self.team
        body["channel"]["id"] = message.channel
        body["container"].update(message_ts=message.ts, channel_id=message.channel)
        body["message"].update(ts=message.ts, text=message.args.get("text", ""), blocks=message.blocks)
        body["response_url"] = self.fake.response_url(f"actions-{message.ts}")
        body["actions"] = [
            {
                "action_id": button["action_id"],
                "block_id": button["block_id"],
                "text": button["text"],
                "value": button["value"],
                "type": "button",
                "action_ts": next_ts(),
            }
        ]
        return body

    def pick(self, labels: tuple[str, ...]) -> list[Call]:
        """Tick the boxes labelled `labels` on the newest message offering them all, then press
        Done: Slack sends the boxes' state with the click."""
        on = next(
            (
                c
                for c in reversed(self.offered())
                if set(labels) <= {o["text"]["text"] for g in checkboxes_of(c) for o in g["options"]}
            ),
            None,
        )
        if on is None:
            raise LookupError(f"no message offered boxes for all of {list(labels)!r}")
        (group,) = checkboxes_of(on)
        done = next(b for b in buttons_of(on) if b["action_id"] == DONE_ACTION)
        body = self.action_payload(on, done["text"]["text"])
        ticked = [o for o in group["options"] if o["text"]["text"] in labels]
        body["state"] = {
            "values": {group["block_id"]: {PICKS_ACTION: {"type": "checkboxes", "selected_options": ticked}}}
        }
        start = len(self.fake.calls)
        self.rig.interaction(body)
        return self._since(start)

    def click(
        self, label: str, *, stale: bool = False, on: Call | None = None, clicker: str | None = None
    ) -> list[Call]:
        """Click `label` on the newest message offering it (`stale`: the oldest; `on`: that one)."""
        if on is None:
            offers = self.offered() if stale else list(reversed(self.offered()))
            on = next((c for c in offers if label in labels_of(c)), None)
            if on is None:
                raise LookupError(f"no button labelled {label!r} has been offered")
        start = len(self.fake.calls)
        self.rig.interaction(self.action_payload(on, label, clicker=clicker))
        return self._since(start)

    # ----- the App Home ---------------------------------------------------------------------------
    def home_event(self, tab: str = "home") -> dict[str, Any]:
        body = payload("event_app_home_opened")
        stamp = next_ts()
        body["team_id"] = self.team
        body["event_id"] = f"Ev{stamp.replace('.', '')}H"
        body["event"].update(user=self.user, channel=self.dm, tab=tab, event_ts=stamp)
        if tab != "home":
            body["event"].pop("view")
        return self._in_workspace(body)

    def open_home(self) -> list[Call]:
        """Open kneebot's Home tab in the sidebar."""
        start = len(self.fake.calls)
        self.rig.event(self.home_event("home"))
        return self._since(start)

    def open_messages_tab(self) -> list[Call]:
        start = len(self.fake.calls)
        self.rig.event(self.home_event("messages"))
        return self._since(start)

    def home(self) -> Call:
        """The Home view last published for this person."""
        views = [c for c in self.fake.calls_to("views.publish") if c.args.get("user_id") == self.user]
        assert views, "no Home view was published for this person"
        return views[-1]

    def click_home(self, action_id: str) -> list[Call]:
        """Click a button of the Home tab (as published last), by its action id."""
        view = self.home().args["view"]
        block, button = next(
            (block, element)
            for block in view["blocks"]
            if block["type"] == "actions"
            for element in block["elements"]
            if element["action_id"] == action_id
        )
        body = payload("block_actions_home")
        body["user"].update(
            id=self.user, username=self.user.lower(), name=self.user.lower(), team_id=self.team
        )
        body["team"]["id"] = self.team
        body["actions"] = [
            {**button, "block_id": block["block_id"], "type": "button", "action_ts": next_ts()}
        ]
        start = len(self.fake.calls)
        self.rig.interaction(body)
        return self._since(start)

    def click_in_dm(self, message: Call, action_id: str) -> list[Call]:
        """Click a button by action id on a message in the DM (the welcome's start button)."""
        body = payload("block_actions")
        button = next(b for b in buttons_of(message) if b["action_id"] == action_id)
        body["user"].update(
            id=self.user, username=self.user.lower(), name=self.user.lower(), team_id=self.team
        )
        body["team"]["id"] = self.team
        body["channel"]["id"] = message.channel
        body["container"].update(message_ts=message.ts, channel_id=message.channel)
        body["message"].update(ts=message.ts, text=message.args.get("text", ""), blocks=message.blocks)
        body["actions"] = [{**button, "type": "button", "action_ts": next_ts()}]
        start = len(self.fake.calls)
        self.rig.interaction(body)
        return self._since(start)

    def slash(
        self, text: str = "", *, channel: str = "C0RUNNING", channel_name: str = "running"
    ) -> list[Call]:
        fields = payload("slash_command")
        fields.update(
            team_id=self.team,
            user_id=self.user,
            user_name=self.user.lower(),
            channel_id=channel,
            channel_name=channel_name,
            text=text,
            trigger_id=f"{next_ts()}.trigger",
            response_url=self.fake.response_url(f"commands-{self.user}"),
        )
        start = len(self.fake.calls)
        self.rig.command(fields)
        return self._since(start)

    def mention(
        self, text: str, *, channel: str = "C0RUNNING", ts: str | None = None, **options: Any
    ) -> list[Call]:
        start = len(self.fake.calls)
        self.rig.event(self.mention_event(text, channel=channel, ts=ts), **options)
        return self._since(start)

    def mention_event(
        self, text: str, *, channel: str = "C0RUNNING", ts: str | None = None
    ) -> dict[str, Any]:
        body = payload("event_app_mention")
        stamp = ts or next_ts()
        body["team_id"] = self.team
        body["event_id"] = f"Ev{stamp.replace('.', '')}M"
        body["event"].update(
            user=self.user, text=text, ts=stamp, event_ts=stamp, channel=channel, team=self.team
        )
        return self._in_workspace(body)


def posted(calls: list[Call], channel: str | None = None) -> list[Call]:
    return [c for c in calls if c.method == "chat.postMessage" and (channel is None or c.channel == channel)]


def ephemeral(calls: list[Call], channel: str | None = None) -> list[Call]:
    """Messages only one person sees ("only visible to you")."""
    return [
        c for c in calls if c.method == "chat.postEphemeral" and (channel is None or c.channel == channel)
    ]


_REPLY_STARTS = ("kneebot_note:", "kneebot_question:", "kneebot_result:")


def replies_in(call: Call) -> list[Call]:
    """A posted message split back into the engine replies it carries (a turn's short notes
    share one Slack message with the question after them; each reply starts with a named
    block)."""
    groups: list[list[dict[str, Any]]] = []
    for block in call.blocks:
        if not groups or str(block.get("block_id", "")).startswith(_REPLY_STARTS):
            groups.append([])
        groups[-1].append(block)
    if len(groups) <= 1:
        return [call]
    return [Call(call.method, {**call.args, "blocks": group}, call.ts) for group in groups]


def texts(calls: list[Call]) -> list[str]:
    """What each engine reply in the new messages (posted or ephemeral) shows, in order."""
    return [
        visible_text(part.blocks, part.args.get("text", ""))
        for c in calls
        if c.method in ("chat.postMessage", "chat.postEphemeral", "response_url")
        for part in replies_in(c)
    ]

"""A small fake of Discord on loopback: the REST API and the gateway the real discord.py talks to.

The adapter runs with discord.py's own HTTP client and gateway websocket; only the far end is
fake. It implements just the endpoints the bot uses, with Discord's documented behaviour where
the adapter depends on it: an interaction is acknowledged once, a deferred "thinking" message
is filled by the first edit or follow-up (or deleted), ephemeral messages are seen only by
their person, a DM to someone whose privacy settings refuse it fails with 403 / 50007, and the
bot's own DM messages come back to it over the gateway (as they do on Discord). Anything else
is recorded as unexpected and answered 404, so a test notices.

It also keeps what each person sees, which is what the tests and the transcript driver read.
It can be told to refuse the next requests to an endpoint as Discord does (`fail`): a 429 with
`retry_after` (with the `Via` header Discord's own 429s carry, which discord.py checks before it
waits and retries), or an error such as 400 / 50035 for a message it will not take.
"""

from __future__ import annotations

import asyncio
import copy
import itertools
import json
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from aiohttp import WSMsgType, web

PAYLOADS = Path(__file__).parent / "payloads"

EPHEMERAL = 1 << 6
LOADING = 1 << 7

HELLO, HEARTBEAT, HEARTBEAT_ACK, IDENTIFY, RESUME, RECONNECT, INVALID_SESSION, DISPATCH = (
    10,
    1,
    11,
    2,
    6,
    7,
    9,
    0,
)


def payload(name: str) -> dict[str, Any]:
    """A fresh copy of a JSON fixture from tests/discord/payloads/."""
    return json.loads((PAYLOADS / f"{name}.json").read_text(encoding="utf-8"))


@dataclass
class Call:
    """One request the bot made: method, path (below /api/v10), query and JSON body."""

    method: str
    path: str
    query: dict[str, str]
    body: Any


@dataclass
class Failure:
    """The next `times` requests `method path...` (path below /api/v10, a prefix) that pass
    `when` (a check of the JSON body; None: all) are refused with `status` and `code`."""

    method: str
    path: str
    status: int = 429
    code: int = 0
    retry_after: float = 0.05
    times: int = 1
    when: Any = None
    seen: int = 0

    def applies(self, method: str, path: str, body: Any) -> bool:
        return (
            method == self.method
            and path.startswith(self.path)
            and self.seen < self.times
            and (self.when is None or self.when(body))
        )

    def response(self) -> web.Response:
        self.seen += 1
        if self.status == 429:
            body = {
                "message": "You are being rate limited.",
                "retry_after": self.retry_after,
                "global": False,
            }
            return web.Response(
                body=json.dumps(body).encode(),
                status=429,
                content_type="application/json",
                headers={
                    "Via": "1.1 google",
                    "Retry-After": str(self.retry_after),
                    "X-RateLimit-Scope": "user",
                },
            )
        return _json({"message": "Refused by the test", "code": self.code}, status=self.status)


@dataclass
class Shown:
    """One message as Discord holds it, with who may see it (None: everyone in the channel)."""

    data: dict[str, Any]
    viewer: int | None = None
    history: list[dict[str, Any]] = field(default_factory=list)

    @property
    def id(self) -> int:
        return int(self.data["id"])

    @property
    def ephemeral(self) -> bool:
        return bool(self.data["flags"] & EPHEMERAL)

    @property
    def loading(self) -> bool:
        return bool(self.data["flags"] & LOADING)


class FakeGateway:
    """The gateway websocket: HELLO, IDENTIFY -> READY, RESUME, heartbeats, and dispatches."""

    def __init__(self, fake: FakeDiscord) -> None:
        self.fake = fake
        self.socket: web.WebSocketResponse | None = None
        self.seq = 0
        self.identified = 0
        self.resumed = 0
        self.refuse_resume = True
        self.echoed = 0
        self.ready = asyncio.Event()
        self.sent_ready = threading.Event()
        """Set once READY has been sent, for threads outside the fake's event loop."""
        self._beats: list[asyncio.Future[None]] = []

    async def handle(self, request: web.Request) -> web.WebSocketResponse:
        socket = web.WebSocketResponse()
        await socket.prepare(request)
        self.socket = socket
        await self._send({"op": HELLO, "d": {"heartbeat_interval": 3_600_000}})
        async for message in socket:
            if message.type is not WSMsgType.TEXT:
                break
            await self._received(json.loads(message.data))
        return socket

    async def _received(self, frame: dict[str, Any]) -> None:
        op = frame["op"]
        if op == HEARTBEAT:
            await self._send({"op": HEARTBEAT_ACK})
            beats, self._beats = self._beats, []
            for beat in beats:
                if not beat.done():
                    beat.set_result(None)
        elif op == IDENTIFY:
            self.identified += 1
            self.fake.identify_payloads.append(frame["d"])
            ready = payload("ready")
            ready["resume_gateway_url"] = self.fake.gateway_url
            await self.dispatch("READY", ready)
            self.ready.set()
            self.sent_ready.set()
        elif op == RESUME:
            self.resumed += 1
            if self.refuse_resume:  # a new session: the client must IDENTIFY again
                await self._send({"op": INVALID_SESSION, "d": False})
            else:
                await self.dispatch("RESUMED", {})

    async def _send(self, frame: dict[str, Any]) -> None:
        if self.socket is not None and not self.socket.closed:
            await self.socket.send_str(json.dumps(frame))

    async def dispatch(self, event: str, data: dict[str, Any]) -> None:
        self.seq += 1
        await self._send({"op": DISPATCH, "t": event, "s": self.seq, "d": data})

    async def reconnect(self) -> None:
        """Ask the client to reconnect, as Discord does during its own maintenance."""
        self.ready.clear()
        await self._send({"op": RECONNECT, "d": None})

    async def caught_up(self) -> None:
        """Return once the client has read every frame sent so far: it answers a heartbeat
        request in order, after handling what came before it."""
        beat = asyncio.get_running_loop().create_future()
        self._beats.append(beat)
        await self._send({"op": HEARTBEAT, "d": self.seq})
        await beat


class FakeDiscord:
    """The REST API and gateway, on 127.0.0.1 with a free port."""

    def __init__(self, token: str) -> None:
        self.token = token
        self.bot = payload("bot_user")
        self.application = payload("application")
        self.app_id = int(self.application["id"])
        self.calls: list[Call] = []
        self.unexpected: list[Call] = []
        self.failures: list[Failure] = []
        self.refused: list[Call] = []
        self.command_syncs: list[tuple[str, list[dict[str, Any]]]] = []
        self.identify_payloads: list[dict[str, Any]] = []
        self.shown: dict[int, Shown] = {}
        self.dm_channels: dict[int, dict[str, Any]] = {}
        self.dm_closed: set[int] = set()
        self.interactions: dict[str, dict[str, Any]] = {}
        self._originals: dict[str, int] = {}
        self._acknowledged: set[str] = set()
        self._ids = itertools.count(1_260_000_000_000_000_000)
        self.gateway = FakeGateway(self)
        self._runner: web.AppRunner | None = None
        self.base_url = ""

    # ----- lifecycle ------------------------------------------------------------------------
    async def start(self) -> None:
        app = web.Application()
        app.router.add_get("/gateway", self.gateway.handle)
        app.router.add_route("*", "/api/v10/{path:.*}", self._route)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        port = self._runner.addresses[0][1]
        self.base_url = f"http://127.0.0.1:{port}"

    async def stop(self) -> None:
        if self.gateway.socket is not None:
            await self.gateway.socket.close()
        if self._runner is not None:
            await self._runner.cleanup()

    @property
    def api_url(self) -> str:
        return f"{self.base_url}/api/v10"

    @property
    def gateway_url(self) -> str:
        return self.base_url.replace("http://", "ws://") + "/gateway"

    def new_id(self) -> int:
        return next(self._ids)

    def fail(self, method: str, path: str, **failure: Any) -> Failure:
        """Refuse the next matching requests (see `Failure`)."""
        made = Failure(method, path, **failure)
        self.failures.append(made)
        return made

    # ----- what people see ------------------------------------------------------------------
    def dm_channel(self, user: dict[str, Any]) -> dict[str, Any]:
        """The DM channel between the bot and this person (created on first use)."""
        user_id = int(user["id"])
        if user_id not in self.dm_channels:
            channel = payload("dm_channel")
            channel["id"] = str(self.new_id())
            channel["recipients"] = [user]
            self.dm_channels[user_id] = channel
        return self.dm_channels[user_id]

    def visible_to(self, user_id: int) -> list[Shown]:
        """Messages this person can see, oldest first: their DM with the bot, and anything in a
        server channel (ephemeral messages only when they are theirs)."""
        dm = self.dm_channels.get(user_id)
        dm_id = dm["id"] if dm else None
        return [
            shown
            for shown in self.shown.values()
            if (shown.viewer is None and (shown.data["channel_id"] == dm_id or not self._is_dm(shown)))
            or shown.viewer == user_id
        ]

    def public_in(self, channel_id: int) -> list[Shown]:
        """What everyone in a server channel sees from the bot."""
        return [
            s for s in self.shown.values() if int(s.data["channel_id"]) == channel_id and s.viewer is None
        ]

    def _is_dm(self, shown: Shown) -> bool:
        return any(shown.data["channel_id"] == c["id"] for c in self.dm_channels.values())

    # ----- REST -----------------------------------------------------------------------------
    async def _route(self, request: web.Request) -> web.Response:
        body = await request.json() if request.can_read_body else None
        path = "/" + request.match_info["path"]
        call = Call(request.method, path, dict(request.query), body)
        self.calls.append(call)
        parts = path.strip("/").split("/")
        authorised = request.headers.get("Authorization") == f"Bot {self.token}"
        webhook = parts[0] in ("interactions", "webhooks")  # authorised by the interaction token
        if not authorised and not webhook:
            return _json({"message": "401: Unauthorized", "code": 0}, status=401)
        failure = next((f for f in self.failures if f.applies(request.method, path, body)), None)
        if failure is not None:
            self.refused.append(call)
            return failure.response()
        handler = self._handler(request.method, parts)
        if handler is None:
            self.unexpected.append(call)
            return _json({"message": "404: Not Found", "code": 0}, status=404)
        return await handler(parts, body, call)

    def _handler(self, method: str, parts: list[str]) -> Any:
        shape = (method, *("{}" if p.isdigit() else p for p in parts))
        if parts[0] == "interactions" and method == "POST" and len(parts) == 4:
            return self._callback
        if parts[0] == "webhooks" and len(parts) == 3 and method == "POST":
            return self._followup
        if parts[0] == "webhooks" and len(parts) == 5 and method == "PATCH":
            return self._edit_webhook_message
        if parts[0] == "webhooks" and len(parts) == 5 and method == "DELETE":
            return self._delete_webhook_message
        return {
            ("GET", "users", "@me"): self._me,
            ("GET", "oauth2", "applications", "@me"): self._application,
            ("PUT", "applications", "{}", "commands"): self._sync,
            ("PUT", "applications", "{}", "guilds", "{}", "commands"): self._sync,
            ("POST", "users", "@me", "channels"): self._open_dm,
            ("POST", "channels", "{}", "messages"): self._post_message,
            ("PATCH", "channels", "{}", "messages", "{}"): self._edit_channel_message,
        }.get(shape)

    async def _me(self, parts: list[str], body: Any, call: Call) -> web.Response:
        return _json(self.bot)

    async def _application(self, parts: list[str], body: Any, call: Call) -> web.Response:
        return _json(self.application)

    async def _sync(self, parts: list[str], body: Any, call: Call) -> web.Response:
        scope = f"guild:{parts[3]}" if "guilds" in parts else "global"
        self.command_syncs.append((scope, body))
        registered = [
            {
                **command,
                "id": str(self.new_id()),
                "application_id": str(self.app_id),
                "version": str(self.new_id()),
                **({"guild_id": parts[3]} if "guilds" in parts else {}),
            }
            for command in body
        ]
        return _json(registered)

    async def _open_dm(self, parts: list[str], body: Any, call: Call) -> web.Response:
        user_id = int(body["recipient_id"])
        known = self._user(user_id)
        return _json(self.dm_channel(known))

    def _user(self, user_id: int) -> dict[str, Any]:
        for interaction in self.interactions.values():
            user = interaction.get("user") or interaction.get("member", {}).get("user")
            if user and int(user["id"]) == user_id:
                return user
        return {"id": str(user_id), "username": f"user{user_id}", "discriminator": "0", "avatar": None}

    async def _post_message(self, parts: list[str], body: Any, call: Call) -> web.Response:
        if problem := invalid(body):
            return _refused(problem)
        if not (body.get("content") or body.get("embeds")):
            return _json({"message": "Cannot send an empty message", "code": 50006}, status=400)
        channel_id = parts[1]
        for user_id, channel in self.dm_channels.items():
            if channel["id"] == channel_id and user_id in self.dm_closed:
                return _json({"message": "Cannot send messages to this user", "code": 50007}, status=403)
        shown = self._create(channel_id, body, viewer=None)
        if any(channel["id"] == channel_id for channel in self.dm_channels.values()):
            await self.gateway.dispatch("MESSAGE_CREATE", shown.data)  # bots see their own DMs
            self.gateway.echoed += 1
        return _json(shown.data)

    async def _edit_channel_message(self, parts: list[str], body: Any, call: Call) -> web.Response:
        if problem := invalid(body):
            return _refused(problem)
        return _json(self._edit(int(parts[3]), body).data)

    async def _callback(self, parts: list[str], body: Any, call: Call) -> web.Response:
        token = parts[2]
        interaction = self.interactions[token]
        if token in self._acknowledged:
            return _json({"message": "Interaction has already been acknowledged.", "code": 40060}, status=400)
        self._acknowledged.add(token)
        kind, data = body["type"], body.get("data") or {}
        if problem := invalid(data):
            return _refused(problem)
        flags = int(data.get("flags", 0))
        user_id = _user_id(interaction)
        channel_id = interaction["channel_id"]
        message: Shown | None = None
        if kind == 4:  # a message now
            message = self._create(channel_id, data, viewer=user_id if flags & EPHEMERAL else None)
        elif kind == 5:  # "thinking…", filled later by an edit or the first follow-up
            thinking = {"content": "", "flags": flags | LOADING}
            message = self._create(channel_id, thinking, viewer=user_id if flags & EPHEMERAL else None)
        elif kind in (6, 7):  # acknowledge a click; 7 also edits the clicked message
            message = self.shown[int(interaction["message"]["id"])]
            if kind == 7:
                self._edit(message.id, data)
        if message is not None:
            self._originals[token] = message.id
        return _json(
            {
                "interaction": {
                    "id": interaction["id"],
                    "type": interaction["type"],
                    "response_message_id": str(message.id) if message else None,
                    "response_message_loading": kind == 5,
                    "response_message_ephemeral": bool(message and message.ephemeral),
                },
                "resource": {"type": kind, **({"message": message.data} if message and kind != 6 else {})},
            }
        )

    async def _followup(self, parts: list[str], body: Any, call: Call) -> web.Response:
        if problem := invalid(body):
            return _refused(problem)
        token = parts[2]
        interaction = self.interactions[token]
        original = self.shown.get(self._originals.get(token, -1))
        if original is not None and original.loading:  # the first follow-up fills the deferral
            shown = self._edit(original.id, body)
        else:
            flags = int(body.get("flags", 0))
            viewer = _user_id(interaction) if flags & EPHEMERAL else None
            shown = self._create(interaction["channel_id"], body, viewer=viewer)
        if call.query.get("wait") in ("true", "1", "True"):
            return _json(shown.data)
        return web.Response(status=204)

    async def _edit_webhook_message(self, parts: list[str], body: Any, call: Call) -> web.Response:
        if problem := invalid(body):
            return _refused(problem)
        token, which = parts[2], parts[4]
        message_id = self._originals.get(token) if which == "@original" else int(which)
        if message_id is None or message_id not in self.shown:
            return _json({"message": "Unknown Message", "code": 10008}, status=404)
        return _json(self._edit(message_id, body).data)

    async def _delete_webhook_message(self, parts: list[str], body: Any, call: Call) -> web.Response:
        token, which = parts[2], parts[4]
        message_id = self._originals.get(token) if which == "@original" else int(which)
        if message_id is None or self.shown.pop(message_id, None) is None:
            return _json({"message": "Unknown Message", "code": 10008}, status=404)
        return web.Response(status=204)

    # ----- messages -------------------------------------------------------------------------
    def _create(self, channel_id: str, body: dict[str, Any], *, viewer: int | None) -> Shown:
        message_id = self.new_id()
        data = {
            "id": str(message_id),
            "channel_id": str(channel_id),
            "type": 0,
            "author": copy.deepcopy(self.bot),
            "content": body.get("content") or "",
            "embeds": body.get("embeds") or [],
            "components": body.get("components") or [],
            "attachments": [],
            "mentions": [],
            "mention_roles": [],
            "mention_everyone": False,
            "pinned": False,
            "tts": False,
            "timestamp": "2026-11-24T20:00:00.000000+00:00",
            "edited_timestamp": None,
            "flags": int(body.get("flags", 0)),
        }
        if viewer is not None:
            data["webhook_id"] = str(self.app_id)
            data["application_id"] = str(self.app_id)
        shown = Shown(data=data, viewer=viewer, history=[copy.deepcopy(data)])
        self.shown[message_id] = shown
        return shown

    def _edit(self, message_id: int, body: dict[str, Any]) -> Shown:
        shown = self.shown[message_id]
        for key in ("content", "embeds", "components"):
            if key in body:
                shown.data[key] = body[key] if body[key] is not None else ([] if key != "content" else "")
        shown.data["flags"] &= ~LOADING
        shown.data["edited_timestamp"] = "2026-11-24T20:01:00.000000+00:00"
        shown.history.append(copy.deepcopy(shown.data))
        return shown


def invalid(body: dict[str, Any]) -> str | None:
    """Why Discord would refuse this message (its documented limits), or None."""
    embeds = body.get("embeds") or []
    rows = body.get("components") or []
    if len(body.get("content") or "") > 2000:
        return "content is longer than 2000 characters"
    if len(embeds) > 10:
        return "more than 10 embeds"
    total = 0
    for embed in embeds:
        fields = embed.get("fields") or []
        footer = (embed.get("footer") or {}).get("text") or ""
        if len(embed.get("title") or "") > 256 or len(embed.get("description") or "") > 4096:
            return "embed title or description too long"
        if len(fields) > 25 or len(footer) > 2048:
            return "too many embed fields, or footer too long"
        for f in fields:
            if not f["name"] or not f["value"] or len(f["name"]) > 256 or len(f["value"]) > 1024:
                return "embed field name or value empty or too long"
        total += len(embed.get("title") or "") + len(embed.get("description") or "") + len(footer)
        total += sum(len(f["name"]) + len(f["value"]) for f in fields)
    if total > 6000:
        return "embeds are longer than 6000 characters in total"
    buttons = [b for row in rows for b in row.get("components", [])]
    if len(rows) > 5 or any(len(row.get("components", [])) > 5 for row in rows):
        return "more than 5 rows, or more than 5 buttons in a row"
    ids = [b.get("custom_id", "") for b in buttons]
    if any(len(i) > 100 for i in ids) or len(set(ids)) != len(ids):
        return "a custom_id is longer than 100 characters or used twice"
    if any(len(b.get("label", "")) > 80 for b in buttons):
        return "a button label is longer than 80 characters"
    return None


def _refused(problem: str) -> web.Response:
    return _json({"message": "Invalid Form Body", "code": 50035, "errors": problem}, status=400)


def _json(data: Any, status: int = 200) -> web.Response:
    """JSON as Discord sends it: discord.py reads a body as JSON only when the content type is
    exactly `application/json` (no charset)."""
    return web.Response(body=json.dumps(data).encode(), status=status, content_type="application/json")


def _user_id(interaction: dict[str, Any]) -> int:
    user = interaction.get("user") or interaction["member"]["user"]
    return int(user["id"])

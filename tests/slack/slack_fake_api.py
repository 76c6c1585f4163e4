"""A fake Slack on loopback: the Web API methods kneebot calls, response URLs and Socket Mode.

It answers the way Slack documents (`{"ok": true, ...}`, or `{"ok": false, "error": ...}`),
checks the bearer token, and refuses messages Slack itself would refuse (no text, too many
characters in a block, a button label over 75 characters, repeated block ids), so a layout bug
fails here as it would in a workspace. Every call is recorded, with the token it came with,
for the tests to read.

It hosts any number of workspaces, each with its own bot token (`auth.test` answers per
token), installs new ones through `oauth.v2.access` (a code granted with `grant`, the app's
client id and secret as HTTP basic auth), and can be told to fail the next calls of a method
as Slack does under load (`fail`: a 429 with Retry-After, a 500, or an error code).
"""

from __future__ import annotations

import asyncio
import base64
import itertools
import json
import time
from dataclasses import dataclass, field
from typing import Any

from aiohttp import WSMsgType, web

TEAM = "T0KNEECLUB"
BOT_USER = "U0KNEEBOT"
BOT_ID = "B0KNEEBOT"
APP_ID = "A0KNEEBOT"
BOT_TOKEN = "xoxb-1234-5678-kneebottoken"
APP_TOKEN = "xapp-1-A0KNEEBOT-1234-kneebotapptoken"
CLIENT_ID = "1234567890.0987654321"
CLIENT_SECRET = "kneebot-client-secret-for-tests"


@dataclass(frozen=True)
class Workspace:
    """One workspace kneebot is installed in: its id, and its bot user's ids and token."""

    team: str
    bot_token: str
    bot_user: str = BOT_USER
    bot_id: str = BOT_ID


@dataclass
class Failure:
    """The next `times` calls of `method` fail: HTTP `status` (a 429 with `retry_after`), or
    HTTP 200 with `{"ok": false, "error": error}` when status is 200."""

    method: str
    status: int = 429
    error: str = "ratelimited"
    retry_after: int = 1
    times: int = 1
    when: Any = None
    """Only calls whose arguments pass this check fail (None: every call)."""
    seen: int = field(default=0)

    def applies(self, method: str, args: dict[str, Any]) -> bool:
        return method == self.method and self.seen < self.times and (self.when is None or self.when(args))


@dataclass
class Call:
    """One request the bot made: the API method (or "response_url"), its arguments, and the
    `ts` the fake assigned when it created or updated a message."""

    method: str
    args: dict[str, Any]
    ts: str | None = None
    token: str | None = None

    @property
    def channel(self) -> str | None:
        return self.args.get("channel")

    @property
    def blocks(self) -> list[dict[str, Any]]:
        return list(self.args.get("blocks") or [])


def _block_problems(blocks: Any) -> str | None:
    """The checks Slack's API applies to Block Kit that a layout bug would trip."""
    if not isinstance(blocks, list) or len(blocks) > 50:
        return "invalid_blocks"
    seen: set[str] = set()
    for block in blocks:
        block_id = block.get("block_id")
        if block_id is not None:
            if block_id in seen or len(block_id) > 255:
                return "invalid_blocks"
            seen.add(block_id)
        texts = [block.get("text")] if block.get("text") else []
        texts += [e for e in block.get("elements", []) if e.get("type") in ("mrkdwn", "plain_text")]
        for text in texts:
            limit = 150 if block["type"] == "header" else 3000
            if not text.get("text") or len(text["text"]) > limit:
                return "invalid_blocks"
        for element in block.get("elements", []):
            if element.get("type") == "button":
                label = element["text"]["text"]
                if not label or len(label) > 75 or len(element.get("value", "")) > 2000:
                    return "invalid_blocks"
    return None


class FakeSlack:
    """Start with `await start()` inside a running loop; `api_url` is what SLACK_API_URL takes."""

    def __init__(self) -> None:
        self.calls: list[Call] = []
        self.workspaces: dict[str, Workspace] = {BOT_TOKEN: Workspace(team=TEAM, bot_token=BOT_TOKEN)}
        self.app_tokens = {APP_TOKEN}
        self.unreachable_users: set[str] = set()
        self.locales: dict[str, str] = {}
        """users.info's locale per user (default en-US)."""
        self.failures: list[Failure] = []
        self.user_messages: dict[str, list[str]] = {}
        """Messages people wrote, per channel (their ts), for conversations.history."""
        self.codes: dict[str, Workspace] = {}
        self.refused: list[Call] = []
        """Calls answered with a failure from `fail`."""
        self._ts = itertools.count(1)
        self._sockets: list[web.WebSocketResponse] = []
        self.acks: dict[str, dict[str, Any]] = {}
        self._runner: web.AppRunner | None = None
        self.port = 0

    # ----- lifecycle ---------------------------------------------------------------------------
    async def start(self) -> None:
        app = web.Application()
        app.router.add_post("/api/{method}", self._api)
        app.router.add_get("/api/{method}", self._api)  # slack_sdk sends a few methods as GET
        app.router.add_post("/respond/{hook}", self._respond)
        app.router.add_get("/socket", self._socket)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        await web.TCPSite(self._runner, "127.0.0.1", 0).start()
        self.port = int(self._runner.addresses[0][1])

    async def stop(self) -> None:
        for socket in list(self._sockets):
            await socket.close()
        if self._runner is not None:
            await self._runner.cleanup()

    @property
    def api_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/api/"

    def response_url(self, hook: str) -> str:
        return f"http://127.0.0.1:{self.port}/respond/{hook}"

    # ----- reading what was recorded -----------------------------------------------------------
    def reset(self) -> None:
        self.calls.clear()
        self.refused.clear()
        self.failures.clear()
        self.locales.clear()
        self.user_messages.clear()
        self.workspaces = {BOT_TOKEN: Workspace(team=TEAM, bot_token=BOT_TOKEN)}
        self.codes.clear()

    @property
    def bot_tokens(self) -> set[str]:
        return set(self.workspaces)

    def fail(self, method: str, **failure: Any) -> Failure:
        """Make the next calls of `method` fail (see `Failure`)."""
        made = Failure(method, **failure)
        self.failures.append(made)
        return made

    def grant(self, code: str, workspace: Workspace) -> None:
        """An install in progress: Slack redirected the installer back with `code`, which
        oauth.v2.access trades (once) for `workspace`'s bot token."""
        self.codes[code] = workspace

    def calls_to(self, method: str, channel: str | None = None) -> list[Call]:
        return [
            c for c in list(self.calls) if c.method == method and (channel is None or c.channel == channel)
        ]

    # ----- the Web API -------------------------------------------------------------------------
    def _ts_next(self) -> str:
        return f"{int(time.time())}.{next(self._ts):06d}"

    async def _arguments(self, request: web.Request) -> dict[str, Any]:
        args: dict[str, Any] = dict(request.query)
        if request.content_type == "application/json":
            args.update(await request.json())
        elif request.can_read_body:
            args.update(dict(await request.post()))
        for name in ("blocks", "attachments"):
            if isinstance(args.get(name), str):
                args[name] = json.loads(args[name])
        return args

    async def _api(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        args = await self._arguments(request)
        if method == "oauth.v2.access":
            return web.json_response(self._oauth(request, args))
        token = request.headers.get("Authorization", "").removeprefix("Bearer ").strip()
        accepted = self.app_tokens if method == "apps.connections.open" else self.bot_tokens
        if token not in accepted:
            self.calls.append(Call(method, args, token=token))
            return web.json_response({"ok": False, "error": "invalid_auth"})
        failure = next((f for f in self.failures if f.applies(method, args)), None)
        if failure is not None:
            failure.seen += 1
            self.refused.append(Call(method, args, token=token))
            if failure.status == 200:
                return web.json_response({"ok": False, "error": failure.error})
            headers = {"Retry-After": str(failure.retry_after)} if failure.status == 429 else {}
            return web.json_response(
                {"ok": False, "error": failure.error}, status=failure.status, headers=headers
            )
        answer = self._answer(method, args, token)
        return web.json_response(answer)

    def _oauth(self, request: web.Request, args: dict[str, Any]) -> dict[str, Any]:
        """oauth.v2.access: the app's credentials (HTTP basic auth) and a granted code, once."""
        self.calls.append(Call("oauth.v2.access", args))
        basic = request.headers.get("Authorization", "").removeprefix("Basic ").strip()
        client = base64.b64decode(basic).decode() if basic else ""
        if client != f"{CLIENT_ID}:{CLIENT_SECRET}":
            return {"ok": False, "error": "invalid_client_id"}
        workspace = self.codes.pop(str(args.get("code")), None)
        if workspace is None:
            return {"ok": False, "error": "invalid_code"}
        self.workspaces[workspace.bot_token] = workspace
        return {
            "ok": True,
            "access_token": workspace.bot_token,
            "token_type": "bot",
            "scope": "app_mentions:read,chat:write,commands,im:history,im:write,users:read",
            "bot_user_id": workspace.bot_user,
            "app_id": APP_ID,
            "team": {"name": f"Workspace {workspace.team}", "id": workspace.team},
            "enterprise": None,
            "authed_user": {"id": "U0INSTALLER"},
            "is_enterprise_install": False,
        }

    def _answer(self, method: str, args: dict[str, Any], token: str) -> dict[str, Any]:
        call = Call(method, args, token=token)
        self.calls.append(call)
        workspace = self.workspaces.get(token)
        if method == "auth.test":
            assert workspace is not None
            return {
                "ok": True,
                "url": f"https://{workspace.team.lower()}.slack.com/",
                "team": f"Workspace {workspace.team}",
                "user": "kneebot",
                "team_id": workspace.team,
                "user_id": workspace.bot_user,
                "bot_id": workspace.bot_id,
                "is_enterprise_install": False,
            }
        if method == "users.info":
            user = str(args.get("user", ""))
            if not user:
                return {"ok": False, "error": "user_not_found"}
            info: dict[str, Any] = {
                "id": user,
                "team_id": workspace.team if workspace else TEAM,
                "name": user.lower(),
            }
            if str(args.get("include_locale")).lower() in ("true", "1"):
                info["locale"] = self.locales.get(user, "en-US")
            return {"ok": True, "user": info}
        if method == "views.publish":
            view = args.get("view")
            if isinstance(view, str):
                view = args["view"] = json.loads(view)
            if not args.get("user_id") or not isinstance(view, dict) or view.get("type") != "home":
                return {"ok": False, "error": "invalid_arguments"}
            problem = _block_problems(view.get("blocks") or [])
            if problem:
                return {"ok": False, "error": problem}
            return {"ok": True, "view": {"id": f"V{next(self._ts):08d}", "type": "home", **view}}
        if method == "conversations.history":
            channel = str(args.get("channel", ""))
            stamps = [
                c.ts for c in self.calls if c.method == "chat.postMessage" and c.channel == channel and c.ts
            ]
            stamps += self.user_messages.get(channel, [])
            newest = sorted((ts for ts in stamps if ts), reverse=True)[: int(args.get("limit", 100))]
            return {
                "ok": True,
                "messages": [{"type": "message", "ts": ts} for ts in newest],
                "has_more": False,
            }
        if method == "conversations.open":
            user = str(args.get("users", ""))
            if not user or "," in user or user in self.unreachable_users:
                return {"ok": False, "error": "user_not_found" if user else "users_list_not_supplied"}
            return {"ok": True, "no_op": True, "already_open": True, "channel": {"id": "D" + user[1:]}}
        if method in ("chat.postMessage", "chat.update", "chat.postEphemeral"):
            if not args.get("channel"):
                return {"ok": False, "error": "channel_not_found"}
            if not args.get("text") and not args.get("blocks"):
                return {"ok": False, "error": "no_text"}
            problem = _block_problems(args.get("blocks") or [])
            if problem:
                return {"ok": False, "error": problem}
            if method == "chat.postEphemeral":
                call.ts = self._ts_next()
                return {"ok": True, "message_ts": call.ts}
            call.ts = args["ts"] if method == "chat.update" else self._ts_next()
            message = {"type": "message", "user": BOT_USER, "bot_id": BOT_ID, "app_id": APP_ID, "ts": call.ts}
            message.update({k: args[k] for k in ("text", "blocks", "thread_ts") if args.get(k)})
            return {
                "ok": True,
                "channel": args["channel"],
                "ts": call.ts,
                "text": args.get("text", ""),
                "message": message,
            }
        if method == "apps.connections.open":
            return {"ok": True, "url": f"ws://127.0.0.1:{self.port}/socket"}
        return {"ok": False, "error": "unknown_method"}

    async def _respond(self, request: web.Request) -> web.Response:
        self.calls.append(Call("response_url", await request.json()))
        return web.Response(text="ok")

    # ----- Socket Mode -------------------------------------------------------------------------
    async def _socket(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse(autoping=True)
        await ws.prepare(request)
        self._sockets.append(ws)
        await ws.send_json({"type": "hello", "num_connections": 1, "connection_info": {"app_id": APP_ID}})
        async for message in ws:
            if message.type == WSMsgType.TEXT:
                data = json.loads(message.data)
                if "envelope_id" in data:
                    self.acks[data["envelope_id"]] = data
        self._sockets.remove(ws)
        return ws

    @property
    def socket_connected(self) -> bool:
        return any(not ws.closed for ws in self._sockets)

    async def push(self, kind: str, payload: dict[str, Any], *, envelope_id: str) -> None:
        """Send one Socket Mode envelope (`events_api`, `interactive` or `slash_commands`)."""
        socket = next(ws for ws in self._sockets if not ws.closed)
        envelope = {
            "envelope_id": envelope_id,
            "type": kind,
            "payload": payload,
            "accepts_response_payload": kind != "events_api",
            "retry_attempt": 0,
            "retry_reason": "",
        }
        await socket.send_json(envelope)


async def wait_until(check: Any, *, timeout: float = 10.0) -> None:
    """Poll `check()` on the loop until it holds; fail after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError("timed out waiting for the fake Slack")
        await asyncio.sleep(0.01)

"""`kneebot slack`: check the settings, then serve Slack over Socket Mode or HTTP until stopped.

Socket Mode (SLACK_APP_TOKEN set) needs no public URL: the bot dials out to Slack, which is
what a running club will usually run. Otherwise Slack's Events API requests are served on
`PORT` by aiohttp through Bolt's `AsyncApp`; Bolt's own `App.start()` server is a single thread
with a backlog of 5 and was measured unfit for production.
"""

from __future__ import annotations

import asyncio
import hmac
import logging
import signal
import time
from typing import Protocol

from aiohttp import ClientError, web
from slack_bolt.adapter.aiohttp import to_aiohttp_response, to_bolt_request
from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler
from slack_sdk.errors import SlackApiError
from slack_sdk.signature import SignatureVerifier

from adapters.slack.app import BOT_SCOPES, SlackBot
from bot.config import ConfigError, Settings
from bot.engine import Engine

log = logging.getLogger(__name__)

EVENTS_PATH = "/slack/events"
SIGNATURE_MAX_AGE = 5 * 60
"""Slack's rule (and Bolt's): a request signed more than five minutes ago is a replay."""


class Endpoint(Protocol):
    async def start(self) -> None: ...
    async def stop(self) -> None: ...
    def ready(self) -> bool: ...
    def describe(self) -> str: ...


class HttpEndpoint:
    """Slack's Request URL: POST /slack/events on aiohttp, through Bolt's AsyncApp adapter.

    A body that is not a Slack payload at all (not JSON, a JSON array, not text) makes Bolt
    raise while it builds its request, which aiohttp would answer with a 500 and a logged
    traceback, signed or not. Such a request is answered here instead: 401 unless Slack's
    signature holds, else 400, with one log line."""

    def __init__(self, bot: SlackBot, *, host: str = "0.0.0.0", port: int = 3000) -> None:
        self.bot = bot
        self.host = host
        self.port = port
        self._runner: web.AppRunner | None = None
        secret = bot.signing_secret
        self._verifier = SignatureVerifier(secret) if secret else None

    async def _handle(self, request: web.Request) -> web.Response:
        try:
            bolt_request = await to_bolt_request(request)
            if not isinstance(bolt_request.body, dict):
                raise TypeError("not a JSON object")
        except (ValueError, TypeError, AttributeError, KeyError, IndexError) as exc:
            status = 400 if self._signed(await request.read(), request) else 401
            log.warning(
                "refused a request that is not a Slack payload (HTTP %d): %s", status, type(exc).__name__
            )
            return web.Response(status=status, text="not a Slack request\n")
        return await to_aiohttp_response(await self.bot.app.async_dispatch(bolt_request))

    async def _install(self, request: web.Request) -> web.Response:
        """The OAuth install page and Slack's redirect back (many workspaces), as Bolt's own
        aiohttp server routes them (`slack_bolt.app.async_server`)."""
        flow = self.bot.app.oauth_flow
        assert flow is not None  # routed only when there is one
        bolt_request = await to_bolt_request(request)
        if request.path == flow.install_path:
            response = await flow.handle_installation(bolt_request)
        else:
            response = await flow.handle_callback(bolt_request)
        return await to_aiohttp_response(response)

    def _signed(self, body: bytes, request: web.Request) -> bool:
        """Slack's signature check (slack_sdk's), on the raw bytes: its own verifier decodes the
        body as UTF-8 first, and these bodies need not be text."""
        if self._verifier is None:
            return True
        stamp = request.headers.get("X-Slack-Request-Timestamp", "")
        given = request.headers.get("X-Slack-Signature", "")
        if not stamp.isascii() or not stamp.isdigit() or abs(time.time() - int(stamp)) > SIGNATURE_MAX_AGE:
            return False
        expected = hmac.new(
            self._verifier.signing_secret.encode(), b"v0:%s:%s" % (stamp.encode(), body), "sha256"
        )
        return hmac.compare_digest(f"v0={expected.hexdigest()}", given)

    async def start(self) -> None:
        await self.bot.open_session()
        app = web.Application()
        app.router.add_post(EVENTS_PATH, self._handle)
        flow = self.bot.app.oauth_flow
        if flow is not None:
            app.router.add_get(flow.install_path, self._install)
            app.router.add_get(flow.redirect_uri_path, self._install)
        runner = web.AppRunner(app, access_log=None)
        await runner.setup()
        try:
            await web.TCPSite(runner, self.host, self.port).start()
        except OSError:
            await runner.cleanup()
            raise
        self._runner = runner
        self.port = int(runner.addresses[0][1])  # the real port when 0 asked for a free one

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None
        await self.bot.close_session()

    def ready(self) -> bool:
        return self._runner is not None

    @property
    def url(self) -> str:
        host = "127.0.0.1" if self.host in ("0.0.0.0", "") else self.host
        return f"http://{host}:{self.port}{EVENTS_PATH}"

    def describe(self) -> str:
        where = f"HTTP events on port {self.port} at {EVENTS_PATH}"
        flow = self.bot.app.oauth_flow
        if flow is not None:
            where += f", installs at {flow.install_path} (any workspace)"
        return where


class SocketModeEndpoint:
    """A Socket Mode connection: Slack pushes the same payloads over a WebSocket."""

    def __init__(self, bot: SlackBot, *, app_token: str) -> None:
        self.bot = bot
        self.app_token = app_token
        self._handler: AsyncSocketModeHandler | None = None

    async def start(self) -> None:
        # Built here, inside the running loop: the client opens its aiohttp session at once.
        await self.bot.open_session()
        self._handler = AsyncSocketModeHandler(self.bot.app, self.app_token)
        # Ask for the WebSocket URL ourselves first: slack_sdk's connect loop retries a refused
        # app token every ten seconds forever, where a refusal at start should stop the start
        # (SlackApiError, reported by `_serve`). The URL is handed on, so it is asked for once.
        opened = await self.bot.app.client.apps_connections_open(app_token=self.app_token)
        self._handler.client.wss_uri = opened["url"]
        await self._handler.connect_async()

    async def stop(self) -> None:
        if self._handler is not None:
            await self._handler.close_async()
            self._handler = None
        await self.bot.close_session()

    def ready(self) -> bool:
        if self._handler is None:
            return False
        client = self._handler.client
        session = client.current_session
        return not client.closed and session is not None and not session.closed

    def describe(self) -> str:
        return "Socket Mode"


def check_settings(settings: Settings) -> bool:
    """Fail before connecting when a token is missing or clearly the wrong kind.
    Returns True for Socket Mode."""
    socket_mode = bool(settings.slack_app_token)
    if settings.slack_client_id:  # many workspaces: Slack's OAuth install flow, over HTTP
        if settings.slack_bot_token:
            raise ConfigError(
                "set either SLACK_BOT_TOKEN (one workspace) or SLACK_CLIENT_ID and SLACK_CLIENT_SECRET "
                "(any workspace that installs kneebot), not both"
            )
        if socket_mode:
            raise ConfigError(
                "installing into many workspaces (SLACK_CLIENT_ID) needs HTTP mode, for Slack's install "
                "and redirect pages: unset SLACK_APP_TOKEN and set SLACK_SIGNING_SECRET"
            )
        settings.require("slack_client_secret", "slack_signing_secret")
        return False
    settings.require("slack_bot_token", *(() if socket_mode else ("slack_signing_secret",)))
    if not str(settings.slack_bot_token).startswith("xoxb-"):
        raise ConfigError(
            "SLACK_BOT_TOKEN must be the Bot User OAuth Token starting with xoxb- "
            "(OAuth & Permissions page of your Slack app)"
        )
    if socket_mode and not str(settings.slack_app_token).startswith("xapp-"):
        raise ConfigError(
            "SLACK_APP_TOKEN must be an app-level token starting with xapp- with the "
            "connections:write scope (Basic Information page of your Slack app)"
        )
    return socket_mode


async def verify_token(bot: SlackBot) -> None:
    """auth.test at start-up, so a revoked or mistyped token is reported now, in a sentence."""
    try:
        response = await bot.app.client.auth_test()
    except SlackApiError as exc:
        error = exc.response.get("error") if exc.response is not None else "unknown error"
        raise ConfigError(
            f"Slack refused SLACK_BOT_TOKEN ({error}): copy the Bot User OAuth Token again from "
            "your app's OAuth & Permissions page, and reinstall the app if you changed its scopes"
        ) from None
    except (TimeoutError, ClientError, OSError) as exc:
        raise ConfigError(f"cannot reach the Slack Web API at {bot.app.client.base_url}: {exc}") from None
    log.info("signed in to Slack workspace %s as %s", response.get("team_id"), response.get("user_id"))


def build_bot(settings: Settings, engine: Engine, *, socket_mode: bool) -> SlackBot:
    """The adapter for these settings: one workspace's token, or the OAuth install flow."""
    oauth = None
    if settings.slack_client_id:
        from adapters.slack.installs import oauth_settings

        oauth = oauth_settings(
            client_id=settings.slack_client_id,
            client_secret=str(settings.slack_client_secret),
            scopes=BOT_SCOPES,
            redis_url=settings.redis_url,
            sqlite_path=settings.db_path,
        )
    return SlackBot(
        engine,
        token=settings.slack_bot_token,
        signing_secret=None if socket_mode else settings.slack_signing_secret,
        api_url=settings.slack_api_url,
        oauth=oauth,
        docs_url=settings.docs_url,
    )


def run_slack(settings: Settings, engine: Engine) -> int:
    """`kneebot slack`: runs until SIGINT or SIGTERM; returns the exit status."""
    socket_mode = check_settings(settings)
    bot = build_bot(settings, engine, socket_mode=socket_mode)
    return asyncio.run(_serve(settings, engine, bot, socket_mode))


async def _serve(settings: Settings, engine: Engine, bot: SlackBot, socket_mode: bool) -> int:
    from adapters.ops import start_ops_server
    from bot.metrics import metrics_for

    if bot.app.oauth_flow is None:  # one workspace: its token is checked now
        await verify_token(bot)
    endpoint: Endpoint
    if socket_mode:
        endpoint = SocketModeEndpoint(bot, app_token=str(settings.slack_app_token))
    else:
        endpoint = HttpEndpoint(bot, port=settings.port)
    try:
        await endpoint.start()
    except SlackApiError as exc:
        error = exc.response.get("error") if exc.response is not None else "unknown error"
        raise ConfigError(
            f"Slack refused SLACK_APP_TOKEN ({error}): is Socket Mode enabled for the app?"
        ) from None
    except OSError as exc:
        raise ConfigError(
            f"cannot listen on port {settings.port} (PORT, --port): {exc.strerror or exc}"
        ) from None
    ops = start_ops_server(settings, engine, metrics_for(engine), platform_ready=endpoint.ready)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    log.info("kneebot is listening to Slack over %s", endpoint.describe())
    try:
        await stop.wait()
    finally:
        log.info("stopping")
        await endpoint.stop()
        if ops is not None:
            ops.stop()
    return 0

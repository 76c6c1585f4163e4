"""The optional operations server: `/healthz` for orchestrators, `/metrics` for Prometheus.

It runs beside any adapter (Slack HTTP or Socket Mode, Discord) in a daemon thread, on its own
port (`HEALTH_PORT`), so a health probe never competes with platform events. Ready means both
the platform connection (the adapter says so through `platform_ready`) and the conversation
store answer; a 503 names which is down, and never a token, URL or user.

Requests are served one at a time on that one thread: both answers are tiny, a socket timeout
drops a stalled client, and a store's per-thread connection (SQLite) is opened once instead of
once per request.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, HTTPServer

from bot.config import ConfigError, Settings
from bot.engine import Engine
from bot.metrics import Metrics

log = logging.getLogger(__name__)

REQUEST_TIMEOUT_SECONDS = 5.0
SHUTDOWN_POLL_SECONDS = 0.1
"""How often the idle server looks for a stop request: `stop()` returns within about this."""


def _safely(check: Callable[[], bool]) -> bool:
    """A probe that raises counts as down: health must answer, whatever the failure."""
    try:
        return bool(check())
    except Exception:
        log.warning("health probe failed", exc_info=True)
        return False


class _OpsHTTPServer(HTTPServer):
    def __init__(
        self,
        address: tuple[str, int],
        *,
        metrics: Metrics,
        platform_ready: Callable[[], bool],
        store_ready: Callable[[], bool],
    ) -> None:
        super().__init__(address, _Handler)
        self.metrics = metrics
        self.platform_ready = platform_ready
        self.store_ready = store_ready

    def health(self) -> tuple[int, str]:
        down = [
            name
            for name, ready in (("platform", self.platform_ready), ("store", self.store_ready))
            if not _safely(ready)
        ]
        if down:
            return 503, "".join(f"{name}: down\n" for name in down)
        return 200, "ok\n"


class _Handler(BaseHTTPRequestHandler):
    server: _OpsHTTPServer
    timeout = REQUEST_TIMEOUT_SECONDS
    server_version = "kneebot-ops"
    sys_version = ""

    def do_GET(self) -> None:
        path = self.path.split("?", 1)[0]
        if path == "/healthz":
            status, text = self.server.health()
            self._send(status, text.encode(), "text/plain; charset=utf-8")
        elif path == "/metrics":
            body, content_type = self.server.metrics.render(self.headers.get("Accept"))
            self._send(200, body, content_type)
        else:
            self._send(404, b"not found: try /healthz or /metrics\n", "text/plain; charset=utf-8")

    def _send(self, status: int, body: bytes, content_type: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        """Probes arrive every few seconds: keep them out of INFO logs."""
        log.debug("ops %s %s", self.address_string(), format % args)


class OpsServer:
    """A running operations server; `stop()` ends it (also on leaving a `with` block)."""

    def __init__(self, server: _OpsHTTPServer) -> None:
        self._server = server
        self._thread = threading.Thread(
            target=server.serve_forever, args=(SHUTDOWN_POLL_SECONDS,), name="kneebot-ops", daemon=True
        )
        self._thread.start()

    @property
    def host(self) -> str:
        return str(self._server.server_address[0])

    @property
    def port(self) -> int:
        """The bound port (useful with HEALTH_PORT=0, which picks a free one)."""
        return int(self._server.server_address[1])

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join()

    def __enter__(self) -> OpsServer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def start_ops_server(
    settings: Settings,
    engine: Engine,
    metrics: Metrics,
    *,
    platform_ready: Callable[[], bool],
) -> OpsServer | None:
    """Serve /healthz and /metrics on `settings.health_port`; None when no port is set."""
    if settings.health_port is None:
        return None
    address = (settings.health_host, settings.health_port)
    try:
        server = _OpsHTTPServer(
            address, metrics=metrics, platform_ready=platform_ready, store_ready=engine.store.ping
        )
    except OSError as exc:
        raise ConfigError(
            f"cannot serve /healthz and /metrics on {settings.health_host}:{settings.health_port} "
            f"(HEALTH_HOST, HEALTH_PORT): {exc.strerror or exc}"
        ) from None
    ops = OpsServer(server)
    log.info("serving /healthz and /metrics on %s", ops.url)
    return ops

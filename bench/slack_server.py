"""`python -m bench.slack_server {kneebot,bare} API_URL TOKEN SECRET`: one Slack app serving
signed Events API requests on 127.0.0.1, on a free port printed as the first line of stdout,
until stdin closes.

Both apps are served by the same code, kneebot's `HttpEndpoint` (aiohttp through Bolt's
`AsyncApp`), with the same logging set-up as `kneebot slack` (INFO, text, to stderr):

- `kneebot`: `SlackBot` on an engine with a memory store and the Metrics observer, as
  `kneebot slack --memory` builds it;
- `bare`: an `AsyncApp` whose one listener posts one fixed reply to the channel a message came
  from: Bolt's own cost, the least any Bolt app pays.

A separate process, so the app under test has a core of its own and the load generator and the
fake Web API (in the benchmark process) do not share its interpreter lock.
"""

from __future__ import annotations

import asyncio
import logging
import sys
from typing import Any, cast

from slack_bolt.async_app import AsyncApp
from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack.app import NOISY_LOGGERS, SlackBot
from adapters.slack.serve import EVENTS_PATH, HttpEndpoint
from bot.engine import build_engine
from bot.logs import configure_logging, quiet
from bot.metrics import Metrics
from bot.store import MemoryStore

__all__ = ["EVENTS_PATH", "BareBot", "main"]


class BareBot:
    """The least a Bolt app can do for a direct message: acknowledge it and post one reply."""

    def __init__(self, *, api_url: str, token: str, signing_secret: str) -> None:
        quiet(*NOISY_LOGGERS)
        self.signing_secret = signing_secret
        logger = logging.getLogger("slack_bolt.bare")
        logger.setLevel(logging.WARNING)
        self.app = AsyncApp(
            name="bare",
            logger=logger,
            client=AsyncWebClient(token=token, base_url=api_url),
            signing_secret=signing_secret,
        )
        self.app.event("message")(self.reply)

    async def reply(self, event: dict[str, Any], client: AsyncWebClient) -> None:
        await client.chat_postMessage(channel=event["channel"], text="ok")

    # Bolt's defaults, as a bare app is written from its documentation: no pooled Web API
    # session (kneebot opens one; see the notes in docs/benchmarks.md).
    async def open_session(self) -> None:
        pass

    async def close_session(self) -> None:
        pass


async def serve(kind: str, api_url: str, token: str, secret: str) -> None:
    configure_logging("INFO", "text")
    bot: Any
    if kind == "kneebot":
        metrics = Metrics()
        engine = build_engine(MemoryStore(), observers=[metrics.observe])
        bot = SlackBot(engine, token=token, signing_secret=secret, api_url=api_url)
    else:
        bot = BareBot(api_url=api_url, token=token, signing_secret=secret)
    endpoint = HttpEndpoint(cast(SlackBot, bot), host="127.0.0.1", port=0)
    await endpoint.start()
    print(endpoint.port, flush=True)
    try:
        await asyncio.get_running_loop().run_in_executor(None, sys.stdin.read)
    finally:
        await endpoint.stop()


async def _inline(function: Any, /, *args: Any, **kwargs: Any) -> Any:
    return function(*args, **kwargs)


def main(argv: list[str]) -> int:
    """`kind api_url token secret [--inline]`; --inline (for profiles only: cProfile sees one
    thread) runs what the app hands to worker threads on the event loop instead."""
    if argv[4:] == ["--inline"]:
        asyncio.to_thread = _inline  # type: ignore[assignment]
        argv = argv[:4]
    kind, api_url, token, secret = argv
    if kind not in ("kneebot", "bare"):
        raise SystemExit(f"unknown app {kind!r}: kneebot or bare")
    asyncio.run(serve(kind, api_url, token, secret))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

"""Everything kneebot sends to Slack, and what happens when Slack will not take it.

A reply may be an emergency result, so none is dropped quietly:

1. the Web API client retries by itself: slack_sdk's `AsyncRateLimitErrorRetryHandler` waits
   out a 429's `Retry-After`, `AsyncServerErrorRetryHandler` retries a 500 or 503, and
   `AsyncConnectionErrorRetryHandler` a dropped connection (`retry_handlers()`);
2. a message Slack still refuses (its blocks, a limit, an outage that outlasted the retries)
   is sent once more as plain text, the question's answers numbered so typing still works;
3. a message that cannot be delivered even so is logged at ERROR with the conversation's log
   id and counted in /metrics (`adapters.delivery.report_undelivered`).

Logs name the method and Slack's error code, never the text.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from aiohttp import ClientError
from slack_sdk.errors import SlackApiError, SlackClientError
from slack_sdk.http_retry.async_handler import AsyncRetryHandler
from slack_sdk.http_retry.builtin_async_handlers import (
    AsyncConnectionErrorRetryHandler,
    AsyncRateLimitErrorRetryHandler,
    AsyncServerErrorRetryHandler,
)
from slack_sdk.web.async_client import AsyncWebClient

from adapters.delivery import report_undelivered
from adapters.slack import blocks
from bot.engine import Engine, conversation_id
from bot.messages import Reply

log = logging.getLogger(__name__)

PLATFORM = "slack"
RATE_LIMIT_RETRIES = 3
"""Slack's chat methods allow about one message a second per channel; three waits of
Retry-After cover a burst, and a reply that waited longer still beats a lost one."""
SENDING_FAILED = (SlackClientError, ClientError, asyncio.TimeoutError)
"""What a Web API call raises when Slack refuses it or cannot be reached."""


def retry_handlers() -> list[AsyncRetryHandler]:
    """The client's retries, slack_sdk's own: rate limits, Slack's 500/503, dropped connections."""
    return [
        AsyncConnectionErrorRetryHandler(),
        AsyncRateLimitErrorRetryHandler(max_retry_count=RATE_LIMIT_RETRIES),
        AsyncServerErrorRetryHandler(max_retry_count=2),
    ]


def error_of(exc: BaseException) -> str:
    """Slack's error code ("ratelimited", "invalid_blocks"), or the exception's kind."""
    response = getattr(exc, "response", None) if isinstance(exc, SlackApiError) else None
    if response is not None:
        error = response.data.get("error") if isinstance(response.data, dict) else None
        return str(error or f"HTTP {response.status_code}")
    return type(exc).__name__


class Outbox:
    """Sends replies, notes and Web API calls for one Slack adapter."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    async def replies(
        self,
        client: AsyncWebClient,
        channel: str,
        owner: str,
        replies: list[Reply],
        *,
        key: str,
        thread: str | None = None,
    ) -> None:
        """A turn's replies, as few Slack messages as they make (`blocks.turn_messages`), in
        `thread` when the person wrote in one."""
        for message in blocks.turn_messages(replies, owner=owner):
            await self.message(client, channel, message, key=key, thread=thread)

    async def message(
        self, client: AsyncWebClient, channel: str, message: blocks.Message, *, key: str, thread: str | None
    ) -> bool:
        where: dict[str, Any] = {"channel": channel, "thread_ts": thread, "unfurl_links": False}
        try:
            await client.chat_postMessage(**where, **message.args)
            return True
        except SENDING_FAILED as exc:
            first = error_of(exc)
        try:
            await client.chat_postMessage(**where, **message.plain())
        except SENDING_FAILED as exc:
            why = f"chat.postMessage {first}, then as plain text {error_of(exc)}"
            report_undelivered(self.engine, PLATFORM, key, message.replies, why)
            return False
        log.warning(
            "slack chat.postMessage refused a message (%s) for conversation %s: sent as plain text",
            first,
            conversation_id(key),
        )
        return True

    async def note(
        self,
        client: AsyncWebClient,
        channel: str,
        sentence: str,
        *,
        only_for: str | None = None,
        thread: str | None = None,
    ) -> None:
        """One short sentence from the dialog; `only_for` a user makes it ephemeral ("only
        visible to you"), which is how anything about a person is said in a shared channel."""
        message = {"text": blocks.fallback(sentence), "blocks": [blocks.section(blocks.escape(sentence))]}
        if only_for is not None:
            await self.call(
                client.chat_postEphemeral, channel=channel, user=only_for, thread_ts=thread, **message
            )
        else:
            await self.call(client.chat_postMessage, channel=channel, thread_ts=thread, **message)

    async def open_dm(self, client: AsyncWebClient, user: str) -> str | None:
        """The DM channel with `user` (conversations.open), or None when Slack refuses it."""
        response = await self.call(client.conversations_open, users=user)
        channel = (response or {}).get("channel") or {}
        return channel.get("id")

    async def call(self, method: Any, **kwargs: Any) -> Any:
        """A Web API call whose failure (after the client's retries) is logged by method and
        error code, never by content; returns the response, or None when it failed."""
        try:
            return await method(**kwargs)
        except SENDING_FAILED as exc:
            where = kwargs.get("channel") or kwargs.get("user_id") or "-"
            log.error(
                "slack %s failed: %s (channel %s)",
                method.__name__,
                error_of(exc),
                conversation_id(str(where)),
            )
            return None

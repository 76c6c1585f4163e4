"""Sending a turn's replies to Discord without ever losing one quietly.

discord.py already waits out a 429 (it reads `retry_after` and tries again, up to five times)
and retries Discord's 500, 502, 504 and 524. What it still cannot send raises, and then:

1. the message is sent once more as plain text (no embed, no buttons; the answers numbered,
   so typing the number still answers in a DM);
2. a message that cannot be delivered even so is logged at ERROR with the conversation's log
   id and counted in /metrics (`adapters.delivery.report_undelivered`).

A DM refused by the person's privacy settings (403, code 50007) is not a delivery failure: it
is raised to the caller, which carries the check on privately in the server instead.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Any

import aiohttp
import discord

from adapters.delivery import report_undelivered
from adapters.discord.layout import NO_MENTIONS, Outgoing, turn_layout
from bot.engine import Engine, conversation_id
from bot.messages import Reply

log = logging.getLogger(__name__)

PLATFORM = "discord"
CANNOT_DM = 50007
"""Discord's error code for a DM the person's privacy settings refuse."""

Send = Callable[..., Awaitable[Any]]
SENDING_FAILED = (discord.HTTPException, aiohttp.ClientError, asyncio.TimeoutError)


def error_of(exc: BaseException) -> str:
    if isinstance(exc, discord.HTTPException):
        return f"HTTP {exc.status}, code {exc.code}"
    return type(exc).__name__


class Sender:
    """Sends replies for one Discord client."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    async def replies(self, send: Send, replies: list[Reply], *, key: str) -> list[Any]:
        """A turn's replies, one message per turn where they fit (`turn_layout`); returns the
        messages Discord created (those sent as plain text included)."""
        sent = []
        for outgoing in turn_layout(replies):
            message = await self.message(send, outgoing, key=key)
            if message is not None:
                sent.append(message)
        return sent

    async def message(self, send: Send, outgoing: Outgoing, *, key: str) -> Any | None:
        try:
            return await send(**outgoing.kwargs())
        except discord.Forbidden as exc:
            if exc.code == CANNOT_DM:
                raise
            first = error_of(exc)
        except SENDING_FAILED as exc:
            first = error_of(exc)
        try:
            sent = [await send(content=chunk, allowed_mentions=NO_MENTIONS) for chunk in outgoing.plain()]
        except SENDING_FAILED as exc:
            why = f"refused ({first}), then as plain text ({error_of(exc)})"
            report_undelivered(self.engine, PLATFORM, key, outgoing.replies, why)
            return None
        log.warning(
            "discord refused a message (%s) for conversation %s: sent as plain text",
            first,
            conversation_id(key),
        )
        return sent[0]

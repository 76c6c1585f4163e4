"""Each person's language as Slack knows it, for `Incoming.locale`.

Slack's events carry no locale; `users.info` with `include_locale=true` does (needs the
`users:read` scope). One call per person per hour at most: the answers are kept in a bounded
cache with a time to live, and a failed lookup (an older install without `users:read`, a
hiccup) is remembered briefly as "unknown" so it is not retried on every message.
"""

from __future__ import annotations

import logging
import time
from typing import Any

from cachetools import TLRUCache
from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack.send import SENDING_FAILED, error_of

log = logging.getLogger(__name__)

KNOWN_SECONDS = 60 * 60
"""How long a looked-up locale is trusted (people rarely change their Slack language)."""
UNKNOWN_SECONDS = 5 * 60
"""How long a failed lookup waits before the next try."""
MAX_PEOPLE = 10_000


class Locales:
    """The locale of (workspace, user), looked up with users.info and cached."""

    def __init__(self, *, size: int = MAX_PEOPLE, timer: Any = time.monotonic) -> None:
        self._cache: TLRUCache[tuple[str, str], tuple[str | None, bool]] = TLRUCache(
            maxsize=size, ttu=_time_to_use, timer=timer
        )
        self.lookups = 0
        """users.info calls made (tests read it)."""

    async def of(self, client: AsyncWebClient, team: str | None, user: str) -> str | None:
        """The person's BCP 47 locale ("en-US"), or None when Slack does not say."""
        key = (team or "-", user)
        cached = self._cache.get(key)
        if cached is not None:
            return cached[0]
        self.lookups += 1
        try:
            response = await client.users_info(user=user, include_locale=True)
        except SENDING_FAILED as exc:
            log.info("slack users.info gave no locale: %s", error_of(exc))
            self._cache[key] = (None, False)
            return None
        locale = bcp47((response.get("user") or {}).get("locale"))
        self._cache[key] = (locale, True)
        return locale


def _time_to_use(_key: object, value: tuple[str | None, bool], now: float) -> float:
    return now + (KNOWN_SECONDS if value[1] else UNKNOWN_SECONDS)


def bcp47(locale: object) -> str | None:
    """Slack's "en-US" as is; "en_US" made "en-US"; anything else None."""
    if not isinstance(locale, str) or not locale.strip():
        return None
    return locale.strip().replace("_", "-")

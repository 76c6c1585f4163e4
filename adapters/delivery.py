"""What every adapter does with a reply the platform would not take: say so loudly, once.

A reply that is lost after the platform client's own retries and the adapter's plain-text retry
may be an emergency result, so it is logged at ERROR with the conversation's log id (never the
text) and counted in `/metrics` (`kneebot_undelivered_replies_total`), where an alert can see it.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

from bot.engine import Engine, conversation_id
from bot.messages import Reply
from bot.metrics import metrics_for

log = logging.getLogger(__name__)


def kind_of(replies: Iterable[Reply]) -> str:
    """The weightiest kind among replies sent as one message: a result, else a question."""
    kinds = {reply.kind for reply in replies}
    return next((kind for kind in ("result", "question") if kind in kinds), "message")


def report_undelivered(engine: Engine, platform: str, key: str, replies: Iterable[Reply], why: str) -> None:
    """Log and count one message of replies that could not be delivered. `why` names the
    platform's error codes only."""
    kind = kind_of(replies)
    log.error("%s could not deliver a %s to conversation %s: %s", platform, kind, conversation_id(key), why)
    metrics_for(engine).undelivered.labels(platform=platform, kind=kind).inc()

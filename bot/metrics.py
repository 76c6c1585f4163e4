"""Prometheus metrics for the engine: what the bot does, counted, without who or what was said.

`Metrics.observe` is an engine observer: it reads a `TurnRecord` (ids and labels only) after
every turn. Every label value comes from a small fixed set (platform names, engine event
names, the dialog's own cause, urgency and red-flag ids), so the series stay few and nothing
here can name a person: the conversation id in the record is deliberately never used.

Each `Metrics` owns its own `CollectorRegistry` rather than prometheus_client's global one, so
several engines in one process (tests, benchmarks) never collide or double count.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Histogram,
    PlatformCollector,
    ProcessCollector,
    generate_latest,
)
from prometheus_client.exposition import choose_encoder

if TYPE_CHECKING:
    from bot.engine import Engine, TurnRecord

NAMESPACE = "kneebot"

ERROR_EVENTS = ("error", "store_unavailable")
"""Engine events that mean a turn failed; each is answered with an apology, never silence."""

LATENCY_BUCKETS = (0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0)
"""A turn is well under a millisecond in memory and a few with SQLite or Redis; the top buckets
catch a store in trouble."""

UNDELIVERED_PLATFORMS = ("slack", "discord")
REPLY_KINDS = ("result", "question", "message")

_NONE = "none"


class Metrics:
    """Counters and a latency histogram fed by engine turns, served in Prometheus text format."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        ProcessCollector(registry=self.registry)
        PlatformCollector(registry=self.registry)
        self.turns = Counter(
            "turns",
            "Turns handled, by platform and engine event (start, answer, result, help, ...).",
            ["platform", "event"],
            namespace=NAMESPACE,
            registry=self.registry,
        )
        self.started = Counter(
            "conversations_started",
            "Conversations started (a greeting and the first question, or an immediate red flag), by "
            "platform and the language the check is held in.",
            ["platform", "language"],
            namespace=NAMESPACE,
            registry=self.registry,
        )
        self.finished = Counter(
            "conversations_finished",
            "Conversations that reached a result, by outcome: cause, unclear or red_flag.",
            ["platform", "outcome"],
            namespace=NAMESPACE,
            registry=self.registry,
        )
        self.results = Counter(
            "results",
            "Results shown, by kind, best-fitting cause (none for red flags) and urgency.",
            ["kind", "cause", "urgency"],
            namespace=NAMESPACE,
            registry=self.registry,
        )
        self.red_flags = Counter(
            "red_flags",
            "Red flags raised (from a question or mentioned in passing), by red flag and urgency.",
            ["red_flag", "urgency"],
            namespace=NAMESPACE,
            registry=self.registry,
        )
        self.errors = Counter(
            "errors",
            "Turns that failed: error (a bug, logged with its traceback) or store_unavailable.",
            ["kind"],
            namespace=NAMESPACE,
            registry=self.registry,
        )
        for kind in ERROR_EVENTS:  # present at zero, so an alert on rate() works from the start
            self.errors.labels(kind=kind)
        self.undelivered = Counter(
            "undelivered_replies",
            "Replies a platform would not take even after its retries and a plain-text retry, by "
            "platform and reply kind (result, question, message); each is logged at ERROR.",
            ["platform", "kind"],
            namespace=NAMESPACE,
            registry=self.registry,
        )
        for platform in UNDELIVERED_PLATFORMS:  # at zero from the start, for alerts
            for kind in REPLY_KINDS:
                self.undelivered.labels(platform=platform, kind=kind)
        self.latency = Histogram(
            "turn_seconds",
            "Time to handle one turn: lock, load, step, save.",
            ["platform"],
            namespace=NAMESPACE,
            registry=self.registry,
            buckets=LATENCY_BUCKETS,
        )

    def observe(self, record: TurnRecord) -> None:
        """The engine observer: count one turn. Pass `observers=[metrics.observe]`."""
        self.turns.labels(platform=record.platform, event=record.event).inc()
        self.latency.labels(platform=record.platform).observe(record.seconds)
        if record.event in ERROR_EVENTS:
            self.errors.labels(kind=record.event).inc()
        if record.started:
            self.started.labels(platform=record.platform, language=record.language).inc()
        if record.result_kind is not None:
            urgency = record.urgency or _NONE
            self.finished.labels(platform=record.platform, outcome=record.result_kind).inc()
            self.results.labels(kind=record.result_kind, cause=record.cause or _NONE, urgency=urgency).inc()
            if record.red_flag:
                self.red_flags.labels(red_flag=record.red_flag, urgency=urgency).inc()

    def render(self, accept: str | None = None) -> tuple[bytes, str]:
        """The exposition body and its content type, in the format the scraper asked for."""
        if accept:
            encoder, content_type = choose_encoder(accept)
            return encoder(self.registry), content_type
        return generate_latest(self.registry), CONTENT_TYPE_LATEST


def metrics_for(engine: Engine) -> Metrics:
    """The `Metrics` observing `engine`, attaching a new one if it has none yet.

    Adapters receive only the engine (`run_slack(settings, engine)`); this is how they reach the
    metrics `kneebot` attached when it built the engine, without a second registry.
    """
    for observer in engine.observers:
        owner = getattr(observer, "__self__", None)
        if isinstance(owner, Metrics):
            return owner
    metrics = Metrics()
    engine.observers.append(metrics.observe)
    return metrics

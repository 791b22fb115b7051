"""What one process did, for ``GET /metrics`` in Prometheus's text format.

A registry per process (never the library's global one), so several applications in one
test process do not share counters and each webhook worker reports its own; Prometheus sums
the workers. Counters only move where the thing happened: an update handled by this
process, a message this process's sender delivered, a digest this process claimed.
"""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.exposition import CONTENT_TYPE_LATEST
from telegram import Update

CONTENT_TYPE = CONTENT_TYPE_LATEST
UPDATE_KINDS = (
    "message",
    "edited_message",
    "callback_query",
    "channel_post",
    "edited_channel_post",
    "my_chat_member",
    "chat_member",
)


def update_kind(update: Update) -> str:
    """The kind of an update by the field it carries (``other`` for the rarer ones)."""
    for kind in UPDATE_KINDS:
        if getattr(update, kind, None) is not None:
            return kind
    return "other"


def kind_of(data: object) -> str:
    """The kind of an update from its JSON, without parsing it."""
    if isinstance(data, dict):
        for kind in UPDATE_KINDS:
            if kind in data:
                return kind
    return "other"


class Metrics:
    """The counters and the handling-time histogram of one process."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        r = self.registry
        self.updates = Counter(
            "copro_updates_handled", "Telegram updates handled, by kind", ["kind"], registry=r
        )
        self.handling_seconds = Histogram(
            "copro_update_handling_seconds",
            "Time from receiving an update to its commit",
            buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0),
            registry=r,
        )
        self.outbox_sent = Counter("copro_outbox_sent", "Outbox messages sent", registry=r)
        self.outbox_retried = Counter(
            "copro_outbox_retried", "Outbox sends that failed and will be retried", registry=r
        )
        self.outbox_failed = Counter(
            "copro_outbox_failed", "Outbox messages given up (refused or out of tries)", registry=r
        )
        self.outbox_blocked = Counter(
            "copro_outbox_blocked", "Sends refused because the chat blocked the bot", registry=r
        )
        self.rate_limited = Counter(
            "copro_telegram_429", "429 Too Many Requests answers from Telegram", registry=r
        )
        self.digests_sent = Counter(
            "copro_digests_sent", "Digest periods this process claimed and owed", registry=r
        )
        self.reminders_sent = Counter(
            "copro_reminders_sent", "Reminders this process claimed and owed", registry=r
        )
        self.interviews_started = Counter(
            "copro_interviews_started", "Interviews begun", registry=r
        )
        self.interviews_submitted = Counter(
            "copro_interviews_submitted", "Interviews sent to staff", registry=r
        )
        for kind in (*UPDATE_KINDS, "other"):
            self.updates.labels(kind=kind)  # every kind shows, at 0 until it happens

    def observe_update(self, update: Update, seconds: float) -> None:
        self.observe_kind(update_kind(update), seconds)

    def observe_kind(self, kind: str, seconds: float) -> None:
        self.updates.labels(kind=kind).inc()
        self.handling_seconds.observe(seconds)

    def render(self) -> bytes:
        return generate_latest(self.registry)

"""Baton's Prometheus metrics, served at ``/metrics`` by each server (``infra/ops.py``).

Each process counts what it does itself; Prometheus scrapes every replica and sums them
(``sum(rate(baton_turns_total[5m]))``). The names:

==================================== ========= =================================================
``baton_turns_total``                counter   customer messages handled by the Rasa server, by
                                               channel and outcome (``ok`` / ``error``)
``baton_turn_seconds``               histogram time from a message's arrival to the bot's
                                               answer being ready, by channel
``baton_webhook_rejections_total``   counter   channel webhooks refused (bad signature, replay,
                                               malformed), by channel and HTTP status
``baton_actions_total``              counter   custom actions run by the action server, by
                                               action and outcome
``baton_action_seconds``             histogram how long each custom action took
``baton_handoffs_open``              gauge     open handoffs by status (``waiting``,
                                               ``active``), read from the handoff database at
                                               scrape time, so every replica reports the truth
``baton_handoff_oldest_wait_seconds`` gauge    how long the longest-waiting customer has waited
``baton_handoff_queue_wait_seconds`` histogram from handoff to an agent claiming it
==================================== ========= =================================================

Labels hold only bounded, non-personal values (channel names, action names, statuses).
"""

from __future__ import annotations

from datetime import datetime
from typing import Optional

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    disable_created_metrics,
    generate_latest,
)

# ``*_created`` timestamps double the series and nothing here reads them.
disable_created_metrics()

#: Turns are mostly tens of milliseconds, up to seconds under load.
TURN_BUCKETS = (0.01, 0.025, 0.05, 0.075, 0.1, 0.15, 0.25, 0.5, 0.75, 1, 2, 5, 10, 30)
#: Customers wait seconds to many minutes for an agent.
QUEUE_BUCKETS = (5, 15, 30, 60, 120, 300, 600, 1200, 1800, 3600, 7200, 14400)

TURNS = Counter(
    "baton_turns", "Customer messages handled by the Rasa server", ["channel", "outcome"]
)
TURN_SECONDS = Histogram(
    "baton_turn_seconds",
    "Seconds from a customer message's arrival to the bot's answer",
    ["channel"],
    buckets=TURN_BUCKETS,
)
WEBHOOK_REJECTIONS = Counter(
    "baton_webhook_rejections",
    "Channel webhook requests refused (signature, replay, malformed)",
    ["channel", "status"],
)
ACTIONS = Counter("baton_actions", "Custom actions run", ["action", "outcome"])
ACTION_SECONDS = Histogram(
    "baton_action_seconds", "Seconds a custom action took", ["action"], buckets=TURN_BUCKETS
)
SHOP_CALLS = Counter(
    "baton_shop_calls",
    "Calls to the commerce platform (Shopify, WooCommerce) by outcome: ok, not_found, or why "
    "it could not be reached (down, timeout, rate_limited, unauthorized, bad_response)",
    ["backend", "operation", "outcome"],
)
SHOP_CALL_SECONDS = Histogram(
    "baton_shop_call_seconds",
    "Seconds a call to the commerce platform took",
    ["backend", "operation"],
    buckets=TURN_BUCKETS,
)
SHOP_CACHE = Counter(
    "baton_shop_cache",
    "Order reads served from Baton's fresh copy (hit) or read from the platform (miss)",
    ["backend", "result"],
)
SHOP_WEBHOOKS = Counter(
    "baton_shop_webhooks",
    "Order webhooks from the commerce platform by outcome (invalidated, unknown, rejected)",
    ["platform", "outcome"],
)
NLU_WORKERS_READY = Gauge(
    "baton_nlu_workers_ready", "NLU worker processes with the model loaded (bot/nlu_workers.py)"
)
OUTBOX_DEAD_LETTERS = Counter(
    "baton_outbox_dead_letters",
    "Customer messages to an agent the outbox gave up on (kept in baton_handoff_outbox_dead)",
    ["reason"],
)
HANDOFFS_OPEN = Gauge("baton_handoffs_open", "Open handoffs by status", ["status"])
HANDOFF_OLDEST_WAIT = Gauge(
    "baton_handoff_oldest_wait_seconds", "Seconds the longest-waiting customer has waited"
)
QUEUE_WAIT = Histogram(
    "baton_handoff_queue_wait_seconds",
    "Seconds from handoff to an agent claiming the conversation",
    buckets=QUEUE_BUCKETS,
)

#: Channel names used as label values; anything else is counted as "other".
KNOWN_CHANNELS = frozenset(
    {"socketio", "webchat", "whatsapp", "slack", "rest", "relay", "cmdline", "other"}
)


def channel_label(name: Optional[str]) -> str:
    """A bounded label value: a caller cannot create a time series per forged channel name."""
    value = (name or "other").lower()
    return value if value in KNOWN_CHANNELS else "other"


def observe_queue_wait(created_at: datetime, claimed_at: datetime) -> None:
    """Record how long a customer waited for an agent (called once, when a ticket is claimed)."""
    QUEUE_WAIT.observe(max(0.0, (claimed_at - created_at).total_seconds()))


def exposition(registry: CollectorRegistry = REGISTRY) -> tuple[bytes, str]:
    """The text format Prometheus scrapes, and its content type."""
    return generate_latest(registry), CONTENT_TYPE_LATEST

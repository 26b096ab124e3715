"""A few weeks of believable support history, so a fresh ``make run`` dashboard shows something.

Written where Baton really keeps it — Rasa events in the tracker store, tickets, agent
messages and ratings in the handoff database — in the same shapes the bot and the handoff
service write, so the dashboard, ``make report``, the NLU inbox and the console read it like
any other history.

* **Deterministic**: the same anchor day gives the same history (a fixed random seed).
* **Anchor-relative**: the history covers the ``days`` days before the anchor (today by
  default), so it always looks current; nothing is dated today or later, so live traffic
  (and the handoff service's waiting estimate, which looks at recent claims) is untouched.
* **Idempotent**: conversation ids start with ``demo-history-``; when the tracker store
  already holds them, nothing is written.

The events are written by :mod:`analytics.seed_events`, the cases for a person by
:mod:`analytics.seed_handoff`.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone
from typing import Any, Optional

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from analytics.events_index import ensure_analytics_index
from analytics.scenarios import Script, random_script
from analytics.seed_events import SeedEvents
from analytics.seed_handoff import AGENTS, SeedTicket, handoff_case, seed_agents
from bot import names
from handoff.hours import BusinessHours
from handoff.store import tables as h
from handoff.store.migrations import MIGRATIONS as HANDOFF_MIGRATIONS
from infra.events_table import events as events_table
from infra.events_table import metadata as events_metadata
from infra.migrations import upgrade_connection

__all__ = ["AGENTS", "DAILY", "DEFAULT_DAYS", "PREFIX", "Written", "seed_history", "write_history"]

PREFIX = "demo-history-"
SEED = 20261122
DEFAULT_DAYS = 28
# Conversations per weekday (Monday first) on each channel, before a gentle growth trend.
DAILY = {
    "webchat": (34, 31, 30, 29, 27, 22, 18),
    "whatsapp": (20, 18, 18, 17, 19, 16, 14),
    "slack": (9, 9, 8, 8, 7, 2, 1),
}
# When customers write (hour of day, UTC, weights): WhatsApp stays busy into the evening.
HOURS = {
    "webchat": [0, 0, 0, 0, 0, 0, 1, 2, 4, 6, 7, 7, 8, 8, 7, 7, 6, 6, 6, 6, 5, 4, 2, 1],
    "whatsapp": [1, 0, 0, 0, 0, 0, 1, 2, 3, 5, 6, 6, 7, 6, 6, 6, 6, 6, 5, 5, 4, 3, 2, 1],
    "slack": [0, 0, 0, 0, 0, 0, 0, 1, 4, 8, 9, 9, 7, 8, 9, 8, 7, 4, 1, 0, 0, 0, 0, 0],
}
NAMES = (
    "Olivia Brown",
    "Noah Wilson",
    "Aoife Kelly",
    "Harry Evans",
    "Isla Thomas",
    "Jack Walsh",
    "Sophie Clarke",
    "Oscar Hughes",
    "Ji-woo Park",
    "Wei Zhang",
    "Freya Green",
    "Cian Byrne",
)


@dataclass
class Written:
    conversations: int = 0
    events: int = 0
    tickets: int = 0
    created: bool = False
    by_channel: dict[str, int] = field(default_factory=dict)


def _channel_user(channel: str, n: int, rng: random.Random) -> tuple[str, Optional[str]]:
    """A (channel user id, display name) of the fake kind every demo uses."""
    if channel == "whatsapp":
        return f"whatsapp:+447700{900000 + n % 100000:06d}", rng.choice(NAMES)
    if channel == "slack":
        return f"T0DEMO:U{n:07d}", rng.choice(NAMES)
    return f"{PREFIX}webchat-{n:05d}", None


def conversation(
    n: int,
    channel: str,
    start: float,
    rng: random.Random,
    hours: BusinessHours,
    agents: list[tuple[int, str]],
    with_context: bool = True,
) -> tuple[SeedEvents, Optional[SeedTicket], Script]:
    """One conversation's events (and its ticket, if it reached a person)."""
    language, script = random_script(channel, rng)
    sender = f"{PREFIX}{channel}-{n:05d}"
    user_id, display = _channel_user(channel, n, rng)
    meta: dict[str, Any] = {"channel": channel, "channel_user_id": user_id, "display_name": display}
    ev = SeedEvents(sender, channel, meta, rng)
    ts = start
    ev.action(ts, names.ACTION_SESSION_START)
    ev.add({"event": "session_started", "timestamp": ts})
    ev.slot(ts, names.SLOT_CHANNEL, channel)
    if language != "en":
        ev.slot(ts, names.SLOT_LANGUAGE, language)
    ev.action(ts, "action_listen")
    ticket: Optional[SeedTicket] = None
    for say in script.turns:
        ts += rng.uniform(4, 40)
        ev.user(ts, say.text, say.intent, say.confidence)
        for name, value in say.slots:
            if name == names.SLOT_HANDOFF_REASON:
                continue
            ev.slot(ts + 0.2, name, value)
        for action, text in say.actions:
            ts += rng.uniform(0.2, 0.9)
            ev.action(ts, action)
            if text:
                ev.bot(ts, text, action if action.startswith("utter_") else None)
        ev.action(ts, "action_listen")
    if script.handoff:
        ticket, ts = handoff_case(ev, script, ts, rng, hours, agents, n, display, with_context)
    return ev, ticket, script


def _already_seeded(tracker: Engine) -> bool:
    with tracker.connect() as conn:
        return (
            conn.execute(
                sa.select(events_table.c.id)
                .where(events_table.c.sender_id.like(f"{PREFIX}%"))
                .limit(1)
            ).first()
            is not None
        )


def _start_times(channel: str, day: date, count: int, rng: random.Random) -> list[float]:
    midnight = datetime.combine(day, time(), tzinfo=timezone.utc).timestamp()
    hours = rng.choices(range(24), HOURS[channel], k=count)
    return sorted(midnight + hour * 3600 + rng.uniform(0, 3599) for hour in hours)


def write_history(
    tracker: Engine,
    handoff: Engine,
    anchor: date,
    days: int = DEFAULT_DAYS,
    scale: float = 1.0,
    business_hours: Optional[BusinessHours] = None,
    with_context: bool = True,
) -> Written:
    """Write ``days`` days of history before ``anchor``; ``scale`` multiplies the volume."""
    hours = business_hours or BusinessHours.parse("mon-sat 09:00-18:00", "Europe/London")
    events_metadata.create_all(tracker)
    # the handoff service's own migrations, not create_all: a schema made here from today's
    # tables would be adopted as revision 0001 by the service and upgraded again on start
    with handoff.begin() as conn:
        upgrade_connection(conn, HANDOFF_MIGRATIONS)
    written = Written(created=True)
    rng = random.Random(SEED)
    with handoff.begin() as hconn, tracker.begin() as tconn:
        agents = seed_agents(hconn, datetime.combine(anchor - timedelta(days=days + 1), time()))
        n = 0
        cutoff = datetime.combine(anchor, time(), tzinfo=timezone.utc).timestamp()
        for back in range(days, 0, -1):
            day = anchor - timedelta(days=back)
            growth = 1 + 0.25 * (days - back) / max(days, 1)
            for channel, per_day in DAILY.items():
                mean = per_day[day.weekday()] * growth * scale
                count = max(0, round(mean * rng.uniform(0.85, 1.15)))
                rows: list[dict[str, Any]] = []
                tickets: list[SeedTicket] = []
                for start in _start_times(channel, day, count, rng):
                    n += 1
                    for _try in range(5):
                        ev, ticket, _ = conversation(
                            n, channel, start, rng, hours, agents, with_context
                        )
                        # A weekend-evening handoff is answered on Monday: when that would
                        # be the anchor day or later, the customer had another conversation.
                        if max(e["timestamp"] for e in ev.events) < cutoff:
                            break
                    else:
                        # started seconds before the anchor day and can't end before it
                        continue
                    rows.extend(ev.rows())
                    if ticket is not None:
                        tickets.append(ticket)
                if rows:
                    tconn.execute(sa.insert(events_table), rows)
                for ticket in tickets:
                    ticket_id = hconn.execute(
                        sa.insert(h.tickets).values(**ticket.row)
                    ).inserted_primary_key[0]
                    hconn.execute(
                        sa.insert(h.messages),
                        [{**m, "ticket_id": ticket_id} for m in ticket.messages],
                    )
                written.events += len(rows)
                written.conversations += count
                written.tickets += len(tickets)
                written.by_channel[channel] = written.by_channel.get(channel, 0) + count
    return written


def seed_history(
    tracker_url: str,
    handoff_url: str,
    anchor: Optional[date] = None,
    days: int = DEFAULT_DAYS,
    business_hours: Optional[BusinessHours] = None,
) -> Written:
    """The demo history before ``anchor`` (today), unless the tracker store already has it."""
    tracker = sa.create_engine(tracker_url, future=True)
    handoff = sa.create_engine(handoff_url, future=True)
    try:
        events_metadata.create_all(tracker)
        if _already_seeded(tracker):
            ensure_analytics_index(tracker)
            return Written()
        written = write_history(
            tracker,
            handoff,
            anchor or datetime.now(timezone.utc).date(),
            days,
            business_hours=business_hours,
        )
        # after the bulk write (cheaper than growing the indexes row by row), so the
        # dashboard's first read on a fresh ``make run`` reads them
        ensure_analytics_index(tracker)
        return written
    finally:
        tracker.dispose()
        handoff.dispose()

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
"""

from __future__ import annotations

import json
import random
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone
from typing import Any, Optional

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from actions.services import context
from analytics.events_index import ensure_analytics_index
from analytics.scenarios import Script, random_script
from bot import names
from contracts.packet import ContextPacket, build_packet
from handoff.domain import CLOSED, reason_text
from handoff.hours import BusinessHours
from handoff.store import tables as h
from infra.events_table import events as events_table
from infra.events_table import metadata as events_metadata

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
AGENTS = (
    ("amara", "Amara Okafor"),
    ("tom", "Tom Reilly"),
    ("mei", "Mei Chen"),
)
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
RATING_ODDS = {"webchat": 0.72, "whatsapp": 0.63, "slack": 0.5}
AGENT_LINES = (
    "Hi, I'm {agent} from the Lumen & Loom team. I've read your conversation, so no need to "
    "repeat anything.",
    "Thanks for waiting. I'm checking this with our warehouse now.",
    "I've sorted that for you: you'll get a confirmation e-mail shortly.",
    "Is there anything else I can help you with today?",
)
CUSTOMER_LINES = (
    "ok thanks",
    "great, that's helpful",
    "how long will that take?",
    "thank you so much",
)


@dataclass
class Written:
    conversations: int = 0
    events: int = 0
    tickets: int = 0
    created: bool = False
    by_channel: dict[str, int] = field(default_factory=dict)


class _Events:
    """Rasa event dicts, as ``Event.as_dict()`` writes them, and their tracker-store rows."""

    def __init__(self, sender_id: str, channel: str, meta: dict[str, Any], rng: random.Random):
        self.sender_id = sender_id
        self.channel = channel
        self.meta = meta
        self.rng = rng
        self.events: list[dict[str, Any]] = []

    def add(self, event: dict[str, Any]) -> None:
        self.events.append(event)

    def action(self, ts: float, name: str) -> None:
        self.add(
            {
                "event": "action",
                "timestamp": ts,
                "metadata": {},
                "name": name,
                "policy": "RulePolicy",
                "confidence": 1.0,
                "action_text": None,
                "hide_rule_turn": False,
            }
        )

    def bot(self, ts: float, text: str, utter: Optional[str], agent: Optional[str] = None) -> None:
        meta: dict[str, Any] = {"agent_name": agent} if agent else {}
        if utter:
            meta["utter_action"] = utter
        self.add({"event": "bot", "timestamp": ts, "metadata": meta, "text": text, "data": {}})

    def slot(self, ts: float, name: str, value: Any) -> None:
        self.add({"event": "slot", "timestamp": ts, "name": name, "value": value})

    def user(self, ts: float, text: str, intent: str, confidence: float) -> None:
        ranking = [{"name": intent, "confidence": confidence}]
        if intent == names.NLU_FALLBACK:
            ranking.append({"name": names.OUT_OF_SCOPE, "confidence": round(confidence * 0.8, 3)})
        message_id = uuid.UUID(int=self.rng.getrandbits(128)).hex
        self.add(
            {
                "event": "user",
                "timestamp": ts,
                "metadata": dict(self.meta),
                "text": text,
                "parse_data": {
                    "intent": {"name": intent, "confidence": confidence},
                    "entities": [],
                    "text": text,
                    "message_id": message_id,
                    "metadata": dict(self.meta),
                    "intent_ranking": ranking,
                },
                "input_channel": self.channel,
                "message_id": message_id,
            }
        )

    def rows(self) -> Iterator[dict[str, Any]]:
        for event in self.events:
            parse = event.get("parse_data") or {}
            yield {
                "sender_id": self.sender_id,
                "type_name": event["event"],
                "timestamp": event["timestamp"],
                "intent_name": (parse.get("intent") or {}).get("name"),
                "action_name": event.get("name"),
                "data": json.dumps(event),
            }


def _utc(ts: float) -> datetime:
    return datetime.fromtimestamp(ts, timezone.utc).replace(tzinfo=None)


def _channel_user(channel: str, n: int, rng: random.Random) -> tuple[str, Optional[str]]:
    """A (channel user id, display name) of the fake kind every demo uses."""
    if channel == "whatsapp":
        return f"whatsapp:+447700{900000 + n % 100000:06d}", rng.choice(NAMES)
    if channel == "slack":
        return f"T0DEMO:U{n:07d}", rng.choice(NAMES)
    return f"{PREFIX}webchat-{n:05d}", None


def _rating(rng: random.Random, reason: str, waited: float) -> int:
    weights = [4, 6, 12, 33, 45]
    if reason == "complaint":
        weights = [14, 14, 22, 28, 22]
    elif reason == "misunderstood":
        weights = [7, 9, 16, 32, 36]
    if waited > 3600:
        weights = [w + bonus for w, bonus in zip(weights, (10, 8, 6, 0, -10), strict=True)]
    return rng.choices((1, 2, 3, 4, 5), [max(w, 1) for w in weights])[0]


@dataclass
class _Ticket:
    row: dict[str, Any]
    messages: list[dict[str, Any]]


def conversation(
    n: int,
    channel: str,
    start: float,
    rng: random.Random,
    hours: BusinessHours,
    agents: list[tuple[int, str]],
    with_context: bool = True,
) -> tuple[_Events, Optional[_Ticket], Script]:
    """One conversation's events (and its ticket, if it reached a person)."""
    language, script = random_script(channel, rng)
    sender = f"{PREFIX}{channel}-{n:05d}"
    user_id, display = _channel_user(channel, n, rng)
    meta: dict[str, Any] = {"channel": channel, "channel_user_id": user_id, "display_name": display}
    ev = _Events(sender, channel, meta, rng)
    ts = start
    ev.action(ts, names.ACTION_SESSION_START)
    ev.add({"event": "session_started", "timestamp": ts})
    ev.slot(ts, names.SLOT_CHANNEL, channel)
    if language != "en":
        ev.slot(ts, names.SLOT_LANGUAGE, language)
    ev.action(ts, "action_listen")
    ticket: Optional[_Ticket] = None
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
        ticket, ts = _handoff(ev, script, ts, rng, hours, agents, n, display, with_context)
    return ev, ticket, script


def _handoff(
    ev: _Events,
    script: Script,
    ts: float,
    rng: random.Random,
    hours: BusinessHours,
    agents: list[tuple[int, str]],
    n: int,
    display: Optional[str],
    with_context: bool = True,
) -> tuple[_Ticket, float]:
    """The ticket, the agent's replies, the close, the rating question and maybe a rating."""
    reason = script.handoff or "customer_asked"
    opened = ts
    ev.slot(ts, names.SLOT_HANDOFF_TICKET, str(n))
    ev.add({"event": "pause", "timestamp": ts})
    now = _utc(opened)
    after_hours = not hours.is_open(now)
    opening = hours.next_opening(now)
    ready = opening.astimezone(timezone.utc).timestamp() if opening is not None else opened
    claim = max(opened, ready) + rng.lognormvariate(5.0, 0.7)  # median ≈ 2.5 minutes
    first = claim + rng.uniform(20, 90)
    agent_id, agent = rng.choice(agents)
    messages: list[dict[str, Any]] = [
        {
            "kind": "system",
            "agent_id": agent_id,
            "text": f"{agent} took the case",
            "created_at": _utc(claim),
        },
    ]
    at = first
    for i, line in enumerate(AGENT_LINES[: rng.randint(2, 4)]):
        text = line.format(agent=agent.split()[0])
        messages.append(
            {"kind": "agent", "agent_id": agent_id, "text": text, "created_at": _utc(at)}
        )
        ev.bot(at, text, None, agent=agent.split()[0])
        at += rng.uniform(30, 240)
        if i < 2:
            reply = rng.choice(CUSTOMER_LINES)
            messages.append(
                {"kind": "customer", "agent_id": None, "text": reply, "created_at": _utc(at)}
            )
            ev.user(at, reply, names.THANK, 0.9)
            at += rng.uniform(20, 120)
    closed = at + rng.uniform(10, 60)
    messages.append(
        {
            "kind": "system",
            "agent_id": agent_id,
            "text": "Closed: back to the bot",
            "created_at": _utc(closed),
        }
    )
    ev.add({"event": "resume", "timestamp": closed})
    ev.action(closed, names.ACTION_CSAT_RATING)
    ev.bot(closed, "How did we do? Rate us from 1 (poor) to 5 (great).", "utter_ask_csat")
    rating: Optional[int] = None
    rated_at: Optional[float] = None
    if rng.random() < RATING_ODDS.get(ev.channel, 0.6):
        rating = _rating(rng, reason, first - opened)
        rated_at = closed + rng.uniform(5, 90)
        ev.user(rated_at, str(rating), names.RATE, 0.99)
        ev.slot(rated_at, names.SLOT_CSAT_RATING, rating)
        ev.action(rated_at, names.ACTION_CSAT_RATING)
        ev.bot(rated_at, "Thank you for the feedback!", "utter_csat_thanks")
    packet = _packet(ev, reason, opened).to_dict() if with_context else {}
    row = {
        "conversation_id": ev.sender_id,
        "channel": ev.channel,
        "customer_id": None,
        "customer_name": display,
        "reason": reason,
        "status": CLOSED,
        "created_at": _utc(opened),
        "claimed_at": _utc(claim),
        "claimed_by": agent_id,
        "closed_at": _utc(closed),
        "closed_by": agent_id,
        "after_hours": after_hours,
        "context": json.dumps(packet),
        "csat_rating": rating,
        "csat_comment": None,
        "rated_at": _utc(rated_at) if rated_at is not None else None,
    }
    return _Ticket(row, messages), closed


def _packet(ev: _Events, reason: str, opened: float) -> ContextPacket:
    """The context packet the handoff action would have sent (no customer: anonymous)."""
    before = [e for e in ev.events if e["timestamp"] <= opened]
    return build_packet(
        reason=reason,
        reason_text=reason_text(reason),
        conversation=context.conversation_info(ev.sender_id, before, ev.channel, _utc(opened)),
        language=context.language_section("en"),
        transcript=context.transcript(before),
        bot_knows=context.bot_knowledge({}),
        intents=context.recognised_intents(before),
    )


def _agents(conn: Any, now: datetime) -> list[tuple[int, str]]:
    """The seeded team: Slack-only agents (no password), so nobody can log in as them."""
    found = []
    for username, display in AGENTS:
        row = conn.execute(sa.select(h.agents.c.id).where(h.agents.c.username == username)).first()
        if row is None:
            agent_id = conn.execute(
                sa.insert(h.agents).values(
                    username=username, display_name=display, password_hash=None, created_at=now
                )
            ).inserted_primary_key[0]
        else:
            agent_id = row.id
        found.append((int(agent_id), display))
    return found


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
    h.metadata.create_all(handoff)
    written = Written(created=True)
    rng = random.Random(SEED)
    with handoff.begin() as hconn, tracker.begin() as tconn:
        agents = _agents(hconn, datetime.combine(anchor - timedelta(days=days + 1), time()))
        n = 0
        cutoff = datetime.combine(anchor, time(), tzinfo=timezone.utc).timestamp()
        for back in range(days, 0, -1):
            day = anchor - timedelta(days=back)
            growth = 1 + 0.25 * (days - back) / max(days, 1)
            for channel, per_day in DAILY.items():
                mean = per_day[day.weekday()] * growth * scale
                count = max(0, round(mean * rng.uniform(0.85, 1.15)))
                rows: list[dict[str, Any]] = []
                tickets: list[_Ticket] = []
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

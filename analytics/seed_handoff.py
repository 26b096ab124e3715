"""The demo history's cases for a person (:mod:`analytics.seed`): the seeded team, and for a
conversation that reached a person its ticket, the agent's replies, the close, and maybe a
rating — as the handoff service writes them."""

from __future__ import annotations

import json
import random
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any, Optional

import sqlalchemy as sa

from actions.services import context
from analytics.scenarios import Script
from analytics.seed_events import SeedEvents, utc
from bot import names
from contracts.packet import ContextPacket, build_packet
from handoff.domain import CLOSED, reason_text
from handoff.hours import BusinessHours
from handoff.search_keys import search_keys
from handoff.store import tables as h

AGENTS = (
    ("amara", "Amara Okafor"),
    ("tom", "Tom Reilly"),
    ("mei", "Mei Chen"),
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
class SeedTicket:
    row: dict[str, Any]
    messages: list[dict[str, Any]]


def handoff_case(
    ev: SeedEvents,
    script: Script,
    ts: float,
    rng: random.Random,
    hours: BusinessHours,
    agents: list[tuple[int, str]],
    n: int,
    display: Optional[str],
    with_context: bool = True,
) -> tuple[SeedTicket, float]:
    """The ticket, the agent's replies, the close, the rating question and maybe a rating."""
    reason = script.handoff or "customer_asked"
    opened = ts
    ev.slot(ts, names.SLOT_HANDOFF_TICKET, str(n))
    ev.add({"event": "pause", "timestamp": ts})
    now = utc(opened)
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
            "created_at": utc(claim),
        },
    ]
    at = first
    for i, line in enumerate(AGENT_LINES[: rng.randint(2, 4)]):
        text = line.format(agent=agent.split()[0])
        messages.append(
            {"kind": "agent", "agent_id": agent_id, "text": text, "created_at": utc(at)}
        )
        ev.bot(at, text, None, agent=agent.split()[0])
        at += rng.uniform(30, 240)
        if i < 2:
            reply = rng.choice(CUSTOMER_LINES)
            messages.append(
                {"kind": "customer", "agent_id": None, "text": reply, "created_at": utc(at)}
            )
            ev.user(at, reply, names.THANK, 0.9)
            at += rng.uniform(20, 120)
    closed = at + rng.uniform(10, 60)
    messages.append(
        {
            "kind": "system",
            "agent_id": agent_id,
            "text": "Closed: back to the bot",
            "created_at": utc(closed),
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
    typed = _packet(ev, reason, opened) if with_context else None
    packet = typed.to_dict() if typed is not None else {}
    row = {
        "conversation_id": ev.sender_id,
        "channel": ev.channel,
        "customer_id": None,
        "customer_name": display,
        "reason": reason,
        "status": CLOSED,
        "created_at": utc(opened),
        "claimed_at": utc(claim),
        "claimed_by": agent_id,
        "closed_at": utc(closed),
        "closed_by": agent_id,
        "after_hours": after_hours,
        "context": json.dumps(packet),
        # as intake writes it, so the console's search finds demo cases (a WhatsApp number)
        "search_keys": (search_keys(typed) or None) if typed is not None else None,
        "csat_rating": rating,
        "csat_comment": None,
        "rated_at": utc(rated_at) if rated_at is not None else None,
    }
    return SeedTicket(row, messages), closed


def _packet(ev: SeedEvents, reason: str, opened: float) -> ContextPacket:
    """The context packet the handoff action would have sent (no customer: anonymous)."""
    before = [e for e in ev.events if e["timestamp"] <= opened]
    return build_packet(
        reason=reason,
        reason_text=reason_text(reason),
        conversation=context.conversation_info(ev.sender_id, before, ev.channel, utc(opened)),
        language=context.language_section("en"),
        transcript=context.transcript(before),
        bot_knows=context.bot_knowledge({}),
        intents=context.recognised_intents(before),
    )


def seed_agents(conn: Any, now: datetime) -> list[tuple[int, str]]:
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

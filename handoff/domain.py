"""The handoff domain: tickets, messages, agents, and the rules about waiting.

Plain values and functions — no database, no HTTP — so the rules (queue position, the
waiting estimate, what the customer is told) are tested on their own.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import cached_property
from typing import Any, Optional

# The reason codes (REASONS) are part of the context packet's contract.
from contracts.packet import ContextPacket, reason_text

WAITING = "waiting"  # nobody has claimed it yet
ACTIVE = "active"  # an agent has claimed it
CLOSED = "closed"  # given back to the bot
OPEN_STATUSES = (WAITING, ACTIVE)

CUSTOMER = "customer"
AGENT = "agent"
NOTE = "note"  # private: agents only, never relayed
SYSTEM = "system"  # what happened to the ticket (claimed, closed, rated)

# What an agent account may do: every agent works tickets; a lead also sees the analytics.
AGENT_ROLE = "agent"
LEAD_ROLE = "lead"
ROLES = (AGENT_ROLE, LEAD_ROLE)


@dataclass(frozen=True)
class Agent:
    id: int
    username: str
    display_name: str
    slack_user_id: Optional[str] = None
    last_seen_at: Optional[datetime] = None
    role: str = AGENT_ROLE

    @property
    def is_lead(self) -> bool:
        """Leads also see the support analytics (dashboard, ``/api/metrics``)."""
        return self.role == LEAD_ROLE

    def public(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "username": self.username,
            "display_name": self.display_name,
            "role": self.role,
        }


@dataclass(frozen=True)
class Message:
    id: int
    ticket_id: int
    kind: str
    text: str
    created_at: datetime
    agent_id: Optional[int] = None
    agent_name: Optional[str] = None
    delivered: Optional[bool] = None  # agent messages: has the customer got it?
    # Customer messages: the photos and files that came with them (references, checked on
    # receipt by handoff/attachment_refs.py; the console shows them through its own route).
    attachments: tuple[dict[str, Any], ...] = ()

    def public(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "ticket_id": self.ticket_id,
            "kind": self.kind,
            "text": self.text,
            "created_at": iso(self.created_at),
            "agent_id": self.agent_id,
            "agent_name": self.agent_name,
            "delivered": self.delivered,
            "attachments": [dict(a) for a in self.attachments],
        }


@dataclass(frozen=True)
class Ticket:
    id: int
    conversation_id: str
    channel: str
    status: str
    reason: str
    created_at: datetime
    customer_id: Optional[str] = None
    customer_name: Optional[str] = None
    claimed_at: Optional[datetime] = None
    claimed_by: Optional[int] = None
    claimed_by_name: Optional[str] = None
    closed_at: Optional[datetime] = None
    after_hours: bool = False
    csat_rating: Optional[int] = None
    csat_comment: Optional[str] = None
    rated_at: Optional[datetime] = None
    slack_channel: Optional[str] = None
    slack_ts: Optional[str] = None
    context: dict[str, Any] = field(default_factory=dict)  # the packet as stored (JSON)
    team_id: Optional[int] = None  # the team whose queue it is in (handoff/assignment.py)
    team_name: Optional[str] = None
    queued_at: Optional[datetime] = None  # when it last went back into a queue

    @cached_property
    def packet(self) -> ContextPacket:
        """The context packet, typed: what a stored packet of any age holds that can be read
        (``{}`` when the ticket was loaded without it)."""
        return ContextPacket.from_stored(self.context)

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    def summary(self, now: datetime) -> dict[str, Any]:
        """What the queue shows: no transcript, no order details."""
        end = self.claimed_at or now
        return {
            "id": self.id,
            "conversation_id": self.conversation_id,
            "channel": self.channel,
            "status": self.status,
            "reason": self.reason,
            "reason_text": reason_text(self.reason),
            "customer_id": self.customer_id,
            "customer_name": self.customer_name or "Anonymous visitor",
            "created_at": iso(self.created_at),
            "claimed_at": iso(self.claimed_at),
            "claimed_by": self.claimed_by,
            "claimed_by_name": self.claimed_by_name,
            "closed_at": iso(self.closed_at),
            "after_hours": self.after_hours,
            "waited_seconds": max(0, int((end - self.created_at).total_seconds())),
            "csat_rating": self.csat_rating,
            "csat_comment": self.csat_comment,
            "team_id": self.team_id,
            "team_name": self.team_name,
        }


def iso(value: Optional[datetime]) -> Optional[str]:
    return value.isoformat(timespec="seconds") + "Z" if value is not None else None


@dataclass(frozen=True)
class Waiting:
    """What the customer is told when their ticket opens."""

    position: int
    agents_online: int
    open_now: bool
    estimate_minutes: Optional[int]
    next_opening: str
    hours: str

    @property
    def leave_a_message(self) -> bool:
        return not self.open_now or self.agents_online == 0

    def public(self) -> dict[str, Any]:
        return {
            "position": self.position,
            "agents_online": self.agents_online,
            "open_now": self.open_now,
            "estimate_minutes": self.estimate_minutes,
            "next_opening": self.next_opening,
            "business_hours": self.hours,
            "leave_a_message": self.leave_a_message,
        }


def estimate_minutes(
    position: int, agents_online: int, recent_waits_seconds: list[float], default_minutes: float
) -> Optional[int]:
    """Minutes until an agent picks this customer up; ``None`` when nobody is online.

    Each customer ahead (and this one) takes about as long as recent customers waited to
    be claimed (median, so one long lunch break does not skew it), shared between the
    agents online. Never less than a minute: promising "now" and missing it is worse.
    """
    if agents_online <= 0:
        return None
    if recent_waits_seconds:
        ordered = sorted(recent_waits_seconds)
        per_customer = max(ordered[len(ordered) // 2] / 60, 0.5)
    else:
        per_customer = default_minutes
    return max(1, math.ceil(per_customer * position / agents_online))


# --- WhatsApp's 24-hour window ---------------------------------------------------------

WHATSAPP = "whatsapp"
WINDOW = timedelta(hours=24)
#: How the timeline records the platform's refusal and the template (system messages):
#: the window's state is read back from them.
WINDOW_REFUSED = "Not delivered: WhatsApp's 24-hour window is closed"
TEMPLATE_SENT = "Re-opening template sent"
_PLACEHOLDER = re.compile(r"\{\{\s*(\w+)\s*\}\}")


def fill_template(text: str, variables: dict[str, str]) -> str:
    """A template's ``{{1}}``… filled in, as the customer will see it."""
    return _PLACEHOLDER.sub(lambda m: variables.get(m.group(1), m.group(0)), text)


def template_values(ticket: Ticket, shop: str, agent: str) -> dict[str, str]:
    """What Baton can put in a template: never empty (WhatsApp refuses empty variables)."""
    packet = ticket.packet
    customer = packet.customer
    first = (customer.first_name if customer else None) or (
        (ticket.customer_name or "").split(" ")[0] if ticket.customer_name else ""
    )
    order = next((o.number for o in packet.orders if o.number), "")
    return {
        "first_name": first or "there",
        "order_number": order or "-",
        "shop": shop or "our shop",
        "agent": agent or "our team",
    }


def whatsapp_window(
    ticket: Ticket,
    messages: list[Message],
    now: datetime,
    template_configured: bool,
    preview: Optional[str] = None,
) -> Optional[dict[str, Any]]:
    """Whether an agent may still write free-form to a WhatsApp customer (``None``: another
    channel). The customer's last message is the newest one forwarded to this ticket, or the
    handoff itself (the bot hands off right after a customer's message). The window is also
    closed when WhatsApp refused a message after that (our clock and WhatsApp's disagree)."""
    if ticket.channel != WHATSAPP:
        return None
    last_inbound = ticket.created_at
    refused = False
    template_sent_at: Optional[datetime] = None
    for m in messages:  # oldest first
        if m.kind == CUSTOMER:
            last_inbound = max(last_inbound, m.created_at)
            refused, template_sent_at = False, None
        elif m.kind == SYSTEM and m.text.startswith(WINDOW_REFUSED):
            refused = True
        elif m.kind == SYSTEM and m.text.startswith(TEMPLATE_SENT):
            template_sent_at = m.created_at
    age = now - last_inbound
    return {
        "open": age < WINDOW and not refused,
        "hours_since_last": max(0, int(age.total_seconds() // 3600)),
        "last_inbound_at": iso(last_inbound),
        "refused_by_whatsapp": refused,
        "template_configured": template_configured,
        "template_preview": preview,
        "template_sent_at": iso(template_sent_at),
    }

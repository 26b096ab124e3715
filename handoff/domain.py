"""The handoff domain: tickets, messages, agents, and the rules about waiting.

Plain values and functions — no database, no HTTP — so the rules (queue position, the
waiting estimate, what the customer is told) are tested on their own.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import datetime
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

"""Handoff rules: why the bot hands off, and what the customer is told while they wait.

Honest waiting: a place in the queue and an estimate when someone is online; when nobody
is, or it is outside business hours, the customer hears exactly that — with when the team is
back — and that anything they write now waits for an agent.
"""

from __future__ import annotations

from typing import Any, Optional

from actions.services.replies import Reply
from bot import names
from handoff.domain import reason_text

_BY_INTENT = {
    names.HUMAN_HANDOFF: "customer_asked",
    names.COMPLAIN: "complaint",
    names.NLU_FALLBACK: "misunderstood",
}


def handoff_reason(latest_intent: Optional[str], pending_reason: Optional[str]) -> str:
    """Why we are handing off.

    A complaint or a second misunderstanding speaks for itself. Otherwise the customer is
    accepting (or asking for) a person, and a reason another part of the bot left in the
    ``handoff_reason`` slot when it offered one — a failed action, a return the policy leaves
    to a person — says more than "yes, please"."""
    by_intent = _BY_INTENT.get(latest_intent or "")
    if by_intent in ("complaint", "misunderstood"):
        return by_intent
    return pending_reason or by_intent or "customer_asked"


def _minutes(value: Any) -> str:
    minutes = int(value) if isinstance(value, (int, float)) else 0
    if minutes <= 1:
        return "about a minute"
    if minutes < 60:
        return f"about {minutes} minutes"
    hours = round(minutes / 60)
    return "about an hour" if hours == 1 else f"about {hours} hours"


def queue_place(position: Any) -> str:
    place = int(position) if isinstance(position, (int, float)) else 0
    if place <= 1:
        return "next in line"
    return f"number {place} in the queue"


def waiting_reply(ticket: dict[str, Any]) -> Reply:
    """What the customer is told once the ticket is open."""
    hours = str(ticket.get("business_hours") or "")
    if not ticket.get("open_now", True):
        return Reply(
            "utter_handoff_after_hours",
            {"business_hours": hours, "next_opening": str(ticket.get("next_opening") or "soon")},
        )
    if not ticket.get("agents_online"):
        note = f" (we're usually here {hours})" if hours and hours != "around the clock" else ""
        return Reply("utter_handoff_no_agents", {"hours_note": note})
    params = {
        "queue_place": queue_place(ticket.get("position")),
        "estimate": _minutes(ticket.get("estimate_minutes")),
    }
    if ticket.get("existing"):
        return Reply("utter_handoff_already_open", params)
    return Reply("utter_handoff_queued", params)


UNAVAILABLE = Reply("utter_handoff_unavailable")

__all__ = ["UNAVAILABLE", "handoff_reason", "queue_place", "reason_text", "waiting_reply"]

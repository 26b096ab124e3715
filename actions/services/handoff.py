"""Handoff rules: why the bot hands off, and what the customer is told while they wait.

Honest waiting: a place in the queue and an estimate when someone is online; when nobody
is, or it is outside business hours, the customer hears exactly that — with when the team is
back — and that anything they write now waits for an agent.
"""

from __future__ import annotations

from typing import Any, Optional

from actions.services.i18n import text
from actions.services.replies import Reply
from bot import names
from contracts.packet import reason_text
from handoff.hours import ALWAYS_TEXTS

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


def _minutes(value: Any, lang: str = "en") -> str:
    minutes = int(value) if isinstance(value, (int, float)) else 0
    if minutes <= 1:
        return text("about_a_minute", lang)
    if minutes < 60:
        return text("about_minutes", lang, n=minutes)
    hours = round(minutes / 60)
    return text("about_an_hour", lang) if hours == 1 else text("about_hours", lang, n=hours)


def queue_place(position: Any, lang: str = "en") -> str:
    place = int(position) if isinstance(position, (int, float)) else 0
    if place <= 1:
        return text("next_in_line", lang)
    return text("queue_number", lang, n=place)


def waiting_reply(ticket: dict[str, Any], lang: str = "en") -> Reply:
    """What the customer is told once the ticket is open, in ``lang`` (the handoff service
    already wrote its hours and next opening in the language the packet named)."""
    hours = str(ticket.get("business_hours") or "")
    if not ticket.get("open_now", True):
        return Reply(
            "utter_handoff_after_hours",
            {
                "business_hours": hours,
                "next_opening": str(ticket.get("next_opening") or text("soon", lang)),
            },
        )
    if not ticket.get("agents_online"):
        usual = hours and hours not in ALWAYS_TEXTS
        note = text("usually_here", lang, hours=hours) if usual else ""
        return Reply("utter_handoff_no_agents", {"hours_note": note})
    params = {
        "queue_place": queue_place(ticket.get("position"), lang),
        "estimate": _minutes(ticket.get("estimate_minutes"), lang),
    }
    if ticket.get("existing"):
        return Reply("utter_handoff_already_open", params)
    return Reply("utter_handoff_queued", params)


UNAVAILABLE = Reply("utter_handoff_unavailable")

__all__ = ["UNAVAILABLE", "handoff_reason", "queue_place", "reason_text", "waiting_reply"]

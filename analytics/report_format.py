"""How the report (:mod:`analytics.report`) writes figures and names: percentages, counts,
durations, and channels, languages and topics in words."""

from __future__ import annotations

from typing import Optional

CHANNEL_NAMES = {"webchat": "Web chat", "whatsapp": "WhatsApp", "slack": "Slack"}
LANGUAGE_NAMES = {"en": "English", "ko": "Korean", "zh": "Chinese"}

TOPICS = {
    "order_status": "Where is my order",
    "return_item": "Start a return",
    "return_policy": "Return policy",
    "refund_status": "Where is my refund",
    "human_handoff": "Asked for a person",
    "complain": "Complaint",
    "out_of_scope": "Something Baton does not do",
    "not_understood": "Not understood at all",
    "small_talk": "Small talk only",
    "cancel_order": "Cancel an order",
    "change_order": "Change an order's items",
    "change_address": "Change the address",
    "delivery_options": "Delivery options and costs",
    "payment": "Payment",
    "invoice": "Invoice or receipt",
    "discount_code": "Discount codes",
    "account": "Account and password",
    "product_question": "Product questions",
}


def pct(value: Optional[float]) -> str:
    return "—" if value is None else f"{100 * value:.1f}%"


def num(value: Optional[float]) -> str:
    return "—" if value is None else f"{value:,}"


def duration(seconds: Optional[float]) -> str:
    if seconds is None:
        return "—"
    if seconds < 90:
        return f"{round(seconds)} s"
    minutes = round(seconds / 60)
    if minutes < 90:
        return f"{minutes} min"
    hours, rest = divmod(minutes, 60)
    return f"{hours} h {rest} min" if rest else f"{hours} h"

"""Why something cannot go back: one refused item (``utter_return_refused_*``), an order
nothing of which can be returned, and the items refused when others can."""

from __future__ import annotations

import json
from datetime import date

from actions.services.formatting import day
from actions.services.i18n import text
from actions.services.replies import Button, Reply
from actions.services.returns import Assessment, ItemCheck, OrderRefusal, Refusal
from actions.services.returns_policy import ReturnPolicy
from actions.services.returns_words import ago, category_words

_REFUSAL_RESPONSES = {
    Refusal.FINAL_SALE: "utter_return_refused_final_sale",
    Refusal.HYGIENE: "utter_return_refused_hygiene",
    Refusal.NOT_DELIVERED: "utter_return_refused_not_delivered",
    Refusal.ALREADY_RETURNED: "utter_return_refused_already_returned",
    Refusal.ALREADY_CLAIMED: "utter_return_refused_already_claimed",
    Refusal.WINDOW_CLOSED: "utter_return_refused_window",
}


def refusal_line(check: ItemCheck, today: date, lang: str = "en") -> Reply:
    facts = {
        "product": check.item.product_name,
        "category": category_words(check.item.category, lang),
        "window_days": str(check.window_days),
        "rma": check.rma,
    }
    if check.refusal is Refusal.WINDOW_CLOSED and check.last_day is not None:
        facts.update(ago=ago(check.days_over, lang), last_day=day(check.last_day, today, lang))
    assert check.refusal is not None
    return Reply(_REFUSAL_RESPONSES[check.refusal], facts)


def order_refusal(
    assessment: Assessment, policy: ReturnPolicy, today: date, lang: str = "en"
) -> list[Reply]:
    """Why nothing in this order can be returned, with the next step where there is one."""
    number = assessment.order.number
    kind = assessment.order_refusal
    if kind is OrderRefusal.CANCELLED:
        return [Reply("utter_return_order_cancelled", {"order_number": number})]
    if kind is OrderRefusal.LOST:
        return [Reply("utter_return_order_lost", {"order_number": number})]
    if kind is OrderRefusal.NOT_DELIVERED:
        payload = "/order_status" + json.dumps({"order_number": number}, separators=(",", ":"))
        return [
            Reply(
                "utter_return_order_not_delivered",
                {"order_number": number, "window_days": str(policy.default_window_days)},
                (Button(text("btn_where_is", lang, number=number), payload),),
            )
        ]
    lines = [refusal_line(c, today, lang) for c in assessment.refused]
    return [Reply("utter_return_all_refused", {"order_number": number}), *lines]


def partial_refusals(assessment: Assessment, today: date, lang: str = "en") -> list[Reply]:
    """The items that cannot go back, when others can (said before asking which ones)."""
    refused = assessment.refused
    if not refused:
        return []
    header = Reply("utter_return_some_refused", {"order_number": assessment.order.number})
    return [header, *(refusal_line(c, today, lang) for c in refused)]

"""The return policy as the bot tells it: in general, and applied to a customer's own order
item by item (``utter_return_policy_*``)."""

from __future__ import annotations

from datetime import date

from actions.services.formatting import day, money
from actions.services.i18n import join, join_or, text
from actions.services.replies import Reply
from actions.services.returns import ZERO, Assessment, OrderRefusal
from actions.services.returns_policy import ReturnPolicy
from actions.services.returns_refusals import order_refusal, refusal_line
from actions.services.returns_words import category_words, reason_clause, working_days


def policy_general(policy: ReturnPolicy, currency: str = "GBP", lang: str = "en") -> Reply:
    exceptions = [
        text("days_for", lang, days=days, category=category_words(c, lang))
        for c, days in sorted(policy.window_days_by_category.items())
    ]
    blocked = [text("final_sale_items", lang)] + [
        category_words(c, lang)
        for c in sorted(policy.final_sale_categories | policy.hygiene_categories)
    ]
    free = [reason_clause(r.code, lang) for r in policy.reasons if r.free_return_shipping]
    fee = policy.carrier_fee.get(currency, ZERO)
    timings = {r.code: working_days(r.working_days, lang) for r in policy.refund_methods}
    return Reply(
        "utter_return_policy_general",
        {
            "window_days": str(policy.default_window_days),
            "exceptions": text("exceptions", lang, text=join(exceptions, lang))
            if exceptions
            else "",
            "non_returnable": join(blocked, lang),
            "free_clause": text("free_clause", lang, clauses=join_or(free, lang)) if free else "",
            "drop_off": text("free", lang)
            if policy.drop_off_free
            else text("drop_off_charged", lang),
            "carrier_fee": money(fee, currency, lang),
            "original_timing": timings.get("original_payment", "—"),
            "credit_timing": timings.get("store_credit", "—"),
        },
    )


def policy_for_order(
    assessment: Assessment, policy: ReturnPolicy, today: date, lang: str = "en"
) -> list[Reply]:
    """The policy applied to the customer's own order, item by item."""
    if assessment.order_refusal in (
        OrderRefusal.CANCELLED,
        OrderRefusal.LOST,
        OrderRefusal.NOT_DELIVERED,
    ):
        return order_refusal(assessment, policy, today, lang)
    replies = [Reply("utter_return_policy_order", {"order_number": assessment.order.number})]
    for check in assessment.checks:
        if check.ok and check.last_day is not None:
            replies.append(
                Reply(
                    "utter_return_policy_item_ok",
                    {
                        "product": check.item.product_name,
                        "last_day": day(check.last_day, today, lang),
                        "window_days": str(check.window_days),
                    },
                )
            )
        elif not check.ok:
            replies.append(refusal_line(check, today, lang))
    return replies

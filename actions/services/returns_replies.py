"""What the returns flow says: domain responses and the facts that fill them.

The wording lives in domain.yml (the ``utter_return_*`` responses, one variation per
language); here are only the facts, and the few words that go into button titles and lists,
taken from :mod:`actions.services.i18n` in the customer's language (``lang``).
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import date
from decimal import Decimal
from typing import Optional

from actions.services import shop_text
from actions.services.formatting import day, money
from actions.services.i18n import CATALOGUE, join, join_or, text
from actions.services.replies import Button, Reply
from actions.services.returns import (
    ZERO,
    Assessment,
    ItemCheck,
    OrderRefusal,
    PersonNeeded,
    Quote,
    Refusal,
    carrier_fee,
    drop_off_fee,
)
from actions.services.returns_policy import ReturnPolicy
from actions.services.stores import (
    NearbyStore,
    Place,
    distance_text,
    opening_hours_text,
    today_text,
)
from actions.store.models import Order, OrderSummary, Store
from actions.store.returns_models import Return

# English, for agents and the store's records; customers get ``reason_words(code, lang)``.
REASON_WORDS = {
    "damaged": "Arrived damaged or faulty",
    "wrong_item": "Wrong item sent",
    "doesnt_fit": "Doesn't fit",
    "changed_mind": "Changed my mind",
    "other": "Something else",
}
# "... taken from your refund, unless <clause> or <clause>"
REASON_CLAUSES = {
    "damaged": "it arrived damaged or faulty",
    "wrong_item": "we sent the wrong item",
    "doesnt_fit": "it doesn't fit",
    "changed_mind": "you changed your mind",
    "other": "you return it for another reason",
}
CATEGORY_WORDS = {"gift_cards": "gift cards"}
STATUS_WORDS = {
    "requested": "registered",
    "label_created": "label ready",
    "in_transit": "on its way to us",
    "received": "received",
    "inspected": "approved",
    "refunded": "refunded",
    "rejected": "not accepted",
}
_REFUSAL_RESPONSES = {
    Refusal.FINAL_SALE: "utter_return_refused_final_sale",
    Refusal.HYGIENE: "utter_return_refused_hygiene",
    Refusal.NOT_DELIVERED: "utter_return_refused_not_delivered",
    Refusal.ALREADY_RETURNED: "utter_return_refused_already_returned",
    Refusal.WINDOW_CLOSED: "utter_return_refused_window",
}


def choice_payload(kind: str, value: str) -> str:
    """A button payload that fills the slot being asked, whatever the NLU thinks of it."""
    return "/inform" + json.dumps({"return_choice": f"{kind}:{value}"}, separators=(",", ":"))


def reason_words(code: str, lang: str = "en") -> str:
    """A return reason as a button title, in ``lang``."""
    key = f"reason_{code}"
    return text(key, lang) if key in CATALOGUE else REASON_WORDS.get(code, code)


def status_words(status: str, lang: str = "en") -> str:
    """A return's state in a few words ("on its way to us"), in ``lang``."""
    key = f"return_status_{status}"
    return text(key, lang) if key in CATALOGUE else STATUS_WORDS.get(status, status)


def category_words(category: str, lang: str = "en") -> str:
    key = f"category_{category}"
    if key in CATALOGUE:
        return text(key, lang)
    return CATEGORY_WORDS.get(category, category.replace("_", " "))


def working_days(n: int, lang: str = "en") -> str:
    if n == 0:
        return text("same_day", lang)
    return text("working_days_1", lang) if n == 1 else text("working_days_n", lang, n=n)


def ago(days: int, lang: str = "en") -> str:
    return text("yesterday_ago", lang) if days == 1 else text("days_ago", lang, n=days)


def line_text(
    name: str, qty: int, unit: Optional[Decimal] = None, currency: str = "", lang: str = "en"
) -> str:
    line = name if qty == 1 else text("qty", lang, qty=qty, name=name)
    if unit is not None and currency:
        return f"{line} ({money(unit * qty, currency, lang)})"
    return line


def lines_text(lines: Sequence[tuple[str, int]], lang: str = "en") -> str:
    """A return's lines as a list: "2 × Candle, T-shirt" / "Candle × 2, T-shirt"."""
    return text("list_sep", lang).join(line_text(name, qty, lang=lang) for name, qty in lines)


def items_text(
    order: Order, selection: Mapping[int, int], with_prices: bool = False, lang: str = "en"
) -> str:
    names = {i.id: i for i in order.items}
    parts = [
        line_text(
            names[item_id].product_name,
            qty,
            names[item_id].unit_price if with_prices else None,
            order.currency,
            lang,
        )
        for item_id, qty in sorted(selection.items())
        if item_id in names
    ]
    if not parts:
        return text("the_items", lang)
    return join(parts, lang)


# --- which order, which items --------------------------------------------------------------


def order_buttons(recent: Sequence[OrderSummary], lang: str = "en") -> tuple[Button, ...]:
    return tuple(
        Button(
            title=f"{o.number} · {o.first_item}"
            + (text("more_items", lang, n=o.item_count - 1) if o.item_count > 1 else ""),
            payload="/inform" + json.dumps({"order_number": o.number}, separators=(",", ":")),
        )
        for o in recent
    )


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


def ask_items(assessment: Assessment, today: date, lang: str = "en") -> list[Reply]:
    returnable = assessment.returnable
    buttons: list[Button] = []
    for check in returnable:
        name = check.item.product_name
        if check.returnable > 1:
            one = text("qty", lang, qty=1, name=name)
            buttons.append(Button(one, choice_payload("items", f"{check.item.id}x1")))
            buttons.append(
                Button(
                    text("qty", lang, qty=check.returnable, name=name),
                    choice_payload("items", f"{check.item.id}x{check.returnable}"),
                )
            )
        else:
            buttons.append(Button(name, choice_payload("items", f"{check.item.id}x1")))
    if len(returnable) > 1:
        buttons.append(Button(text("btn_all", lang), choice_payload("items", "all")))
    replies = [
        Reply(
            "utter_ask_return_items",
            {
                "order_number": assessment.order.number,
                "example": returnable[0].item.product_name.split(",")[0].lower(),
            },
            tuple(buttons),
        )
    ]
    for check in returnable:
        if check.days_left == 0:
            replies.append(Reply("utter_return_last_day", {"product": check.item.product_name}))
    return replies


def auto_selected(assessment: Assessment) -> list[Reply]:
    """The only item that can go back, picked without asking (with its last-day warning)."""
    check = assessment.returnable[0]
    replies = [
        Reply(
            "utter_return_one_item",
            {"order_number": assessment.order.number, "product": check.item.product_name},
        )
    ]
    if check.days_left == 0:
        replies.append(Reply("utter_return_last_day", {"product": check.item.product_name}))
    return replies


# --- reason, method, store, refund ---------------------------------------------------------


def ask_reason(policy: ReturnPolicy, lang: str = "en") -> Reply:
    return Reply(
        "utter_ask_return_reason",
        {},
        tuple(
            Button(reason_words(r.code, lang), choice_payload("reason", r.code))
            for r in policy.reasons
        ),
    )


def _fee_text(fee: Decimal, currency: str, lang: str = "en") -> str:
    if fee <= ZERO:
        return text("free", lang)
    return text("fee_from_refund", lang, fee=money(fee, currency, lang))


def _fee_short(fee: Decimal, currency: str, lang: str) -> str:
    """The fee alone, for a button title: "free" or "£3.50"."""
    return text("free", lang) if fee <= ZERO else money(fee, currency, lang)


def ask_method(
    order: Order,
    reason: Optional[str],
    policy: ReturnPolicy,
    carrier: Optional[str],
    lang: str = "en",
) -> Reply:
    drop = drop_off_fee(policy, order.currency, reason)
    drop_fee = _fee_text(drop, order.currency, lang)
    buttons = [
        Button(
            text("btn_drop_off", lang, fee=_fee_short(drop, order.currency, lang)),
            choice_payload("method", "drop_off"),
        )
    ]
    facts = {"drop_off_fee": drop_fee, "carrier": carrier or text("a_carrier", lang)}
    if carrier:
        post = carrier_fee(policy, order.currency, reason)
        facts["carrier_fee"] = _fee_text(post, order.currency, lang)
        buttons.append(
            Button(
                text(
                    "btn_carrier", lang, carrier=carrier, fee=_fee_short(post, order.currency, lang)
                ),
                choice_payload("method", "carrier"),
            )
        )
        return Reply("utter_ask_return_method", facts, tuple(buttons))
    return Reply("utter_ask_return_method_drop_off_only", facts, tuple(buttons))


def store_options(
    nearby: Sequence[NearbyStore], place: Place, today: date, lang: str = "en"
) -> list[Reply]:
    replies = [Reply("utter_return_nearest_stores", {"place": place.label})]
    for option in nearby:
        s = option.store
        replies.append(
            Reply(
                "utter_return_store_option",
                {
                    "store_name": s.name,
                    "store_address": f"{s.line1}, {s.city} {s.postal_code}",
                    "distance": distance_text(option.km, lang),
                    "hours": opening_hours_text(s.opening_hours, lang),
                    "today": today_text(s.opening_hours, today, lang),
                },
            )
        )
    buttons = tuple(Button(o.store.name, choice_payload("store", str(o.store.id))) for o in nearby)
    replies.append(Reply("utter_ask_return_store", {}, buttons))
    return replies


def ask_refund_method(
    order: Order, amount: Decimal, policy: ReturnPolicy, lang: str = "en"
) -> Reply:
    method = shop_text.payment_method(order.payment_method, lang)
    titles = {
        "original_payment": text("btn_back_to", lang, method=method),
        "store_credit": text("btn_store_credit", lang),
    }
    facts = {"amount": money(amount, order.currency, lang), "payment_method": method}
    for rule in policy.refund_methods:
        facts[f"{rule.code}_timing"] = working_days(rule.working_days, lang)
    buttons = tuple(
        Button(titles[r.code], choice_payload("refund", r.code)) for r in policy.refund_methods
    )
    name = "utter_ask_return_refund_method"
    if len(policy.refund_methods) == 1:
        name = f"utter_ask_return_refund_only_{policy.refund_methods[0].code}"
    return Reply(name, facts, buttons)


def refund_destination(order_payment_method: str, refund_method: str, lang: str = "en") -> str:
    if refund_method == "store_credit":
        return text("store_credit", lang)
    return text("your_method", lang, method=shop_text.payment_method(order_payment_method, lang))


def summary(
    order: Order,
    selection: Mapping[int, int],
    reason: str,
    method: str,
    store: Optional[Store],
    carrier: Optional[str],
    q: Quote,
    refund_method: str,
    policy: ReturnPolicy,
    lang: str = "en",
) -> Reply:
    facts = {
        "order_number": order.number,
        "items": items_text(order, selection, with_prices=True, lang=lang),
        "reason": reason_words(reason, lang),
        "fee": _fee_text(q.return_fee, q.currency, lang),
        "amount": money(q.refund_amount, q.currency, lang),
        "refund_destination": refund_destination(order.payment_method, refund_method, lang),
        "timing": working_days(policy.refund_method(refund_method).working_days, lang),
        "store_name": store.name if store else "",
        "store_address": f"{store.line1}, {store.city}" if store else "",
        "carrier": carrier or "",
    }
    buttons = (
        Button(text("btn_confirm_return", lang), "/affirm"),
        Button(text("btn_cancel", lang), "/deny"),
    )
    name = (
        "utter_ask_return_confirmed_drop_off"
        if method == "drop_off"
        else ("utter_ask_return_confirmed_carrier")
    )
    return Reply(name, facts, buttons)


def created(
    ret: Return, label_url: Optional[str], policy: ReturnPolicy, today: date, lang: str = "en"
) -> Reply:
    selection = {line.order_item_id: line.quantity for line in ret.lines}
    names = lines_text([(line.product_name, line.quantity) for line in ret.lines], lang)
    facts = {
        "rma": ret.rma,
        "order_number": ret.order_number,
        "items": names or str(len(selection)),
        "amount": money(ret.refund_amount, ret.currency, lang),
        "refund_destination": refund_destination(ret.payment_method, ret.refund_method, lang),
        "timing": working_days(policy.refund_method(ret.refund_method).working_days, lang),
        "return_by": day(ret.return_by, today, lang)
        if ret.return_by
        else text("within_two_weeks", lang),
    }
    if ret.method == "drop_off":
        facts.update(store_name=ret.store_name or "", store_address=ret.store_address or "")
        return Reply("utter_return_created_drop_off", facts)
    assert ret.label is not None
    facts.update(
        carrier=ret.label.carrier,
        tracking_number=ret.label.tracking_number,
        tracking_url=ret.label.tracking_url,
        label_url=label_url or "",
        fee=_fee_text(ret.return_fee, ret.currency, lang),
    )
    return Reply("utter_return_created_carrier", facts)


# --- cases for a person --------------------------------------------------------------------


def person_buttons(lang: str = "en") -> tuple[Button, ...]:
    return (
        Button(text("btn_talk_to_person", lang), "/human_handoff"),
        Button(text("btn_no_thanks", lang), "/deny"),
    )


PERSON_BUTTONS = person_buttons("en")


def person_offer(kind: PersonNeeded, facts: Mapping[str, str], lang: str = "en") -> list[Reply]:
    return [
        Reply(f"utter_return_person_{kind.value}", dict(facts)),
        Reply("utter_return_offer_person", {}, person_buttons(lang)),
    ]


# --- the policy, in general and for one order ----------------------------------------------


def _clause(code: str, lang: str) -> str:
    key = f"clause_{code}"
    return text(key, lang) if key in CATALOGUE else REASON_CLAUSES.get(code, code)


def policy_general(policy: ReturnPolicy, currency: str = "GBP", lang: str = "en") -> Reply:
    exceptions = [
        text("days_for", lang, days=days, category=category_words(c, lang))
        for c, days in sorted(policy.window_days_by_category.items())
    ]
    blocked = [text("final_sale_items", lang)] + [
        category_words(c, lang)
        for c in sorted(policy.final_sale_categories | policy.hygiene_categories)
    ]
    free = [_clause(r.code, lang) for r in policy.reasons if r.free_return_shipping]
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

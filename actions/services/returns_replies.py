"""What the returns flow says: domain responses and the facts that fill them.

The wording lives in domain.yml (the ``utter_return_*`` responses) so it can be translated;
here are only the facts, and the few words that go into button titles and lists.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import date
from decimal import Decimal
from typing import Optional

from actions.services.formatting import day, money
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


def category_words(category: str) -> str:
    return CATEGORY_WORDS.get(category, category.replace("_", " "))


def working_days(n: int) -> str:
    if n == 0:
        return "the same day"
    return f"within {n} working day{'' if n == 1 else 's'}"


def ago(days: int) -> str:
    return "yesterday" if days == 1 else f"{days} days ago"


def line_text(name: str, qty: int, unit: Optional[Decimal] = None, currency: str = "") -> str:
    text = name if qty == 1 else f"{qty} × {name}"
    return f"{text} ({money(unit * qty, currency)})" if unit is not None and currency else text


def items_text(order: Order, selection: Mapping[int, int], with_prices: bool = False) -> str:
    names = {i.id: i for i in order.items}
    parts = [
        line_text(
            names[item_id].product_name,
            qty,
            names[item_id].unit_price if with_prices else None,
            order.currency,
        )
        for item_id, qty in sorted(selection.items())
        if item_id in names
    ]
    if not parts:
        return "the items"
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]


# --- which order, which items --------------------------------------------------------------


def order_buttons(recent: Sequence[OrderSummary]) -> tuple[Button, ...]:
    return tuple(
        Button(
            title=f"{o.number} · {o.first_item}"
            + (f" +{o.item_count - 1}" if o.item_count > 1 else ""),
            payload="/inform" + json.dumps({"order_number": o.number}, separators=(",", ":")),
        )
        for o in recent
    )


def refusal_line(check: ItemCheck, today: date) -> Reply:
    facts = {
        "product": check.item.product_name,
        "category": category_words(check.item.category),
        "window_days": str(check.window_days),
        "rma": check.rma,
    }
    if check.refusal is Refusal.WINDOW_CLOSED and check.last_day is not None:
        facts.update(ago=ago(check.days_over), last_day=day(check.last_day, today))
    assert check.refusal is not None
    return Reply(_REFUSAL_RESPONSES[check.refusal], facts)


def order_refusal(assessment: Assessment, policy: ReturnPolicy, today: date) -> list[Reply]:
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
                (Button(f"Where is order {number}?", payload),),
            )
        ]
    lines = [refusal_line(c, today) for c in assessment.refused]
    return [Reply("utter_return_all_refused", {"order_number": number}), *lines]


def partial_refusals(assessment: Assessment, today: date) -> list[Reply]:
    """The items that cannot go back, when others can (said before asking which ones)."""
    refused = assessment.refused
    if not refused:
        return []
    header = Reply("utter_return_some_refused", {"order_number": assessment.order.number})
    return [header, *(refusal_line(c, today) for c in refused)]


def ask_items(assessment: Assessment, today: date) -> list[Reply]:
    returnable = assessment.returnable
    buttons: list[Button] = []
    for check in returnable:
        name = check.item.product_name
        if check.returnable > 1:
            buttons.append(Button(f"1 × {name}", choice_payload("items", f"{check.item.id}x1")))
            buttons.append(
                Button(
                    f"{check.returnable} × {name}",
                    choice_payload("items", f"{check.item.id}x{check.returnable}"),
                )
            )
        else:
            buttons.append(Button(name, choice_payload("items", f"{check.item.id}x1")))
    if len(returnable) > 1:
        buttons.append(Button("All of these", choice_payload("items", "all")))
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


def ask_reason(policy: ReturnPolicy) -> Reply:
    return Reply(
        "utter_ask_return_reason",
        {},
        tuple(
            Button(REASON_WORDS[r.code], choice_payload("reason", r.code)) for r in policy.reasons
        ),
    )


def _fee_text(fee: Decimal, currency: str) -> str:
    return "free" if fee <= ZERO else f"{money(fee, currency)}, taken from your refund"


def ask_method(
    order: Order, reason: Optional[str], policy: ReturnPolicy, carrier: Optional[str]
) -> Reply:
    drop_fee = _fee_text(drop_off_fee(policy, order.currency, reason), order.currency)
    buttons = [
        Button(
            f"Drop off at a store ({drop_fee.split(',')[0]})", choice_payload("method", "drop_off")
        )
    ]
    facts = {"drop_off_fee": drop_fee, "carrier": carrier or "a carrier"}
    if carrier:
        post_fee = _fee_text(carrier_fee(policy, order.currency, reason), order.currency)
        facts["carrier_fee"] = post_fee
        buttons.append(
            Button(
                f"Send with {carrier} ({post_fee.split(',')[0]})",
                choice_payload("method", "carrier"),
            )
        )
        return Reply("utter_ask_return_method", facts, tuple(buttons))
    return Reply("utter_ask_return_method_drop_off_only", facts, tuple(buttons))


def store_options(nearby: Sequence[NearbyStore], place: Place, today: date) -> list[Reply]:
    replies = [Reply("utter_return_nearest_stores", {"place": place.label})]
    for option in nearby:
        s = option.store
        replies.append(
            Reply(
                "utter_return_store_option",
                {
                    "store_name": s.name,
                    "store_address": f"{s.line1}, {s.city} {s.postal_code}",
                    "distance": distance_text(option.km),
                    "hours": opening_hours_text(s.opening_hours),
                    "today": today_text(s.opening_hours, today),
                },
            )
        )
    buttons = tuple(Button(o.store.name, choice_payload("store", str(o.store.id))) for o in nearby)
    replies.append(Reply("utter_ask_return_store", {}, buttons))
    return replies


def ask_refund_method(order: Order, amount: Decimal, policy: ReturnPolicy) -> Reply:
    titles = {
        "original_payment": f"Back to my {order.payment_method}",
        "store_credit": "Store credit (faster)",
    }
    facts = {"amount": money(amount, order.currency), "payment_method": order.payment_method}
    for rule in policy.refund_methods:
        facts[f"{rule.code}_timing"] = working_days(rule.working_days)
    buttons = tuple(
        Button(titles[r.code], choice_payload("refund", r.code)) for r in policy.refund_methods
    )
    name = "utter_ask_return_refund_method"
    if len(policy.refund_methods) == 1:
        name = f"utter_ask_return_refund_only_{policy.refund_methods[0].code}"
    return Reply(name, facts, buttons)


def refund_destination(order_payment_method: str, refund_method: str) -> str:
    return "store credit" if refund_method == "store_credit" else f"your {order_payment_method}"


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
) -> Reply:
    facts = {
        "order_number": order.number,
        "items": items_text(order, selection, with_prices=True),
        "reason": REASON_WORDS.get(reason, reason),
        "fee": _fee_text(q.return_fee, q.currency),
        "amount": money(q.refund_amount, q.currency),
        "refund_destination": refund_destination(order.payment_method, refund_method),
        "timing": working_days(policy.refund_method(refund_method).working_days),
        "store_name": store.name if store else "",
        "store_address": f"{store.line1}, {store.city}" if store else "",
        "carrier": carrier or "",
    }
    buttons = (
        Button("Yes, create the return", "/affirm"),
        Button("Cancel", "/deny"),
    )
    name = (
        "utter_ask_return_confirmed_drop_off"
        if method == "drop_off"
        else ("utter_ask_return_confirmed_carrier")
    )
    return Reply(name, facts, buttons)


def created(ret: Return, label_url: Optional[str], policy: ReturnPolicy, today: date) -> Reply:
    selection = {line.order_item_id: line.quantity for line in ret.lines}
    names = ", ".join(line_text(line.product_name, line.quantity) for line in ret.lines)
    facts = {
        "rma": ret.rma,
        "order_number": ret.order_number,
        "items": names or str(len(selection)),
        "amount": money(ret.refund_amount, ret.currency),
        "refund_destination": refund_destination(ret.payment_method, ret.refund_method),
        "timing": working_days(policy.refund_method(ret.refund_method).working_days),
        "return_by": day(ret.return_by, today) if ret.return_by else "within two weeks",
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
        fee=_fee_text(ret.return_fee, ret.currency),
    )
    return Reply("utter_return_created_carrier", facts)


# --- cases for a person --------------------------------------------------------------------

PERSON_BUTTONS = (
    Button("Yes, talk to a person", "/human_handoff"),
    Button("No thanks", "/deny"),
)


def person_offer(kind: PersonNeeded, facts: Mapping[str, str]) -> list[Reply]:
    return [
        Reply(f"utter_return_person_{kind.value}", dict(facts)),
        Reply("utter_return_offer_person", {}, PERSON_BUTTONS),
    ]


# --- the policy, in general and for one order ----------------------------------------------


def _join(words: Sequence[str]) -> str:
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]


def policy_general(policy: ReturnPolicy, currency: str = "GBP") -> Reply:
    exceptions = [
        f"{days} days for {category_words(c)}"
        for c, days in sorted(policy.window_days_by_category.items())
    ]
    blocked = ["items marked final sale"] + [
        category_words(c) for c in sorted(policy.final_sale_categories | policy.hygiene_categories)
    ]
    free = [REASON_CLAUSES[r.code] for r in policy.reasons if r.free_return_shipping]
    fee = policy.carrier_fee.get(currency, ZERO)
    timings = {r.code: working_days(r.working_days) for r in policy.refund_methods}
    return Reply(
        "utter_return_policy_general",
        {
            "window_days": str(policy.default_window_days),
            "exceptions": f" ({_join(exceptions)})" if exceptions else "",
            "non_returnable": _join(blocked),
            "free_clause": ", unless " + " or ".join(free) if free else "",
            "drop_off": "free" if policy.drop_off_free else "charged like a carrier return",
            "carrier_fee": money(fee, currency),
            "original_timing": timings.get("original_payment", "—"),
            "credit_timing": timings.get("store_credit", "—"),
        },
    )


def policy_for_order(assessment: Assessment, policy: ReturnPolicy, today: date) -> list[Reply]:
    """The policy applied to the customer's own order, item by item."""
    if assessment.order_refusal in (
        OrderRefusal.CANCELLED,
        OrderRefusal.LOST,
        OrderRefusal.NOT_DELIVERED,
    ):
        return order_refusal(assessment, policy, today)
    replies = [Reply("utter_return_policy_order", {"order_number": assessment.order.number})]
    for check in assessment.checks:
        if check.ok and check.last_day is not None:
            replies.append(
                Reply(
                    "utter_return_policy_item_ok",
                    {
                        "product": check.item.product_name,
                        "last_day": day(check.last_day, today),
                        "window_days": str(check.window_days),
                    },
                )
            )
        elif not check.ok:
            replies.append(refusal_line(check, today))
    return replies

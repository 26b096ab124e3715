"""What the returns flow says: domain responses and the facts that fill them.

The wording lives in domain.yml (the ``utter_return_*`` responses, one variation per
language); here are only the facts, and the few words that go into button titles and lists,
taken from :mod:`actions.services.i18n` in the customer's language (``lang``).

The words that go into them are :mod:`actions.services.returns_words`, why something cannot
go back :mod:`actions.services.returns_refusals`, and the policy as the bot tells it
:mod:`actions.services.returns_policy_text`; their names are importable from here too.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import date
from decimal import Decimal
from typing import Optional

from actions.services import shop_text
from actions.services.formatting import day, money
from actions.services.i18n import text
from actions.services.replies import Button, Reply
from actions.services.returns import (
    Assessment,
    PersonNeeded,
    Quote,
    carrier_fee,
    drop_off_fee,
)
from actions.services.returns_policy import ReturnPolicy
from actions.services.returns_policy_text import policy_for_order, policy_general
from actions.services.returns_refusals import order_refusal, partial_refusals, refusal_line
from actions.services.returns_words import (
    CATEGORY_WORDS,
    REASON_CLAUSES,
    REASON_WORDS,
    STATUS_WORDS,
    ago,
    category_words,
    choice_payload,
    fee_short,
    fee_text,
    items_text,
    line_text,
    lines_text,
    reason_words,
    refund_destination,
    status_words,
    working_days,
)
from actions.services.stores import (
    NearbyStore,
    Place,
    distance_text,
    opening_hours_text,
    today_text,
)
from actions.store.models import Order, OrderSummary, Store
from actions.store.returns_models import Return

__all__ = [
    "CATEGORY_WORDS",
    "PERSON_BUTTONS",
    "REASON_CLAUSES",
    "REASON_WORDS",
    "STATUS_WORDS",
    "ago",
    "ask_items",
    "ask_method",
    "ask_reason",
    "ask_refund_method",
    "auto_selected",
    "category_words",
    "choice_payload",
    "created",
    "items_text",
    "line_text",
    "lines_text",
    "order_buttons",
    "order_refusal",
    "partial_refusals",
    "person_buttons",
    "person_offer",
    "policy_for_order",
    "policy_general",
    "reason_words",
    "refund_destination",
    "refusal_line",
    "status_words",
    "store_options",
    "summary",
    "working_days",
]

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


def ask_method(
    order: Order,
    reason: Optional[str],
    policy: ReturnPolicy,
    carrier: Optional[str],
    lang: str = "en",
) -> Reply:
    drop = drop_off_fee(policy, order.currency, reason)
    drop_fee = fee_text(drop, order.currency, lang)
    buttons = [
        Button(
            text("btn_drop_off", lang, fee=fee_short(drop, order.currency, lang)),
            choice_payload("method", "drop_off"),
        )
    ]
    facts = {"drop_off_fee": drop_fee, "carrier": carrier or text("a_carrier", lang)}
    if carrier:
        post = carrier_fee(policy, order.currency, reason)
        facts["carrier_fee"] = fee_text(post, order.currency, lang)
        buttons.append(
            Button(
                text(
                    "btn_carrier", lang, carrier=carrier, fee=fee_short(post, order.currency, lang)
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
        "fee": fee_text(q.return_fee, q.currency, lang),
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
        fee=fee_text(ret.return_fee, ret.currency, lang),
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

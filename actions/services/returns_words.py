"""The few words of the returns flow that go into button titles, lists and facts: reasons,
states, categories, items, fees, timings and where a refund goes, in the customer's language
(``lang``), from :mod:`actions.services.i18n` (English words for agents and records here).
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Optional

from actions.services import shop_text
from actions.services.formatting import money
from actions.services.i18n import CATALOGUE, join, text
from actions.services.returns import ZERO
from actions.store.models import Order

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


def fee_text(fee: Decimal, currency: str, lang: str = "en") -> str:
    """A return fee as the customer reads it: "free" or "£3.95 taken from your refund"."""
    if fee <= ZERO:
        return text("free", lang)
    return text("fee_from_refund", lang, fee=money(fee, currency, lang))


def fee_short(fee: Decimal, currency: str, lang: str) -> str:
    """The fee alone, for a button title: "free" or "£3.50"."""
    return text("free", lang) if fee <= ZERO else money(fee, currency, lang)


def refund_destination(order_payment_method: str, refund_method: str, lang: str = "en") -> str:
    if refund_method == "store_credit":
        return text("store_credit", lang)
    return text("your_method", lang, method=shop_text.payment_method(order_payment_method, lang))


def reason_clause(code: str, lang: str) -> str:
    """ "... unless <clause>": when a reason makes the return free."""
    key = f"clause_{code}"
    return text(key, lang) if key in CATALOGUE else REASON_CLAUSES.get(code, code)

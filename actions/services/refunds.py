"""Where a return and its refund are: one answer per state, from the return's own dates (and
the refunds of an order's delivery-problem claims, which no return carries).

"Where is my refund?" deserves the same care as "where is my order?": the state in words,
the date it got there, and what happens next with the amount and where the money goes.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Optional
from zoneinfo import ZoneInfo

from actions.services import shop_text
from actions.services.formatting import day, local, money
from actions.services.i18n import join, text
from actions.services.replies import Reply
from actions.services.returns_policy import ReturnPolicy
from actions.services.returns_replies import lines_text, refund_destination, working_days
from actions.store.models import Order
from actions.store.returns_models import Return


def add_working_days(start: date, days: int) -> date:
    """``start`` plus ``days`` working days (Monday to Friday)."""
    current = start
    while days > 0:
        current += timedelta(days=1)
        if current.weekday() < 5:
            days -= 1
    return current


def _on(moment: Optional[datetime], tz: ZoneInfo, today: date, lang: str) -> str:
    return day(local(moment, tz).date(), today, lang) if moment else text("recently", lang)


def describe_return(
    ret: Return,
    policy: ReturnPolicy,
    now: datetime,
    tz: ZoneInfo,
    label_url: Callable[[str], str],
    lang: str = "en",
) -> Reply:
    """The answer to "where is my refund?" for one return the customer may see, in ``lang``."""
    today = local(now, tz).date()
    try:
        days = policy.refund_method(ret.refund_method).working_days
    except KeyError:  # a method the shop no longer offers: the return keeps its own
        days = 5
    facts = {
        "rma": ret.rma,
        "order_number": ret.order_number,
        "items": lines_text([(x.product_name, x.quantity) for x in ret.lines], lang)
        or text("items", lang),
        "amount": money(ret.refund_amount, ret.currency, lang),
        "refund_destination": refund_destination(ret.payment_method, ret.refund_method, lang),
        "timing": working_days(days, lang),
        "return_by": day(ret.return_by, today, lang) if ret.return_by else text("soon", lang),
        "created_date": _on(ret.created_at, tz, today, lang),
    }
    status = ret.status
    if status == "requested":
        facts.update(store_name=ret.store_name or "", store_address=ret.store_address or "")
        return Reply("utter_refund_status_requested", facts)
    if status == "label_created" and ret.label is not None:
        facts.update(
            carrier=ret.label.carrier,
            tracking_number=ret.label.tracking_number,
            label_url=label_url(ret.rma),
        )
        return Reply("utter_refund_status_label_created", facts)
    if status == "in_transit":
        facts["shipped_date"] = _on(ret.shipped_at, tz, today, lang)
        if ret.label is not None:
            facts.update(
                carrier=ret.label.carrier,
                tracking_number=ret.label.tracking_number,
                tracking_url=ret.label.tracking_url,
            )
            return Reply("utter_refund_status_in_transit_carrier", facts)
        facts["store_name"] = ret.store_name or text("our_store", lang)
        return Reply("utter_refund_status_in_transit_store", facts)
    if status == "received":
        facts["received_date"] = _on(ret.received_at, tz, today, lang)
        return Reply("utter_refund_status_received", facts)
    if status == "inspected":
        inspected = local(ret.inspected_at, tz).date() if ret.inspected_at else today
        facts.update(
            inspected_date=day(inspected, today, lang),
            expected_date=day(add_working_days(inspected, days), today, lang),
        )
        return Reply("utter_refund_status_inspected", facts)
    if status == "refunded" and ret.refund is not None:
        facts.update(
            amount=money(ret.refund.amount, ret.refund.currency, lang),
            refund_destination=_destination(ret.refund.destination, ret.refund.method, lang),
            refunded_date=_on(ret.refund.refunded_at, tz, today, lang),
        )
        if ret.refund.method == "store_credit":
            return Reply("utter_refund_status_refunded_credit", facts)
        return Reply("utter_refund_status_refunded", facts)
    if status == "rejected":
        facts.update(
            rejected_date=_on(ret.rejected_at, tz, today, lang),
            rejection_reason=_rejection(ret.rejection_reason, lang),
        )
        return Reply("utter_refund_status_rejected", facts)
    return Reply("utter_refund_status_requested", {**facts, "store_name": "", "store_address": ""})


def describe_returns(
    returns: Sequence[Return],
    policy: ReturnPolicy,
    now: datetime,
    tz: ZoneInfo,
    label_url: Callable[[str], str],
    lang: str = "en",
) -> list[Reply]:
    """One line per return; a header first when an order has several."""
    replies = [describe_return(r, policy, now, tz, label_url, lang) for r in returns]
    if len(returns) > 1:
        header = Reply(
            "utter_refund_status_several",
            {"order_number": returns[0].order_number, "count": str(len(returns))},
        )
        return [header, *replies]
    return replies


def describe_claim_refunds(order: Order, now: datetime, tz: ZoneInfo, lang: str = "en") -> Reply:
    """ "Where is my refund?" for an order whose delivery-problem claims were refunded: which
    claims, how much came back in all, to where and when (the latest)."""
    paid = order.claim_refunds
    today = local(now, tz).date()
    facts = {
        "order_number": order.number,
        "claims": join([r.claim for r in paid], lang),
        "amount": money(sum((r.amount for r in paid), Decimal("0.00")), paid[0].currency, lang),
        "payment_method": shop_text.payment_method(paid[-1].destination, lang),
        "refunded_date": _on(max(r.refunded_at for r in paid), tz, today, lang),
    }
    return Reply("utter_order_claim_refunded", facts)


def _destination(stored: str, method: str, lang: str) -> str:
    """Where a refund went, as the store recorded it ("your Visa ending 4242"), in ``lang``."""
    if lang == "en" or not stored:
        return stored
    if method == "store_credit":
        return text("store_credit", lang)
    bare = re.sub(r"(?i)^your ", "", stored.strip())
    return text("your_method", lang, method=shop_text.payment_method(bare, lang))


def _rejection(reason: Optional[str], lang: str) -> str:
    """Why a return was not accepted. The team writes it in English; other languages get the
    general sentence followed by the team's own words, so nothing is hidden."""
    general = text("rejection_default", lang)
    if not reason:
        return general
    return reason if lang == "en" else f"{general} ({reason})"


_RMA = re.compile(r"(?i)\brma[ \t]?[#:-]?[ \t]?(\d{5})\b")


def normalize_rma(text: object) -> Optional[str]:
    """A return number however it is typed ("rma 20001", "RMA#20001") as "RMA-20001"."""
    if not isinstance(text, str) or len(text) > 500:
        return None
    found = {m.group(1) for m in _RMA.finditer(text)}
    return f"RMA-{found.pop()}" if len(found) == 1 else None

"""What Baton says about a delivery problem: each decision of
:func:`actions.services.problems.decide` in plain words, with its facts (hours left and where
to look, the other parcel's carrier and status, the remedy and the amount, the last day, why
there is nothing to claim), the question before a claim is opened, and the claim once it is.

Pure: an order, a decision and a language in, :class:`Reply` values out (the sentences are
domain responses in English, Korean and Chinese; the fragments are in :mod:`i18n`).
"""

from __future__ import annotations

from datetime import datetime
from typing import Optional
from zoneinfo import ZoneInfo

from actions.services import shop_text
from actions.services.formatting import day, local, moment, money
from actions.services.i18n import join, text
from actions.services.problems_decision import Decision, Lines
from actions.services.replies import Reply
from actions.store.claims import Claim
from actions.store.models import Order, Shipment

#: The outcomes that open a claim once the customer says yes.
CLAIMS = ("claim_replacement", "claim_refund", "return")
#: Parcel states in the words the order question uses (actions/services/i18n.py).
_STATUS_WORDS = {
    "label_created": "parcel_label_created",
    "in_transit": "status_shipped",
    "out_for_delivery": "status_out_for_delivery",
    "delayed": "status_delayed",
    "lost": "status_lost_in_transit",
    "delivered": "status_delivered",
}


def items_text(lines: Lines, lang: str) -> str:
    """ "the linen shirt and 2 × the mugs" as the replies name what a claim is for."""
    names = [
        item.product_name if qty == 1 else text("qty", lang, qty=qty, name=item.product_name)
        for item, qty in lines
    ]
    return join(names, lang) or text("the_items", lang)


def _parcel(parcel: Optional[Shipment], today: datetime, lang: str) -> dict[str, str]:
    if parcel is None:
        return {
            "carrier": "",
            "parcel_status": "",
            "eta": text("eta_unknown", lang),
            "tracking_url": "",
        }
    key = _STATUS_WORDS.get(parcel.status)
    return {
        "carrier": parcel.carrier,
        "parcel_status": text(key, lang) if key else parcel.status,
        "eta": day(parcel.estimated_delivery, today.date(), lang)
        if parcel.estimated_delivery
        else text("eta_unknown", lang),
        "tracking_url": parcel.tracking_url,
    }


def _where(suggestions: tuple[str, ...], lang: str) -> str:
    places = [text(f"problem_look_{s}", lang) for s in suggestions]
    return text("problem_then", lang).join(places) if places else text("problem_look_home", lang)


def _time_left(hours: Optional[int], lang: str) -> str:
    if hours is None or hours <= 1:
        return text("problem_hour", lang)
    return text("problem_hours", lang, n=hours)


def settlement(decision: Decision, order: Order, lang: str) -> str:
    """What the shop does once a returned item is on its way back."""
    if decision.remedy == "replacement":
        return text("problem_settle_replacement", lang)
    return text(
        "problem_settle_refund",
        lang,
        amount=money(decision.amount or order.total, order.currency, lang),
        method=shop_text.payment_method(order.payment_method, lang),
    )


def confirm(decision: Decision, order: Order, lang: str) -> Reply:
    """The question before a claim is opened: what it settles, with what, for how much."""
    facts = {"order_number": order.number, "items": items_text(decision.lines, lang)}
    amount = money(decision.amount or order.total, order.currency, lang)
    if decision.outcome == "return":
        facts.update(amount=amount, settlement=settlement(decision, order, lang))
        return Reply("utter_confirm_problem_return", facts)
    note = text("problem_keep_it", lang) if decision.reason == "keep_item" else ""
    if decision.outcome == "claim_replacement":
        return Reply("utter_confirm_problem_replacement", {**facts, "note": note})
    if decision.remedy_reason == "out_of_stock":
        note = text("problem_out_of_stock", lang) + note
    facts.update(
        amount=amount,
        payment_method=shop_text.payment_method(order.payment_method, lang),
        note=note,
    )
    return Reply("utter_confirm_problem_refund", facts)


def claimed(
    claim: Claim,
    decision: Decision,
    order: Order,
    lang: str,
    replacement_number: Optional[str] = None,
) -> Reply:
    """The claim just opened: its number and what happens next (for a replacement, the order
    that sends it)."""
    number = claim.number
    if decision.outcome == "return":
        facts = {
            "claim_number": number,
            "items": items_text(decision.lines, lang),
            "settlement": settlement(decision, order, lang),
        }
        return Reply("utter_problem_claim_return", facts)
    if decision.outcome == "claim_replacement":
        return Reply(
            "utter_problem_claim_replacement",
            {
                "claim_number": number,
                "items": items_text(decision.lines, lang),
                "replacement_number": replacement_number or "",
            },
        )
    return Reply(
        "utter_problem_claim_refund",
        {
            "claim_number": number,
            "amount": money(claim.amount, claim.currency, lang),
            "payment_method": shop_text.payment_method(order.payment_method, lang),
        },
    )


def refund_pending(claim: Claim) -> Reply:
    """The claim is open but the shop did not take the refund: a person pays it."""
    return Reply(
        "utter_problem_claim_refund_pending",
        {"claim_number": claim.number, "order_number": claim.order_number},
    )


def replacement_pending(claim: Claim) -> Reply:
    """The claim is open but the shop did not make the replacement order: a person sends it."""
    return Reply(
        "utter_problem_claim_replacement_pending",
        {"claim_number": claim.number, "order_number": claim.order_number},
    )


def refund_instead(claim: Claim, decision: Decision, order: Order, lang: str) -> Reply:
    """The items sold out between the question and the yes: the claim's refund was paid instead."""
    return Reply(
        "utter_problem_claim_refund_instead",
        {
            "claim_number": claim.number,
            "items": items_text(decision.lines, lang),
            "amount": money(claim.amount, claim.currency, lang),
            "payment_method": shop_text.payment_method(order.payment_method, lang),
        },
    )


def already_claimed(claim: Claim) -> Reply:
    return Reply(
        "utter_problem_claim_exists",
        {"claim_number": claim.number, "order_number": claim.order_number},
    )


def answer(decision: Decision, order: Order, now: datetime, tz: ZoneInfo, lang: str) -> Reply:
    """What to say about a decision that opens no claim (wait, not yet, the other parcel, a
    person, too late, nothing to claim)."""
    today = local(now, tz)
    number = order.number
    outcome = decision.outcome
    if outcome == "wait":
        parcel = decision.parcel
        delivered = parcel.delivered_at if parcel is not None else None
        where_left = parcel.delivered_to if parcel is not None else None
        return Reply(
            "utter_problem_wait",
            {
                "order_number": number,
                "carrier": parcel.carrier if parcel is not None else "",
                "delivered_time": moment(delivered, tz, today.date(), lang)
                if delivered is not None
                else text("recently", lang),
                "delivered_to": shop_text.delivered_to(where_left, lang)
                if where_left
                else text("delivered", lang),
                "where": _where(decision.suggestions, lang),
                "time_left": _time_left(decision.hours_left, lang),
            },
        )
    if outcome == "not_delivered_yet":
        if decision.reason == "not_shipped" or decision.parcel is None:
            return Reply("utter_problem_not_shipped", {"order_number": number})
        return Reply(
            "utter_problem_not_delivered",
            {"order_number": number, **_parcel(decision.parcel, today, lang)},
        )
    if outcome == "other_parcel_on_its_way":
        return Reply(
            "utter_problem_other_parcel",
            {"items": items_text(decision.lines, lang), **_parcel(decision.parcel, today, lang)},
        )
    if outcome == "person":
        response = (
            "utter_problem_person_contents"
            if decision.reason == "contents_unknown"
            else "utter_problem_person_high_value"
        )
        return Reply(response, {"order_number": number})
    if outcome == "too_late":
        deadline = decision.deadline
        return Reply(
            "utter_problem_too_late",
            {
                "order_number": number,
                "deadline": day(local(deadline, tz).date(), today.date(), lang)
                if deadline is not None
                else text("recently", lang),
            },
        )
    if outcome == "nothing_to_claim":
        return Reply(
            "utter_problem_nothing_to_claim",
            {"order_number": number, "why": text(f"problem_none_{decision.reason}", lang)},
        )
    raise ValueError(f"{outcome}: a claim, not an answer")

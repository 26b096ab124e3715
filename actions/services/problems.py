"""What can be done about a delivery problem a customer reports? (pure rules)

Four kinds of problem: ``not_received`` (the carrier scanned the parcel delivered, the customer
has nothing), ``missing_item`` (an item of a multi-item or split order did not come),
``damaged`` and ``wrong_item``. The shop states its rules in ``policy/problems.yml``
(:mod:`actions.services.problems_policy`); :func:`decide` applies them to an order at a moment
and says what happens next — wait (and where to look), the other parcel is still on its way,
a photo first, a claim settled with a replacement or a refund, a return first, a person, too
late, or nothing to claim — with a reason code and the facts the replies phrase it with (hours
left, the parcel's carrier and status, the amount). It changes nothing: the claim is recorded
under :func:`idempotency_key` (:mod:`actions.store.claims`).
"""

from __future__ import annotations

import hashlib
import math
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Optional

from actions.services import problems_parcels as parcels
from actions.services.problems_decision import (
    KINDS,
    REASONS,
    REMEDY_REASONS,
    Decision,
    Kind,
    Lines,
    Outcome,
    Remedy,
    StockLookup,
)
from actions.services.problems_policy import ProblemsPolicy
from actions.store.models import Order, OrderItem, Shipment
from infra.uploads import is_reference

__all__ = [
    "KINDS",
    "REASONS",
    "REMEDY_REASONS",
    "Decision",
    "Kind",
    "StockLookup",
    "damaged_or_wrong",
    "decide",
    "idempotency_key",
    "missing_item",
    "not_received",
]


def idempotency_key(number: str, kind: str, item: Optional[int] = None) -> str:
    """One claim per order, kind of problem and item (its id; None: the order or parcel), from
    any conversation: a double tap, a retried message, a second chat or a restart finds the
    first claim instead of opening another."""
    raw = f"{number}\n{kind}\n{'' if item is None else item}"
    return "claim-" + hashlib.sha256(raw.encode()).hexdigest()[:40]


def decide(
    kind: Kind,
    order: Order,
    policy: ProblemsPolicy,
    now: datetime,
    in_stock: StockLookup,
    item: Optional[OrderItem] = None,
    quantity: Optional[int] = None,
    photo: Optional[str] = None,
) -> Decision:
    """What to do about ``kind`` on ``order`` at ``now`` (naive UTC). ``item`` (and how many
    of it: all by default) is required but for not_received, where it only picks the parcel;
    ``photo`` is the upload's reference (infra/uploads.py) for damaged and wrong_item."""
    if kind == "not_received":
        return not_received(order, policy, now, in_stock, item)
    if item is None:
        raise ValueError(f"{kind}: which item?")
    if kind == "missing_item":
        return missing_item(order, policy, now, in_stock, item, quantity)
    if kind in ("damaged", "wrong_item"):
        return damaged_or_wrong(order, policy, now, in_stock, item, quantity, photo)
    raise ValueError(f"not a kind of problem: {kind!r}")


def not_received(
    order: Order,
    policy: ProblemsPolicy,
    now: datetime,
    in_stock: StockLookup,
    item: Optional[OrderItem] = None,
) -> Decision:
    """The carrier says delivered, the customer has nothing: most such parcels turn up within
    a day or two, so a claim is opened only after the policy's wait since the delivered scan.
    A parcel the carrier lost is claimed at once. ``item`` picks the parcel it was in."""
    refused = _refusal(order, item)
    if refused is not None:
        return refused
    if not order.shipments:
        return Decision("not_delivered_yet", "not_shipped")
    chosen = (parcels.holding(order, item) if item is not None else ()) or order.shipments
    arrived = [s for s in chosen if s.status in parcels.ARRIVED]
    if not arrived:
        return Decision("not_delivered_yet", "on_its_way", parcel=chosen[0])
    window = timedelta(days=policy.claim_window_days)
    claimable = [s for s in arrived if parcels.within(parcels.scanned(s), window, now)]
    if not claimable:
        last = parcels.newest(arrived)
        return Decision(
            "too_late", "past_window", parcel=last, deadline=parcels.deadline(last, window)
        )
    wait = timedelta(hours=policy.wait_hours_after_delivered)
    recent = [
        s
        for s in claimable
        if s.status == "delivered" and parcels.lately(parcels.scanned(s), wait, now)
    ]
    if recent:
        last = parcels.newest(recent)
        opens = (parcels.scanned(last) or now) + wait
        return Decision(
            "wait",
            "delivered_recently",
            parcel=last,
            hours_left=max(1, math.ceil((opens - now).total_seconds() / 3600)),
            claim_from=opens,
            suggestions=policy.suggestions,
        )
    if policy.needs_person(order.total, order.currency):
        return _person(order)
    lines = parcels.parcel_lines(order, claimable)
    if not lines:
        return Decision("person", "contents_unknown", parcel=parcels.newest(claimable))
    lost = all(s.status == "lost" for s in claimable)
    reason = "carrier_lost" if lost else "not_received"
    return _claim(order, policy, lines, in_stock, reason, parcels.newest(claimable))


def missing_item(
    order: Order,
    policy: ProblemsPolicy,
    now: datetime,
    in_stock: StockLookup,
    item: OrderItem,
    quantity: Optional[int] = None,
) -> Decision:
    """An item did not come. In a split order it may be in the parcel still on its way: then
    the customer hears that parcel's status, not a claim. No wait: the parcel it should have
    been in has been opened."""
    refused = _refusal(order, item)
    if refused is not None:
        return refused
    lines: Lines = ((item, _quantity(item, quantity)),)
    if not order.shipments:
        return Decision("not_delivered_yet", "not_shipped")
    candidates = parcels.holding(order, item) or order.shipments
    moving = [s for s in candidates if s.status not in parcels.ARRIVED]
    if moving:
        if any(s.status == "delivered" and s not in candidates for s in order.shipments):
            return Decision(
                "other_parcel_on_its_way", "other_parcel", parcel=moving[0], lines=lines
            )
        return Decision("not_delivered_yet", "on_its_way", parcel=moving[0])
    last = parcels.newest(candidates)
    window = timedelta(days=policy.claim_window_days)
    if not parcels.within(parcels.scanned(last), window, now):
        return Decision(
            "too_late", "past_window", parcel=last, deadline=parcels.deadline(last, window)
        )
    if policy.needs_person(order.total, order.currency):
        return _person(order)
    lost = all(s.status == "lost" for s in candidates)
    reason = "carrier_lost" if lost else "missing_from_parcel"
    return _claim(order, policy, lines, in_stock, reason, last)


def damaged_or_wrong(
    order: Order,
    policy: ProblemsPolicy,
    now: datetime,
    in_stock: StockLookup,
    item: OrderItem,
    quantity: Optional[int] = None,
    photo: Optional[str] = None,
) -> Decision:
    """Damaged or the wrong item: a photo first (it shows what happened to whoever settles
    it); then, below the policy's value, settled without the bother of sending it back — a
    return costs more than the item — and above it returned first."""
    refused = _refusal(order, item)
    if refused is not None:
        return refused
    lines: Lines = ((item, _quantity(item, quantity)),)
    if not order.shipments:
        return Decision("not_delivered_yet", "not_shipped")
    candidates = parcels.holding(order, item) or order.shipments
    delivered = [s for s in candidates if s.status == "delivered"]
    if not delivered:
        return Decision("not_delivered_yet", "on_its_way", parcel=candidates[0])
    last = parcels.newest(delivered)
    window = timedelta(days=policy.claim_window_days)
    if not parcels.within(parcels.scanned(last), window, now):
        return Decision(
            "too_late", "past_window", parcel=last, deadline=parcels.deadline(last, window)
        )
    if not is_reference(photo):
        return Decision("photo_needed", "photo_needed", parcel=last, lines=lines)
    if policy.needs_person(order.total, order.currency):
        return _person(order)
    claim = _claim(order, policy, lines, in_stock, "keep_item", last)
    if policy.keep_item(claim.amount or Decimal("0.00"), order.currency):
        return claim
    return Decision(
        "return",
        "send_back",
        parcel=last,
        lines=lines,
        remedy=claim.remedy,
        remedy_reason=claim.remedy_reason,
        amount=claim.amount,
        currency=order.currency,
    )


# --- the parts ------------------------------------------------------------------------------


def _refusal(order: Order, item: Optional[OrderItem]) -> Optional[Decision]:
    if order.status == "cancelled":
        return Decision("nothing_to_claim", "order_cancelled")
    if order.payment_status == "refunded":
        return Decision("nothing_to_claim", "already_refunded")
    if item is not None:
        mine = next((i for i in order.items if i.id == item.id), None)
        if mine is None:
            return Decision("nothing_to_claim", "not_in_order")
        if mine.cancelled_at is not None:
            return Decision("nothing_to_claim", "item_cancelled")
    return None


def _quantity(item: OrderItem, quantity: Optional[int]) -> int:
    if quantity is None:
        return item.quantity
    if not 1 <= quantity <= item.quantity:
        raise ValueError(f"{item.product_name}: 1 to {item.quantity}, not {quantity}")
    return quantity


def _remedy(policy: ProblemsPolicy, lines: Lines, in_stock: StockLookup) -> tuple[Remedy, str]:
    if policy.remedy == "refund_only":
        return "refund", "refund_only"
    answers = [in_stock(item.sku, qty) for item, qty in lines]
    if any(answer is False for answer in answers):
        return "refund", "out_of_stock"
    if not answers or any(answer is None for answer in answers):
        return "refund", "stock_unknown"
    return "replacement", "in_stock"


def _claim(
    order: Order,
    policy: ProblemsPolicy,
    lines: Lines,
    in_stock: StockLookup,
    reason: str,
    parcel: Shipment,
) -> Decision:
    remedy, why = _remedy(policy, lines, in_stock)
    outcome: Outcome = "claim_replacement" if remedy == "replacement" else "claim_refund"
    return Decision(
        outcome,
        reason,
        parcel=parcel,
        lines=lines,
        remedy=remedy,
        remedy_reason=why,
        amount=parcels.amount(order, lines),
        currency=order.currency,
    )


def _person(order: Order) -> Decision:
    return Decision("person", "high_value", amount=order.total, currency=order.currency)

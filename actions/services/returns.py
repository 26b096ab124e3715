"""Returns: which items of an order can go back, what a return costs, and its identity.

Plain functions over the frozen store models and the :class:`ReturnPolicy`, so every rule
is tested without a database. The order of the checks is the order of the explanations a
customer gets: something that can never be returned (final sale, hygiene) is said before
something that merely has not happened yet (delivery) or has run out (the window).

Dates are compared in the shop's time zone: an item delivered at 23:30 UTC on 10 June was
delivered on 11 June in London (BST), and its window counts from 11 June.
"""

from __future__ import annotations

import hashlib
import json
import random
import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from enum import Enum
from typing import Optional
from zoneinfo import ZoneInfo

from actions.services.formatting import local
from actions.services.returns_policy import ReturnPolicy
from actions.store.models import Order, OrderItem

ZERO = Decimal("0.00")


class Refusal(str, Enum):
    FINAL_SALE = "final_sale"
    HYGIENE = "hygiene"
    NOT_DELIVERED = "not_delivered"
    ALREADY_RETURNED = "already_returned"
    ALREADY_CLAIMED = "already_claimed"  # a delivery-problem claim settles it (missing, kept)
    WINDOW_CLOSED = "window_closed"


class OrderRefusal(str, Enum):
    CANCELLED = "cancelled"
    LOST = "lost"
    NOT_DELIVERED = "not_delivered"
    NOTHING_RETURNABLE = "nothing_returnable"


class PersonNeeded(str, Enum):
    """Why a case goes to a colleague (the ``reason`` of a handoff request)."""

    LATE_RETURN = "late_return"
    HIGH_VALUE = "high_value"
    DAMAGED_ON_ARRIVAL = "damaged_on_arrival"
    LOST_IN_TRANSIT = "lost_in_transit"
    CUSTOMER_ASKED = "customer_asked"
    COMPLAINT = "complaint"
    ORDER_LOCKED = "order_locked"


@dataclass(frozen=True)
class ItemCheck:
    """One order item against the policy."""

    item: OrderItem
    returnable: int  # how many can still be returned (0 when refused)
    refusal: Optional[Refusal] = None
    window_days: int = 0
    last_day: Optional[date] = None  # last shop-local day of the window
    days_over: int = 0  # WINDOW_CLOSED: days since the last day
    days_left: int = 0  # returnable: days after today still in the window
    rma: str = ""  # ALREADY_RETURNED: the return it is in; ALREADY_CLAIMED: the claim

    @property
    def ok(self) -> bool:
        return self.refusal is None and self.returnable > 0


@dataclass(frozen=True)
class Assessment:
    order: Order
    checks: tuple[ItemCheck, ...]
    order_refusal: Optional[OrderRefusal] = None
    person: Optional[PersonNeeded] = None

    @property
    def returnable(self) -> list[ItemCheck]:
        return [c for c in self.checks if c.ok]

    @property
    def refused(self) -> list[ItemCheck]:
        return [c for c in self.checks if not c.ok]

    def check(self, item_id: int) -> Optional[ItemCheck]:
        return next((c for c in self.checks if c.item.id == item_id), None)


def shop_date(moment: datetime, tz: ZoneInfo) -> date:
    return local(moment, tz).date()


def check_item(
    item: OrderItem,
    delivered_at: Optional[datetime],
    already_returned: int,
    rma: str,
    policy: ReturnPolicy,
    today: date,
    tz: ZoneInfo,
    claimed: tuple[int, str] = (0, ""),
) -> ItemCheck:
    """Whether (and how much of) one item can be returned ``today`` (a shop-local date).
    ``claimed``: how many a delivery-problem claim already covers, and that claim's number —
    they were refunded or replaced as missing or damaged, so sending them back would pay
    twice."""
    window = policy.window_days(item.category)
    if item.final_sale or item.category in policy.final_sale_categories:
        return ItemCheck(item, 0, Refusal.FINAL_SALE, window)
    if item.category in policy.hygiene_categories:
        return ItemCheck(item, 0, Refusal.HYGIENE, window)
    if delivered_at is None:
        return ItemCheck(item, 0, Refusal.NOT_DELIVERED, window)
    remaining = item.quantity - already_returned
    if remaining <= 0:
        return ItemCheck(item, 0, Refusal.ALREADY_RETURNED, window, rma=rma)
    remaining -= claimed[0]
    if remaining <= 0:
        return ItemCheck(item, 0, Refusal.ALREADY_CLAIMED, window, rma=claimed[1])
    last_day = shop_date(delivered_at, tz) + timedelta(days=window)
    if today > last_day:
        over = (today - last_day).days
        return ItemCheck(item, 0, Refusal.WINDOW_CLOSED, window, last_day, days_over=over)
    return ItemCheck(item, remaining, None, window, last_day, days_left=(last_day - today).days)


def assess_order(
    order: Order,
    deliveries: Mapping[int, Optional[datetime]],
    returned: Mapping[int, tuple[int, str]],
    policy: ReturnPolicy,
    now: datetime,
    tz: ZoneInfo,
    claimed: Optional[Mapping[int, tuple[int, str]]] = None,
) -> Assessment:
    """Every item of ``order`` checked, and what that means for the order as a whole.

    ``deliveries``: when each item's parcel was delivered (``None``: not yet);
    ``returned``: per item, how many are already in a return and that return's RMA.
    """
    today = shop_date(now, tz)
    if order.status == "cancelled":
        return Assessment(order, (), OrderRefusal.CANCELLED)
    if order.status == "lost_in_transit":
        return Assessment(order, (), OrderRefusal.LOST)
    checks = tuple(
        check_item(
            item,
            deliveries.get(item.id),
            returned.get(item.id, (0, ""))[0],
            returned.get(item.id, (0, ""))[1],
            policy,
            today,
            tz,
            (claimed or {}).get(item.id, (0, "")),
        )
        for item in order.items
    )
    if all(deliveries.get(item.id) is None for item in order.items):
        return Assessment(order, checks, OrderRefusal.NOT_DELIVERED)
    if not any(c.ok for c in checks):
        late = [
            c
            for c in checks
            if c.refusal is Refusal.WINDOW_CLOSED and c.days_over <= policy.person_days_past_window
        ]
        person = PersonNeeded.LATE_RETURN if late else None
        return Assessment(order, checks, OrderRefusal.NOTHING_RETURNABLE, person)
    limit = policy.person_order_value_over.get(order.currency)
    if limit is not None and order.total > limit:
        return Assessment(order, checks, None, PersonNeeded.HIGH_VALUE)
    return Assessment(order, checks, None, None)


# --- what the customer picked ------------------------------------------------------------

Selection = dict[int, int]  # order_item_id -> quantity


def encode_selection(selection: Mapping[int, int]) -> str:
    """The slot value for a selection: "12x2,13x1" (sorted, so equal picks read the same)."""
    return ",".join(f"{item}x{qty}" for item, qty in sorted(selection.items()) if qty > 0)


def decode_selection(value: object) -> Selection:
    if not isinstance(value, str):
        return {}
    out: Selection = {}
    for part in value.split(","):
        item, _, qty = part.strip().partition("x")
        if item.isdigit() and qty.isdigit() and int(qty) > 0:
            out[int(item)] = out.get(int(item), 0) + int(qty)
    return out


def valid_selection(selection: Mapping[int, int], assessment: Assessment) -> Selection:
    """The part of a selection that can be returned, quantities capped at what is left."""
    out: Selection = {}
    for item_id, qty in selection.items():
        check = assessment.check(item_id)
        if check is not None and check.ok and qty > 0:
            out[item_id] = min(qty, check.returnable)
    return out


@dataclass(frozen=True)
class Quote:
    """The money side of a return, in the order's currency."""

    currency: str
    items_value: Decimal
    return_fee: Decimal
    refund_amount: Decimal


def carrier_fee(policy: ReturnPolicy, currency: str, reason: Optional[str]) -> Decimal:
    """The return fee for sending by carrier (0 when the reason makes returns free)."""
    if reason and policy.reason(reason).free_return_shipping:
        return ZERO
    return policy.carrier_fee.get(currency, ZERO)


def drop_off_fee(policy: ReturnPolicy, currency: str, reason: Optional[str]) -> Decimal:
    return ZERO if policy.drop_off_free else carrier_fee(policy, currency, reason)


def quote(
    order: Order, selection: Mapping[int, int], reason: str, method: str, policy: ReturnPolicy
) -> Quote:
    prices = {item.id: item.unit_price for item in order.items}
    value = sum(
        (prices[item_id] * qty for item_id, qty in selection.items() if item_id in prices),
        ZERO,
    ).quantize(Decimal("0.01"))
    if method == "drop_off":
        fee = drop_off_fee(policy, order.currency, reason)
    else:
        fee = carrier_fee(policy, order.currency, reason)
    fee = min(fee, value)
    return Quote(order.currency, value, fee, value - fee)


def idempotency_key(
    conversation_id: str,
    order_number: str,
    selection: Mapping[int, int],
    reason: str,
    method: str,
    store_id: Optional[int],
    refund_method: str,
) -> str:
    """One key per conversation and confirmed selection: confirming twice finds one return."""
    payload = json.dumps(
        {
            "conversation": conversation_id,
            "order": order_number,
            "items": sorted(selection.items()),
            "reason": reason,
            "method": method,
            "store": store_id,
            "refund": refund_method,
        },
        sort_keys=True,
    )
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def return_by(today: date, method: str, policy: ReturnPolicy) -> date:
    """The last day to hand the parcel in (to a store, or to the carrier with the label)."""
    days = policy.drop_off_days if method == "drop_off" else policy.label_valid_days
    return today + timedelta(days=days)


# --- return labels ------------------------------------------------------------------------


def s10_check_digit(digits: Sequence[int]) -> int:
    """UPU S10 check digit, as Royal Mail and An Post tracking numbers carry."""
    total = sum(d * w for d, w in zip(digits, (8, 6, 4, 2, 3, 5, 9, 7), strict=True))
    check = 11 - total % 11
    return {10: 0, 11: 5}.get(check, check)


def label_tracking_number(country: str, rng: Optional[random.Random] = None) -> str:
    """A carrier-shaped tracking number for a return label: "RT123456785GB"."""
    source = rng or secrets.SystemRandom()
    digits = [source.randint(0, 9) for _ in range(8)]
    serial = "".join(map(str, digits))
    return f"RT{serial}{s10_check_digit(digits)}{country}"

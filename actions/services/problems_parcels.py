"""Which parcel held an item, when the carrier last had news of it, and what items cost the
customer: the facts :mod:`actions.services.problems` decides on (pure).

Parcels list their contents by product name (:attr:`Shipment.contents`), so that is how an item
is found in its parcel. A parcel that lists nothing holds whatever no other parcel lists.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Optional

from actions.services.cancel_items import CENT, already_refunded, item_refund, open_items
from actions.services.problems_decision import Lines
from actions.store.models import Order, OrderItem, Shipment

#: Not on its way any more: delivered, or never will be.
ARRIVED = ("delivered", "lost")


def holding(order: Order, item: OrderItem) -> tuple[Shipment, ...]:
    """The parcels whose contents list the item; if none does, those that list nothing."""
    listing = tuple(
        s for s in order.shipments if any(n == item.product_name for n, _ in s.contents)
    )
    return listing or tuple(s for s in order.shipments if not s.contents)


def scanned(parcel: Shipment) -> Optional[datetime]:
    """When the carrier last had news: the delivery (its time, else the delivered scan), or
    for any other state the latest scan. None: no time at all (no wait, no window)."""
    if parcel.status == "delivered":
        if parcel.delivered_at is not None:
            return parcel.delivered_at
        scans = [e.occurred_at for e in parcel.events if e.status == "delivered"]
        if scans:
            return max(scans)
    latest = parcel.latest_event
    return latest.occurred_at if latest is not None else None


def within(moment: Optional[datetime], span: timedelta, now: datetime) -> bool:
    """Not past ``span`` after ``moment``; a parcel without a time never is."""
    return moment is None or now < moment + span


def lately(moment: Optional[datetime], span: timedelta, now: datetime) -> bool:
    """Less than ``span`` ago; a parcel without a time never was."""
    return moment is not None and now < moment + span


def newest(parcels: Sequence[Shipment]) -> Shipment:
    """The parcel the carrier had news of last."""
    return max(parcels, key=lambda s: scanned(s) or datetime.min)


def deadline(parcel: Shipment, window: timedelta) -> Optional[datetime]:
    """The end of the claims window for ``parcel``."""
    moment = scanned(parcel)
    return moment + window if moment is not None else None


def parcel_lines(order: Order, parcels: Sequence[Shipment]) -> Lines:
    """What the parcels held, as the order's open items (a parcel listing nothing: whatever no
    other parcel lists)."""
    still = open_items(order)
    listed = {name for s in order.shipments for name, _ in s.contents}
    unlisted = tuple((i.product_name, i.quantity) for i in still if i.product_name not in listed)
    found: dict[int, tuple[OrderItem, int]] = {}
    for parcel in parcels:
        for name, qty in parcel.contents or unlisted:
            item = next((i for i in still if i.product_name == name), None)
            if item is not None:
                before = found.get(item.id, (item, 0))[1]
                found[item.id] = (item, min(item.quantity, before + qty))
    return tuple(found.values())


def amount(order: Order, lines: Lines) -> Decimal:
    """What the lines cost the customer: the price less its share of an order discount; all
    that is left of the order (shipping included) when they are all of it."""
    still = open_items(order)
    whole = {i.id for i, _ in lines} == {i.id for i in still} and all(
        qty == i.quantity for i, qty in lines
    )
    if whole:
        return max(Decimal("0.00"), order.total - already_refunded(order)).quantize(CENT)
    parts = (
        (item_refund(order, i) * qty / i.quantity).quantize(CENT, ROUND_HALF_UP) for i, qty in lines
    )
    return sum(parts, Decimal("0.00"))

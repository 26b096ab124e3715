"""What the demo seed plans before it writes a row: customers, orders and parcels as whole-day
offsets from the anchor, and the one random sequence every plan draws from.

:class:`Draws` is the state the seed's steps share (:mod:`actions.store.seed_people`,
:mod:`actions.store.seed_orders`, :mod:`actions.store.seed_rows`); the builder in
:mod:`actions.store.seed` runs them in a fixed order, so the draws, and the demo, never change.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone
from typing import Any, Optional
from zoneinfo import ZoneInfo

from sqlalchemy import Table

from actions.store import tables as t
from actions.store.demo_data import DemoShop, Product, demo_shop

SEED_VERSION = "1"
RNG_SEED = 20261122
SHOP_TZ = ZoneInfo("Europe/London")
FIRST_ORDER_NUMBER = 10001

CURRENCY_BY_COUNTRY = {"GB": "GBP", "IE": "EUR"}

# Day offsets are relative to the anchor: 0 is the anchor day, -1 the day before.
# A moment is (day offset, hour, minute) in shop-local time.
Moment = tuple[int, int, int]

# Insert order (parents before children).
TABLES: tuple[Table, ...] = (
    t.customers,
    t.addresses,
    t.orders,
    t.order_items,
    t.shipments,
    t.shipment_items,
    t.tracking_events,
    t.stores,
    t.stock_levels,
    t.seed_meta,
)


def moment_of(value: Any) -> Moment:
    """A moment as the demo file writes it: [day offset, hour, minute]."""
    day, hour, minute = value
    return (int(day), int(hour), int(minute))


@dataclass
class CustomerPlan:
    id: int
    first_name: str
    last_name: str
    email: str
    phone: str
    line1: str
    line2: Optional[str]
    city: str
    postal_code: str
    country: str
    created: Optional[Moment] = None
    created_minutes_before: int = 0  # with created == first order's moment

    @property
    def currency(self) -> str:
        return CURRENCY_BY_COUNTRY[self.country]


@dataclass
class ParcelPlan:
    carrier: str
    lines: list[int]  # indexes into the order's lines
    status: str  # in_transit, out_for_delivery, delivered, delayed, lost
    shipped_day: int
    eta_day: Optional[int] = None
    depot_day: Optional[int] = None  # in_transit only: reached the local depot that day
    delivered: Optional[Moment] = None
    delivered_to: Optional[str] = None
    delay_day: Optional[int] = None
    delay_reason: Optional[str] = None
    last_scan_day: Optional[int] = None  # lost only


@dataclass
class OrderPlan:
    customer: CustomerPlan
    status: str
    placed: Moment
    lines: list[tuple[Product, int]]
    payment_method: str
    payment_status: str  # pending, paid, refunded, voided
    paid_after_minutes: Optional[int]
    expected_dispatch: Optional[int] = None
    promised: Optional[int] = None
    parcels: list[ParcelPlan] = field(default_factory=list)
    cancelled: Optional[Moment] = None
    cancellation_reason: Optional[str] = None
    refunded_after_minutes: Optional[int] = None


class Draws:
    """The anchor, the demo shop's data, the random sequence, and what is already taken."""

    def __init__(self, anchor: date, shop: Optional[DemoShop] = None) -> None:
        self.anchor = anchor
        self.shop = shop or demo_shop()
        self.rng = random.Random(RNG_SEED)
        self.rows: dict[str, list[dict[str, Any]]] = {tbl.name: [] for tbl in TABLES}
        self._emails: set[str] = set()
        self._phones: set[str] = set()
        self._names: set[tuple[str, str]] = set()
        self._tracking: set[str] = set()

    def at(self, moment: Moment) -> datetime:
        """Shop-local (day offset, hour, minute) as naive UTC."""
        day, hour, minute = moment
        local = datetime.combine(
            self.anchor + timedelta(days=day), time(hour, minute), tzinfo=SHOP_TZ
        )
        return local.astimezone(timezone.utc).replace(tzinfo=None)

    def day(self, offset: Optional[int]) -> Optional[date]:
        return None if offset is None else self.anchor + timedelta(days=offset)

    def moment(self, day: int, first_hour: int, last_hour: int) -> Moment:
        """A random minute between first_hour:00 and last_hour:59 on ``day``."""
        return (day, self.rng.randint(first_hour, last_hour), self.rng.randint(0, 59))

"""Plain, frozen views of the shop's data that business rules work on.

Business functions in :mod:`actions.services` take these objects, never database rows, so
they can be tested with hand-built values and no database at all.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Optional


@dataclass(frozen=True)
class Address:
    line1: str
    line2: Optional[str]
    city: str
    postal_code: str
    country: str


@dataclass(frozen=True)
class Customer:
    id: int
    first_name: str
    last_name: str
    email: str
    phone: Optional[str]
    postal_code: str

    @property
    def display_name(self) -> str:
        return f"{self.first_name} {self.last_name}"


@dataclass(frozen=True)
class OrderItem:
    id: int
    sku: str
    product_name: str
    category: str
    quantity: int
    unit_price: Decimal
    final_sale: bool = False
    # cancelled on its own before the order left (the rest of the order goes ahead), and what
    # that cancellation refunded
    cancelled_at: Optional[datetime] = None
    refunded: Optional[Decimal] = None


@dataclass(frozen=True)
class TrackingEvent:
    occurred_at: datetime
    status: str
    description: str
    location: str


@dataclass(frozen=True)
class Shipment:
    id: int
    carrier: str
    tracking_number: str
    tracking_url: str
    status: str
    shipped_at: Optional[datetime]
    estimated_delivery: Optional[date]
    delivered_at: Optional[datetime]
    delivered_to: Optional[str]
    events: tuple[TrackingEvent, ...] = ()
    # (product name, quantity) for what is in this parcel
    contents: tuple[tuple[str, int], ...] = ()

    @property
    def latest_event(self) -> Optional[TrackingEvent]:
        return max(self.events, key=lambda e: e.occurred_at) if self.events else None


@dataclass(frozen=True)
class ClaimRefundPaid:
    """Money paid back for a delivery-problem claim (``CLM-30001``): not a return's refund, not a
    cancellation's — the order's own record of it, for "where is my refund?" and the person who
    takes over. ``external_ref`` is the platform's refund id (None on the built-in shop)."""

    claim: str
    amount: Decimal
    currency: str
    destination: str  # "Visa ending 4242"
    refunded_at: datetime
    external_ref: Optional[str] = None


@dataclass(frozen=True)
class Order:
    id: int
    number: str
    customer_id: int
    status: str
    placed_at: datetime
    paid_at: Optional[datetime]
    currency: str
    subtotal: Decimal
    shipping_fee: Decimal
    total: Decimal
    expected_dispatch: Optional[date]
    promised_delivery: Optional[date]
    cancelled_at: Optional[datetime]
    cancellation_reason: Optional[str]
    payment_status: str
    refunded_at: Optional[datetime]
    payment_method: str
    shipping_address: Address
    # The e-mail on the order (the customer's) — used only to check ownership.
    email: str
    items: tuple[OrderItem, ...] = ()
    shipments: tuple[Shipment, ...] = field(default=())
    # The latest change of the delivery address made through Baton (None: never), and by whom.
    address_changed_at: Optional[datetime] = None
    address_changed_by: Optional[str] = None
    # Claims' refunds paid on this order, oldest first (a partial one leaves payment_status
    # "partially_refunded"; all that was left of the order, "refunded").
    claim_refunds: tuple[ClaimRefundPaid, ...] = ()


@dataclass(frozen=True)
class OrderSummary:
    """What a button offering an order needs: no personal data."""

    number: str
    status: str
    placed_at: datetime
    item_count: int
    first_item: str


@dataclass(frozen=True)
class Store:
    id: int
    name: str
    line1: str
    city: str
    postal_code: str
    country: str
    phone: Optional[str]
    latitude: float
    longitude: float
    opening_hours: dict[str, Optional[str]]
    accepts_returns: bool

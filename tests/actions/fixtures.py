"""Hand-built orders for business-rule tests: no database needed."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from actions.store.models import Address, Order, OrderItem, Shipment, TrackingEvent

NOW = datetime(2026, 11, 22, 10, 0)  # naive UTC; a Sunday


def parcel(status: str = "in_transit", **kw: Any) -> Shipment:
    defaults: dict[str, Any] = dict(
        id=1,
        carrier="DPD",
        tracking_number="1550376454",
        tracking_url="https://track.dpd.co.uk/parcels/1550376454",
        status=status,
        shipped_at=datetime(2026, 11, 21, 9, 0),
        estimated_delivery=date(2026, 11, 24),
        delivered_at=None,
        delivered_to=None,
        events=(
            TrackingEvent(datetime(2026, 11, 21, 9, 0), "collected", "Collected", "London Hub"),
            TrackingEvent(
                datetime(2026, 11, 22, 4, 2), "depot", "Arrived at local depot", "London depot"
            ),
        ),
        contents=(("Linen duvet cover", 1),),
    )
    defaults.update(kw)
    return Shipment(**defaults)


def order(status: str = "shipped", shipments: tuple[Shipment, ...] = (), **kw: Any) -> Order:
    defaults: dict[str, Any] = dict(
        id=1,
        number="10001",
        customer_id=1,
        status=status,
        placed_at=datetime(2026, 11, 18, 12, 0),
        paid_at=datetime(2026, 11, 18, 12, 1),
        currency="GBP",
        subtotal=Decimal("79.00"),
        shipping_fee=Decimal("0.00"),
        total=Decimal("79.00"),
        expected_dispatch=None,
        promised_delivery=date(2026, 11, 24),
        cancelled_at=None,
        cancellation_reason=None,
        payment_status="paid",
        refunded_at=None,
        payment_method="Visa ending 4242",
        shipping_address=Address("14 Abbey Road", None, "London", "SW1A 1AA", "GB"),
        email="jane.doe@example.com",
        items=(OrderItem(1, "HW-1", "Linen duvet cover", "bedding", 1, Decimal("79.00")),),
        shipments=shipments,
    )
    defaults.update(kw)
    return Order(**defaults)

"""The shop's data, as SQLAlchemy Core tables.

The action server owns this database (DESIGN.md, "Data and who owns it"). Core tables rather
than ORM classes keep the asyncio engine simple and make every query explicit; the repository
turns rows into the frozen dataclasses in :mod:`actions.store.models`.

Times are stored as naive UTC datetimes; the shop's time zone is applied only when a customer
is shown a date.
"""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    Numeric,
    String,
    Table,
    Text,
    UniqueConstraint,
)

metadata = MetaData()

# Order states a customer can see. The seed covers every one of them.
ORDER_STATES = (
    "placed",
    "paid",
    "packed",
    "shipped",
    "out_for_delivery",
    "delivered",
    "delayed",
    "lost_in_transit",
    "cancelled",
)

customers = Table(
    "customers",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("first_name", String(80), nullable=False),
    Column("last_name", String(80), nullable=False),
    Column("email", String(254), nullable=False, unique=True),
    Column("phone", String(20), nullable=True, unique=True),  # E.164, e.g. +447700900123
    Column("postal_code", String(12), nullable=False),
    Column("created_at", DateTime, nullable=False),
)

addresses = Table(
    "addresses",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("customer_id", ForeignKey("customers.id"), nullable=False, index=True),
    Column("line1", String(120), nullable=False),
    Column("line2", String(120), nullable=True),
    Column("city", String(80), nullable=False),
    Column("postal_code", String(12), nullable=False),
    Column("country", String(2), nullable=False),  # ISO 3166-1 alpha-2: GB, IE
)

orders = Table(
    "orders",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("number", String(12), nullable=False, unique=True),
    Column("customer_id", ForeignKey("customers.id"), nullable=False, index=True),
    Column("shipping_address_id", ForeignKey("addresses.id"), nullable=False),
    Column("status", String(20), nullable=False),
    Column("placed_at", DateTime, nullable=False),
    Column("paid_at", DateTime, nullable=True),
    Column("currency", String(3), nullable=False),  # GBP, EUR
    Column("subtotal", Numeric(10, 2), nullable=False),
    Column("shipping_fee", Numeric(10, 2), nullable=False),
    Column("total", Numeric(10, 2), nullable=False),
    # When the warehouse expects to hand the parcel to the carrier (not shipped yet).
    Column("expected_dispatch", Date, nullable=True),
    # The delivery date promised at checkout; shipments carry the carrier's current ETA.
    Column("promised_delivery", Date, nullable=True),
    Column("cancelled_at", DateTime, nullable=True),
    Column("cancellation_reason", String(200), nullable=True),
    # pending, paid, refunded, voided (authorisation released, never charged)
    Column("payment_status", String(12), nullable=False),
    Column("refunded_at", DateTime, nullable=True),
    Column("payment_method", String(40), nullable=False),  # e.g. "Visa ending 4242"
)

order_items = Table(
    "order_items",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("order_id", ForeignKey("orders.id"), nullable=False, index=True),
    Column("sku", String(40), nullable=False),
    Column("product_name", String(120), nullable=False),
    Column("category", String(40), nullable=False),
    Column("quantity", Integer, nullable=False),
    Column("unit_price", Numeric(10, 2), nullable=False),
    Column("final_sale", Boolean, nullable=False, default=False),
)

shipments = Table(
    "shipments",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("order_id", ForeignKey("orders.id"), nullable=False, index=True),
    Column("carrier", String(40), nullable=False),
    Column("tracking_number", String(40), nullable=False, unique=True),
    Column("tracking_url", String(300), nullable=False),
    # label_created, in_transit, out_for_delivery, delivered, delayed, lost
    Column("status", String(20), nullable=False),
    Column("shipped_at", DateTime, nullable=True),
    Column("estimated_delivery", Date, nullable=True),
    Column("delivered_at", DateTime, nullable=True),
    Column("delivered_to", String(120), nullable=True),  # "handed to resident", "parcel locker"
)

shipment_items = Table(
    "shipment_items",
    metadata,
    Column("shipment_id", ForeignKey("shipments.id"), primary_key=True),
    Column("order_item_id", ForeignKey("order_items.id"), primary_key=True),
    Column("quantity", Integer, nullable=False),
)

tracking_events = Table(
    "tracking_events",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("shipment_id", ForeignKey("shipments.id"), nullable=False, index=True),
    Column("occurred_at", DateTime, nullable=False),
    Column("status", String(30), nullable=False),
    Column("description", String(200), nullable=False),
    Column("location", String(120), nullable=False),
)

stores = Table(
    "stores",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("name", String(120), nullable=False),
    Column("line1", String(120), nullable=False),
    Column("city", String(80), nullable=False),
    Column("postal_code", String(12), nullable=False),
    Column("country", String(2), nullable=False),
    Column("phone", String(20), nullable=True),
    Column("latitude", Float, nullable=False),
    Column("longitude", Float, nullable=False),
    # {"mon": "09:00-18:00", ..., "sun": null}
    Column("opening_hours", JSON, nullable=False),
    Column("accepts_returns", Boolean, nullable=False, default=True),
)

# Failed and successful ownership proofs; the lockout counts failures in a rolling hour.
verification_attempts = Table(
    "verification_attempts",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("order_number", String(12), nullable=False),
    Column("conversation_id", String(120), nullable=False),
    Column("attempted_at", DateTime, nullable=False),
    Column("succeeded", Boolean, nullable=False),
    Index("ix_verification_order_time", "order_number", "attempted_at"),
    Index("ix_verification_conversation_time", "conversation_id", "attempted_at"),
)

seed_meta = Table(
    "seed_meta",
    metadata,
    Column("key", String(40), primary_key=True),
    Column("value", Text, nullable=False),
    UniqueConstraint("key"),
)

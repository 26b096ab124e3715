"""The store's schema at the baseline revision (0001), frozen.

This is ``actions/store/tables.py`` as it was when migrations began (what ``create_all`` made
until then, with ``verification_attempts.client_key``). It must never follow tables.py again:
revision 0001 creates exactly this, and :func:`actions.store.migrate.adopt` completes an
older database to it before stamping, so both paths meet at the same schema. Changes go into
new revisions under ``versions/``.
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


customers = Table(
    "customers",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("first_name", String(80), nullable=False),
    Column("last_name", String(80), nullable=False),
    Column("email", String(254), nullable=False, unique=True),
    Column("phone", String(20), nullable=True, unique=True),
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
    Column("country", String(2), nullable=False),
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
    Column("currency", String(3), nullable=False),
    Column("subtotal", Numeric(10, 2), nullable=False),
    Column("shipping_fee", Numeric(10, 2), nullable=False),
    Column("total", Numeric(10, 2), nullable=False),
    Column("expected_dispatch", Date, nullable=True),
    Column("promised_delivery", Date, nullable=True),
    Column("cancelled_at", DateTime, nullable=True),
    Column("cancellation_reason", String(200), nullable=True),
    Column("payment_status", String(12), nullable=False),
    Column("refunded_at", DateTime, nullable=True),
    Column("payment_method", String(40), nullable=False),
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
    Column("status", String(20), nullable=False),
    Column("shipped_at", DateTime, nullable=True),
    Column("estimated_delivery", Date, nullable=True),
    Column("delivered_at", DateTime, nullable=True),
    Column("delivered_to", String(120), nullable=True),
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
    Column("opening_hours", JSON, nullable=False),
    Column("accepts_returns", Boolean, nullable=False, default=True),
)

verification_attempts = Table(
    "verification_attempts",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("order_number", String(12), nullable=False),
    Column("conversation_id", String(120), nullable=False),
    Column("attempted_at", DateTime, nullable=False),
    Column("succeeded", Boolean, nullable=False),
    Column("client_key", String(64), nullable=True),
    Index("ix_verification_order_time", "order_number", "attempted_at"),
    Index("ix_verification_conversation_time", "conversation_id", "attempted_at"),
    Index("ix_verification_client_time", "client_key", "attempted_at"),
)

seed_meta = Table(
    "seed_meta",
    metadata,
    Column("key", String(40), primary_key=True),
    Column("value", Text, nullable=False),
    UniqueConstraint("key"),
)


returns = Table(
    "returns",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("rma", String(16), nullable=True, unique=True),
    Column("order_id", ForeignKey("orders.id"), nullable=False, index=True),
    Column("customer_id", ForeignKey("customers.id"), nullable=False, index=True),
    Column("conversation_id", String(120), nullable=True),
    Column("idempotency_key", String(64), nullable=False, unique=True),
    Column("status", String(20), nullable=False),
    Column("reason", String(20), nullable=False),
    Column("reason_note", String(500), nullable=True),
    Column("method", String(12), nullable=False),
    Column("store_id", ForeignKey("stores.id"), nullable=True),
    Column("refund_method", String(20), nullable=False),
    Column("currency", String(3), nullable=False),
    Column("items_value", Numeric(10, 2), nullable=False),
    Column("return_fee", Numeric(10, 2), nullable=False),
    Column("refund_amount", Numeric(10, 2), nullable=False),
    Column("created_at", DateTime, nullable=False),
    Column("return_by", Date, nullable=True),
    Column("shipped_at", DateTime, nullable=True),
    Column("received_at", DateTime, nullable=True),
    Column("inspected_at", DateTime, nullable=True),
    Column("rejected_at", DateTime, nullable=True),
    Column("rejection_reason", String(300), nullable=True),
)

return_items = Table(
    "return_items",
    metadata,
    Column("return_id", ForeignKey("returns.id"), primary_key=True),
    Column("order_item_id", ForeignKey("order_items.id"), primary_key=True),
    Column("quantity", Integer, nullable=False),
)

return_labels = Table(
    "return_labels",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("return_id", ForeignKey("returns.id"), nullable=False, unique=True),
    Column("carrier", String(40), nullable=False),
    Column("tracking_number", String(40), nullable=False, unique=True),
    Column("tracking_url", String(300), nullable=False),
    Column("created_at", DateTime, nullable=False),
    Column("valid_until", Date, nullable=False),
)

refunds = Table(
    "refunds",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("return_id", ForeignKey("returns.id"), nullable=False, unique=True),
    Column("amount", Numeric(10, 2), nullable=False),
    Column("currency", String(3), nullable=False),
    Column("method", String(20), nullable=False),
    Column("destination", String(60), nullable=False),
    Column("refunded_at", DateTime, nullable=False),
)

handoff_requests = Table(
    "handoff_requests",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("conversation_id", String(120), nullable=False, index=True),
    Column("customer_id", ForeignKey("customers.id"), nullable=True),
    Column("order_number", String(12), nullable=True),
    Column("topic", String(20), nullable=False),
    Column("reason", String(30), nullable=False),
    Column("summary", String(500), nullable=False),
    Column("details", JSON, nullable=False),
    Column("status", String(12), nullable=False, default="open"),
    Column("created_at", DateTime, nullable=False),
)

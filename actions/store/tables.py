"""The shop's data, as SQLAlchemy Core tables.

The action server owns this database (docs/architecture.md, "Data: who owns which database"). Core
tables rather than ORM classes keep the asyncio engine simple and make every query explicit; the
repository turns rows into the frozen dataclasses in :mod:`actions.store.models`.

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
    # The commerce platform's id for this customer (Shopify, WooCommerce); None for the
    # built-in shop. Rows with one are a copy of the platform's (actions/shop/mirror.py).
    Column("external_ref", String(120), nullable=True, unique=True),
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
    # pending, paid, partially_refunded (a claim's refund: some of it came back), refunded,
    # voided (authorisation released, never charged); 20 wide since store revision 0006
    Column("payment_status", String(20), nullable=False),
    Column("refunded_at", DateTime, nullable=True),
    Column("payment_method", String(40), nullable=False),  # e.g. "Visa ending 4242"
    # On a platform backend: the platform's order id, and when this copy was last read from
    # it (None: never, e.g. a demo row; read again before it is used).
    Column("external_ref", String(120), nullable=True),
    Column("synced_at", DateTime, nullable=True),
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
    Column("external_ref", String(120), nullable=True),  # the platform's line item id
    # an item cancelled on its own (the rest of the order goes ahead), and what it refunded
    Column("cancelled_at", DateTime, nullable=True),
    Column("refunded_amount", Numeric(10, 2), nullable=True),
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
    # who is guessing, across conversations: a keyed hash of the web client's address, the
    # WhatsApp number or the Slack user (connectors/identity.py, client_key); null if unknown
    Column("client_key", String(64), nullable=True),
    Index("ix_verification_order_time", "order_number", "attempted_at"),
    Index("ix_verification_conversation_time", "conversation_id", "attempted_at"),
    Index("ix_verification_client_time", "client_key", "attempted_at"),
)

# Delivery addresses changed in the chat (actions/address.py): one row per change, so a double
# tap or a retried confirmation finds its key and changes nothing twice, the order question
# can say "address changed on <date>", and the person taking over sees who changed it when.
# No address in it: the order's own shipping address is the truth.
address_changes = Table(
    "address_changes",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("idempotency_key", String(64), nullable=False, unique=True),
    Column("order_number", String(12), nullable=False, index=True),
    Column("conversation_id", String(120), nullable=False),
    Column("changed_by", String(40), nullable=False),  # "customer via chat"
    Column("changed_at", DateTime, nullable=False),
)

# Delivery problems claimed in the chat (actions/services/problems.py): one row per claim, under
# the claim's idempotency key (order, kind, item), so a double tap, a retried message, a second
# chat or a restart finds the first claim instead of opening another. The shop settles it.
#   open             to be settled with the remedy (a replacement sent or a refund paid)
#   awaiting_return  damaged or wrong and worth too much to keep: settled once it is back
#   settled          the replacement was sent or the refund paid
#   rejected         not accepted after all (a person decided)
CLAIM_STATES = ("open", "awaiting_return", "settled", "rejected")

claims = Table(
    "claims",
    metadata,
    Column("id", Integer, primary_key=True),  # the claim number is CLM-<30000 + id>
    Column("idempotency_key", String(64), nullable=False, unique=True),
    Column("order_number", String(12), nullable=False, index=True),
    Column("kind", String(20), nullable=False),  # not_received, missing_item, damaged, wrong_item
    Column("reason", String(30), nullable=False),  # the decision's reason code
    # the order item claimed and how many (None: a whole parcel not received)
    Column("order_item_id", Integer, nullable=True),
    Column("quantity", Integer, nullable=True),
    Column("remedy", String(12), nullable=False),  # replacement, refund
    Column("amount", Numeric(10, 2), nullable=False),  # what the items cost the customer
    Column("currency", String(3), nullable=False),
    Column("state", String(20), nullable=False),  # CLAIM_STATES
    # the customer's photo: its reference, uploads/<conversation folder>/<file> (infra/uploads.py)
    Column("photo_upload_id", String(420), nullable=True),
    # the conversation that made it (None once the customer is erased, or made elsewhere)
    Column("conversation_id", String(120), nullable=True),
    Column("created_by", String(40), nullable=False),  # "customer via chat"
    Column("created_at", DateTime, nullable=False),
)

# Money paid back for a claim (one refund per claim: its number is unique), by
# ShopBackend.refund_claim, or read from the platform (a refund whose note names the claim).
# A row without refunded_at is a payment under way since started_at: one payer at a time, across
# replicas; after a crash the platform is read for it before anything is paid again.
claim_refunds = Table(
    "claim_refunds",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("claim", String(16), nullable=False, unique=True),  # "CLM-30001"
    Column("order_number", String(12), nullable=False, index=True),
    Column("amount", Numeric(10, 2), nullable=False),
    Column("currency", String(3), nullable=False),
    Column("destination", String(60), nullable=True),  # "Visa ending 4242", once paid
    Column("started_at", DateTime, nullable=False),
    Column("refunded_at", DateTime, nullable=True),
    Column("external_ref", String(120), nullable=True),  # the platform's refund id
)

# Units of each product the shop can send now (ShopBackend.stock; a claim's replacement goes
# only to what is in stock). A SKU without a row is not tracked: stock unknown, so a claim on it
# settles as a refund. A replacement sent takes its units off (actions/shop/claim_replacement.py).
stock_levels = Table(
    "stock_levels",
    metadata,
    Column("sku", String(40), primary_key=True),
    Column("available", Integer, nullable=False),
    Column("updated_at", DateTime, nullable=False),
)

# Replacement orders sent for claims (one per claim: its number is unique), by
# ShopBackend.send_replacement. A row without sent_at is a replacement under way since started_at:
# one sender at a time, across replicas; after a crash the platform is searched for an order
# naming the claim before another is made.
claim_replacements = Table(
    "claim_replacements",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("claim", String(16), nullable=False, unique=True),  # "CLM-30001"
    Column("order_number", String(12), nullable=False, index=True),  # the claimed order
    Column("replacement_number", String(12), nullable=True),  # the new order, once sent
    Column("started_at", DateTime, nullable=False),
    Column("sent_at", DateTime, nullable=True),
    Column("external_ref", String(120), nullable=True),  # the platform's order id
)

seed_meta = Table(
    "seed_meta",
    metadata,
    Column("key", String(40), primary_key=True),
    Column("value", Text, nullable=False),
    UniqueConstraint("key"),
)

# --------------------------------------------------------------------------------------
# Returns and refunds (actions/returns.py, actions/refunds.py; seeded by seed_returns.py)
# --------------------------------------------------------------------------------------

# A return moves forward through these states; "rejected" ends it without a refund.
#   requested      created; a drop-off return waits for the customer to bring it in
#   label_created  a carrier return whose label exists; the carrier has not scanned it yet
#   in_transit     on its way to us (carrier scan or handed in at a store)
#   received       arrived at the returns centre, waiting to be inspected
#   inspected      checked and accepted; the refund is being paid
#   refunded       the money (or store credit) has been paid: see ``refunds``
#   rejected       not accepted after inspection (``rejection_reason`` says why)
RETURN_STATES = (
    "requested",
    "label_created",
    "in_transit",
    "received",
    "inspected",
    "refunded",
    "rejected",
)

returns = Table(
    "returns",
    metadata,
    Column("id", Integer, primary_key=True),
    # "RMA-20001": what the customer quotes. Set right after the insert (from the id).
    Column("rma", String(16), nullable=True, unique=True),
    Column("order_id", ForeignKey("orders.id"), nullable=False, index=True),
    Column("customer_id", ForeignKey("customers.id"), nullable=False, index=True),
    # The conversation that created it (None for returns made elsewhere, e.g. the seed).
    Column("conversation_id", String(120), nullable=True),
    # Hash of the conversation and the confirmed selection: the same confirmation delivered
    # twice (double click, channel or action retry) finds the first return instead of
    # creating a second one. The unique constraint is what guarantees it.
    Column("idempotency_key", String(64), nullable=False, unique=True),
    Column("status", String(20), nullable=False),
    # damaged, wrong_item, doesnt_fit, changed_mind, other (policy/returns.yml)
    Column("reason", String(20), nullable=False),
    Column("reason_note", String(500), nullable=True),  # the customer's own words, if any
    Column("method", String(12), nullable=False),  # drop_off, carrier
    Column("store_id", ForeignKey("stores.id"), nullable=True),  # drop_off only
    Column("refund_method", String(20), nullable=False),  # original_payment, store_credit
    Column("currency", String(3), nullable=False),
    Column("items_value", Numeric(10, 2), nullable=False),
    Column("return_fee", Numeric(10, 2), nullable=False),
    Column("refund_amount", Numeric(10, 2), nullable=False),
    Column("created_at", DateTime, nullable=False),
    Column("return_by", Date, nullable=True),  # last day to hand it in (shop-local date)
    Column("shipped_at", DateTime, nullable=True),  # scanned by the carrier / handed in
    Column("received_at", DateTime, nullable=True),
    Column("inspected_at", DateTime, nullable=True),
    Column("rejected_at", DateTime, nullable=True),
    Column("rejection_reason", String(300), nullable=True),
    # The platform's record of this return (a Shopify Return id, a WooCommerce order note id).
    Column("platform_ref", String(120), nullable=True),
)

return_items = Table(
    "return_items",
    metadata,
    Column("return_id", ForeignKey("returns.id"), primary_key=True),
    Column("order_item_id", ForeignKey("order_items.id"), primary_key=True),
    Column("quantity", Integer, nullable=False),
)

# A prepaid carrier label; the printable page is GET /returns/labels/<rma>?t=<token>.
return_labels = Table(
    "return_labels",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("return_id", ForeignKey("returns.id"), nullable=False, unique=True),
    Column("carrier", String(40), nullable=False),
    Column("tracking_number", String(40), nullable=False, unique=True),
    Column("tracking_url", String(300), nullable=False),
    Column("created_at", DateTime, nullable=False),
    Column("valid_until", Date, nullable=False),  # shop-local date
)

# Money paid back for a return (one refund per return).
refunds = Table(
    "refunds",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("return_id", ForeignKey("returns.id"), nullable=False, unique=True),
    Column("amount", Numeric(10, 2), nullable=False),
    Column("currency", String(3), nullable=False),
    Column("method", String(20), nullable=False),  # original_payment, store_credit
    Column("destination", String(60), nullable=False),  # "Visa ending 4242", "store credit"
    Column("refunded_at", DateTime, nullable=False),
    Column("external_ref", String(120), nullable=True),  # the platform's refund id
)

# Cases the policy leaves to a person, recorded with everything the customer said so the
# human handoff (action_handoff) can pick them up. ``details`` is JSON: order, items,
# reason, the customer's messages in this flow, and why a person is needed.
handoff_requests = Table(
    "handoff_requests",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("conversation_id", String(120), nullable=False, index=True),
    Column("customer_id", ForeignKey("customers.id"), nullable=True),
    Column("order_number", String(12), nullable=True),
    Column("topic", String(20), nullable=False),  # "return"
    # late_return, high_value, damaged_on_arrival, customer_asked, order_locked
    Column("reason", String(30), nullable=False),
    Column("summary", String(500), nullable=False),
    Column("details", JSON, nullable=False),
    Column("status", String(12), nullable=False, default="open"),  # open, taken, closed
    Column("created_at", DateTime, nullable=False),
)

"""Frozen views of returns, labels and refunds, for the returns business rules.

Kept beside :mod:`actions.store.models` (orders, customers, stores) so the returns module can
grow without touching the order models others build on.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Optional


@dataclass(frozen=True)
class ReturnLine:
    """One order item (and how many of it) in a return."""

    order_item_id: int
    product_name: str
    quantity: int
    unit_price: Decimal


@dataclass(frozen=True)
class ReturnLabel:
    carrier: str
    tracking_number: str
    tracking_url: str
    created_at: datetime
    valid_until: date


@dataclass(frozen=True)
class Refund:
    amount: Decimal
    currency: str
    method: str  # original_payment, store_credit
    destination: str  # "Visa ending 4242", "store credit"
    refunded_at: datetime


@dataclass(frozen=True)
class Return:
    id: int
    rma: str
    order_number: str
    customer_id: int
    status: str
    reason: str
    reason_note: Optional[str]
    method: str  # drop_off, carrier
    store_name: Optional[str]
    store_address: Optional[str]
    refund_method: str
    currency: str
    items_value: Decimal
    return_fee: Decimal
    refund_amount: Decimal
    created_at: datetime
    return_by: Optional[date]
    shipped_at: Optional[datetime]
    received_at: Optional[datetime]
    inspected_at: Optional[datetime]
    rejected_at: Optional[datetime]
    rejection_reason: Optional[str]
    payment_method: str  # the order's, e.g. "Visa ending 4242"
    lines: tuple[ReturnLine, ...] = ()
    label: Optional[ReturnLabel] = None
    refund: Optional[Refund] = None


@dataclass(frozen=True)
class NewReturn:
    """What a confirmed return inserts; the repository assigns the id and RMA number."""

    order_id: int
    customer_id: int
    conversation_id: Optional[str]
    idempotency_key: str
    status: str
    reason: str
    reason_note: Optional[str]
    method: str
    store_id: Optional[int]
    refund_method: str
    currency: str
    items_value: Decimal
    return_fee: Decimal
    refund_amount: Decimal
    created_at: datetime
    return_by: Optional[date]
    lines: tuple[tuple[int, int], ...]  # (order_item_id, quantity)


@dataclass(frozen=True)
class NewLabel:
    carrier: str
    tracking_number: str
    tracking_url: str
    created_at: datetime
    valid_until: date


@dataclass(frozen=True)
class LabelPage:
    """Everything the printable label shows: the label, the sender and the parcel contents."""

    rma: str
    order_number: str
    status: str
    label: ReturnLabel
    sender_name: str
    sender_lines: tuple[str, ...]
    country: str
    lines: tuple[ReturnLine, ...]


@dataclass(frozen=True)
class HandoffRequest:
    conversation_id: str
    customer_id: Optional[int]
    order_number: Optional[str]
    topic: str
    reason: str
    summary: str
    details: dict[str, Any]
    created_at: datetime

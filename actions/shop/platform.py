"""The contract between Baton and a commerce platform (Shopify, WooCommerce).

A *platform* is where a shop keeps its orders. Baton reads an order from it, in Baton's own
words (the frozen ``Platform*`` values below), and keeps a short-lived copy in its own tables
(:mod:`actions.shop.mirror`) so that one conversation does not call the platform three times
per turn and so that Baton-owned records (returns started in chat, ownership proofs, handoff
requests) can refer to the order. The actions never see a platform: they talk to
:class:`actions.shop.backend.ShopBackend`.

Everything here is plain data: an adapter turns the platform's JSON into these values and
nothing else, so adapters are tested against their fakes and business rules against
hand-built values.

Vocabulary (the same as the built-in tables, :mod:`actions.store.tables`):

- order ``status``: placed, paid, packed, shipped, out_for_delivery, delivered, delayed,
  lost_in_transit, cancelled;
- ``payment_status``: pending, paid, refunded, partially_refunded;
- shipment ``status``: label_created, in_transit, out_for_delivery, delivered, delayed, lost.

Times are naive UTC datetimes, money is :class:`~decimal.Decimal` in the order's currency.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Optional, Protocol


def is_loopback(host: str) -> bool:
    """Whether ``host`` is this machine: the only place a platform client may send its keys
    over plain http (the local fakes); everywhere else is https or refused."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


#: How Baton names a claim in a platform refund's note (Shopify) or reason (WooCommerce), so that
#: every later read knows which claim the refund paid: "Baton claim CLM-30001: damaged".
_CLAIM = re.compile(r"\bBaton claim (CLM-\d+)\b")


def claim_note(claim: str, note: str = "") -> str:
    """The refund's note for a claim (at most 255 characters, Shopify's limit)."""
    return (f"Baton claim {claim}: {note}" if note else f"Baton claim {claim}")[:255]


def claim_named(text: Optional[str]) -> Optional[str]:
    """The claim a refund's note names (:func:`claim_note`), if any."""
    found = _CLAIM.search(text or "")
    return found.group(1) if found else None


class PlatformRefused(ValueError):
    """The platform refused a write for a business reason (Shopify's ``userErrors``, a
    WooCommerce 400): not an outage, and nothing was changed."""


class ShopUnavailable(Exception):
    """The platform could not answer (down, too slow, rate-limited past our patience, our
    credentials refused). The customer is told the order system cannot be reached and offered
    a person; nothing is guessed.

    ``kind`` is one of :data:`UNAVAILABLE_KINDS` and becomes a label in ``/metrics``.
    """

    def __init__(self, kind: str, detail: str = "") -> None:
        super().__init__(f"{kind}: {detail}" if detail else kind)
        self.kind = kind
        self.detail = detail


#: down (connection refused, 5xx), timeout, rate_limited (429 / THROTTLED after retries),
#: unauthorized (401/403: token revoked or scope missing), bad_response (unparseable answer).
UNAVAILABLE_KINDS = ("down", "timeout", "rate_limited", "unauthorized", "bad_response")


@dataclass(frozen=True)
class PlatformAddress:
    line1: str
    line2: Optional[str]
    city: str
    postal_code: str
    country: str  # ISO 3166-1 alpha-2


@dataclass(frozen=True)
class PlatformCustomer:
    ref: str  # the platform's id, e.g. "gid://shopify/Customer/7" or "7"
    first_name: str
    last_name: str
    email: str
    phone: Optional[str]  # E.164
    postal_code: str


@dataclass(frozen=True)
class PlatformItem:
    ref: str  # the platform's line item id
    sku: str
    product_name: str
    category: str  # product type; "" when the platform has none
    quantity: int
    unit_price: Decimal
    final_sale: bool = False  # a "final-sale" tag on the product
    # cancelled on its own before the order left (a refund of the whole line that the platform
    # records as a cancellation), and what that refund gave back for it
    cancelled_at: Optional[datetime] = None
    refunded: Optional[Decimal] = None


@dataclass(frozen=True)
class PlatformTrackingEvent:
    occurred_at: datetime
    status: str
    description: str
    location: str


@dataclass(frozen=True)
class PlatformShipment:
    ref: str
    carrier: str
    tracking_number: str
    tracking_url: str
    status: str
    shipped_at: Optional[datetime]
    estimated_delivery: Optional[date]
    delivered_at: Optional[datetime]
    delivered_to: Optional[str]
    events: tuple[PlatformTrackingEvent, ...] = ()
    contents: tuple[tuple[str, int], ...] = ()  # (item ref, quantity)


@dataclass(frozen=True)
class PlatformRefund:
    """Money given back on the order. ``rma`` is the Baton return it settles when the platform
    says so (a Shopify refund linked to a return Baton created, a WooCommerce refund whose
    reason names the RMA); ``claim`` the Baton claim it paid when its note names one
    (:func:`claim_note`); otherwise the refund is about the order as a whole."""

    ref: str
    amount: Decimal
    currency: str
    refunded_at: datetime
    destination: str  # "Visa ending 4242", "store credit"
    rma: Optional[str] = None
    claim: Optional[str] = None  # "CLM-30001"


@dataclass(frozen=True)
class PlatformOrder:
    ref: str  # the platform's order id
    number: str  # what the customer sees, without "#": "10001"
    customer: PlatformCustomer
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
    shipping_address: PlatformAddress
    items: tuple[PlatformItem, ...] = ()
    shipments: tuple[PlatformShipment, ...] = ()
    refunds: tuple[PlatformRefund, ...] = ()


@dataclass(frozen=True)
class ReturnRequest:
    """A return Baton created (its RMA already assigned), for the platform to record."""

    rma: str
    reason: str
    note: Optional[str]
    lines: tuple[tuple[str, int], ...]  # (item ref, quantity)


@dataclass(frozen=True)
class CancelLine:
    """One line of an order to refund: the platform's item ref, the quantity (all of it to
    cancel a line; what a claim is for) and what Baton refunds for it (its price less its share
    of the discount; 0 when unpaid)."""

    ref: str
    quantity: int
    refund: Decimal


@dataclass(frozen=True)
class ItemsCancellation:
    """Some items of an order that has not left, to cancel through the platform.

    ``amount`` is what goes back to the original payment in all (0: never charged); when
    ``whole`` (they are the last items left) it includes the shipping fee and whatever is left
    of the total, and the order is cancelled too."""

    lines: tuple[CancelLine, ...]
    amount: Decimal
    reason: str
    whole: bool = False


@dataclass(frozen=True)
class ClaimPayment:
    """A claim's refund, to pay through the platform (:mod:`actions.shop.claim_payment`).

    ``lines``: the lines it covers (item ref, quantity, Baton's figure for it), none for a parcel
    refunded by its amount; nothing goes back to stock (lost or broken). ``amount``: what goes
    back to the original payment, Baton's figure; ``whole``: all that was left of the order,
    the shipping included. ``note`` names the claim (:func:`claim_note`) and is the platform's
    record of which claim the refund paid."""

    claim: str
    lines: tuple[CancelLine, ...]
    amount: Decimal
    note: str
    whole: bool = False


@dataclass(frozen=True)
class ShopCheck:
    """What ``python -m bot check-shop`` prints: counts and names, never personal data."""

    platform: str
    shop: str  # the shop's name or domain
    api_version: str
    orders_readable: bool
    sample_order_count: int
    scopes: tuple[str, ...] = ()
    problems: tuple[str, ...] = ()


class ShopPlatform(Protocol):
    """One commerce platform, spoken to over its real API. Every method may raise
    :class:`ShopUnavailable`; none blocks the event loop."""

    name: str  # "shopify", "woocommerce"

    async def order(self, number: str) -> Optional[PlatformOrder]:
        """The order the customer calls ``number`` (None: the platform has no such order)."""

    async def customer_by_email(self, email: str) -> Optional[PlatformCustomer]: ...

    async def customer_by_phone(self, phone: str) -> Optional[PlatformCustomer]: ...

    async def customer_orders(self, customer_ref: str, limit: int) -> list[PlatformOrder]:
        """The customer's latest orders, newest first."""

    async def record_return(self, order: PlatformOrder, request: ReturnRequest) -> str:
        """Record a return Baton created (Shopify ``returnCreate``; WooCommerce: an order note);
        idempotent per RMA. Returns the platform's reference for it."""

    async def cancel_order(self, order: PlatformOrder, reason: str) -> PlatformOrder:
        """Cancel an unfulfilled order (refunding what was paid); returns it as it is now."""

    async def cancel_items(self, order: PlatformOrder, cancel: ItemsCancellation) -> PlatformOrder:
        """Cancel some lines of an unfulfilled order as a refund of those lines (Shopify
        ``refundCreate`` with restock type CANCEL; WooCommerce a refund with ``line_items``),
        the whole order too when ``cancel.whole``; returns it as it is now, those items read
        back cancelled. Raises :class:`PlatformRefused` when the platform says no."""

    async def change_address(self, order: PlatformOrder, address: PlatformAddress) -> PlatformOrder:
        """Change an unfulfilled order's delivery address; returns it as it is now."""

    async def refund_claim(self, order: PlatformOrder, pay: ClaimPayment) -> PlatformOrder:
        """Refund a claim to the order's payment, nothing restocked (Shopify ``refundCreate``
        with restock type NO_RESTOCK; WooCommerce a refund with ``api_restock: false``), its
        note naming the claim; returns the order as it is now, that refund in its ``refunds``
        with ``claim`` set. Raises :class:`PlatformRefused` when the platform says no."""

    async def stock(self, skus: Sequence[str]) -> dict[str, Optional[int]]:
        """Units available of each SKU (None: not tracked, or no such product). Optional: an
        adapter without it tracks nothing as far as Baton can tell."""

    async def check(self) -> ShopCheck: ...

    async def close(self) -> None: ...

"""Paying a claim's refund: what :meth:`~actions.shop.backend.ShopBackend.refund_claim` takes
and answers, the checks every backend makes before money moves, and the built-in shop's way.

A claim (:mod:`actions.store.claims`) records what the shop owes for a delivery problem; this
pays it back to the order's original payment. The figure is Baton's — the claim's amount: the
items' price less their share of an order discount, or all that is left of the order, shipping
included, when the claim is for all of it (:mod:`actions.services.problems_parcels`) — never
one a platform works out again. Nothing goes back to stock: the goods are lost or broken.

Paid once per claim: the claim's number is the key of Baton's record of the payment
(:mod:`actions.store.claim_refunds`) and, on a platform, is written in the refund's note, so a
retry, a double tap, a second replica or a restart finds it paid and pays nothing. A refusal
raises :class:`~actions.shop.errors.OrderNotChangeable` with one of :data:`REFUSALS` and pays
nothing; a platform that cannot be reached raises ``ShopUnavailable``. Either way the claim stays
as it was, open for a person.

On the built-in shop the payment is Baton's own record: the order, taken for the transaction
(a second payer waits and then finds it paid), gets the refund and ``payment_status``
``partially_refunded`` — or ``refunded`` when nothing is left — and the claim is settled.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Optional

from actions.common import utc_now
from actions.services.cancel_items import CENT, item_refund
from actions.shop.errors import OrderNotChangeable
from actions.store import claim_refunds, claims, order_changes
from actions.store.claims import Claim
from actions.store.models import ClaimRefundPaid, Order, OrderItem
from actions.store.uow import unit_of_work

#: Why :meth:`refund_claim` paid nothing (:class:`OrderNotChangeable`'s ``reason``).
REFUSALS = (
    "no_order",  # no such order
    "no_claim",  # Baton has no claim of that number on the order
    "claim_closed",  # the claim was rejected, or settled without a refund (a replacement)
    "wrong_amount",  # nothing, more than the claim is worth, or another currency
    "not_in_order",  # a line that is not the order's, cancelled, or more than was bought
    "not_charged",  # the order was never charged (pending, voided)
    "already_refunded",  # nothing is left to refund on the order
    "too_much",  # more than is left to refund on the order
    "busy",  # another payer (a second tap, another replica) is paying this claim right now
    "refused",  # the platform said no; its message is the detail
    "not_supported",  # the platform's adapter cannot refund claims
)


@dataclass(frozen=True)
class ClaimRefund:
    """A claim's refund to pay. ``claim`` is its number (``CLM-30001``), the key that makes it
    paid once; ``lines`` the order items it is for and how many, ``()`` for a parcel refunded
    by its amount; ``amount`` in the order's ``currency``; ``note`` says why, for the shop's
    staff (after the claim's number in the platform's note)."""

    order_number: str
    claim: str
    amount: Decimal
    currency: str
    lines: tuple[tuple[int, int], ...] = ()  # (order item id, quantity)
    note: str = ""

    @classmethod
    def for_claim(
        cls, claim: Claim, lines: Sequence[tuple[OrderItem, int]] = (), note: str = ""
    ) -> ClaimRefund:
        """The refund a claim settles: its number, amount and currency. ``lines`` are the
        decision's (``Decision.lines``); without them, the claimed item for a missing, damaged
        or wrong item, and none for a parcel not received (it goes by its amount)."""
        chosen = tuple((item.id, quantity) for item, quantity in lines)
        if not chosen and claim.kind != "not_received" and claim.order_item_id and claim.quantity:
            chosen = ((claim.order_item_id, claim.quantity),)
        why = note or claim.kind.replace("_", " ")
        return cls(claim.order_number, claim.number, claim.amount, claim.currency, chosen, why)


@dataclass(frozen=True)
class ClaimRefunded:
    """What :meth:`refund_claim` did: ``refund``, the claim's refund as recorded; ``paid_now``
    False when it had been paid before (a retry, a double tap, a restart) and nothing was paid
    this time; ``order``, the order as it is now."""

    order: Order
    refund: ClaimRefundPaid
    paid_now: bool


def check_claim(claim: Optional[Claim], refund: ClaimRefund) -> None:
    """Only a claim Baton recorded on this order, still to settle, for no more than it is worth."""
    if claim is None or claim.order_number != refund.order_number:
        raise OrderNotChangeable("no_claim", refund.claim)
    if claim.state in ("rejected", "settled"):
        raise OrderNotChangeable("claim_closed", f"{refund.claim} is {claim.state}")
    if refund.currency != claim.currency or not Decimal("0") < refund.amount <= claim.amount:
        detail = f"{refund.amount} {refund.currency} for {claim.amount} {claim.currency}"
        raise OrderNotChangeable("wrong_amount", detail)


def check_order(order: Order, refund: ClaimRefund, refunded: Decimal) -> bool:
    """Whether the order can pay ``refund`` when ``refunded`` went back on it already; True when
    it is all that is left (the shipping goes back too)."""
    if order.payment_status in ("pending", "voided"):
        raise OrderNotChangeable("not_charged", order.number)
    left = order.total - refunded
    if order.payment_status == "refunded" or left <= 0:
        raise OrderNotChangeable("already_refunded", order.number)
    if refund.currency != order.currency:
        raise OrderNotChangeable("wrong_amount", f"{refund.currency} on a {order.currency} order")
    if refund.amount > left:
        raise OrderNotChangeable("too_much", f"{refund.amount} with {left} left")
    items = {i.id: i for i in order.items}
    for item_id, quantity in refund.lines:
        item = items.get(item_id)
        if item is None or item.cancelled_at is not None or not 1 <= quantity <= item.quantity:
            raise OrderNotChangeable("not_in_order", f"item {item_id} x {quantity}")
    return refund.amount == left


def line_figures(order: Order, refund: ClaimRefund) -> list[Decimal]:
    """Baton's figure for each line (its price less its share of the discount, for the quantity
    claimed), never adding up to more than the refund's amount."""
    items = {i.id: i for i in order.items}
    left, out = refund.amount, []
    for item_id, quantity in refund.lines:
        item = items[item_id]
        share = (item_refund(order, item) * quantity / item.quantity).quantize(CENT, ROUND_HALF_UP)
        out.append(min(share, left))
        left -= out[-1]
    return out


async def pay_in_store(refund: ClaimRefund) -> ClaimRefunded:
    """The built-in shop: Baton's tables record the refund (module docstring)."""
    number = refund.order_number
    paid_now = False
    async with unit_of_work() as repo:
        await order_changes.lock_order(repo.conn, number)
        order = await repo.get_order(number)
        if order is None:
            raise OrderNotChangeable("no_order", number)
        if await claim_refunds.paid(repo.conn, refund.claim) is None:
            check_claim(await claims.by_number(repo.conn, refund.claim), refund)
            refunded = await claim_refunds.refunded_on_order(repo.conn, order.id, number)
            check_order(order, refund, refunded)
            now = utc_now()
            made = ClaimRefundPaid(
                refund.claim, refund.amount, refund.currency, order.payment_method, now
            )
            await claim_refunds.record_paid(repo.conn, number, made)
            whole = refunded + refund.amount >= order.total
            await order_changes.mark_refunded(repo.conn, number, whole, now)
            paid_now = True
        changed = await repo.get_order(number)
    assert changed is not None
    return ClaimRefunded(changed, recorded(changed, refund.claim), paid_now)


def recorded(order: Order, claim: str) -> ClaimRefundPaid:
    """The claim's refund as the order now shows it (paid on another order: not this claim)."""
    found = next((r for r in order.claim_refunds if r.claim == claim), None)
    if found is None:
        raise OrderNotChangeable("no_claim", f"{claim} is not on order {order.number}")
    return found

"""Sending a claim's replacement: what :meth:`~actions.shop.backend.ShopBackend.send_replacement`
takes and answers, the checks every backend makes before an order is made, and the built-in
shop's way.

A claim (:mod:`actions.store.claims`) settled with a replacement gets a new order for the
claimed items, free of charge, to the original order's customer and shipping address, tied to
the claim's number. The customer can then ask about it like any order ("where is order 10121?").

Sent once per claim: the claim's number is the key of Baton's record
(:mod:`actions.store.claim_replacements`) and, on a platform, is written on the order (a tag or
note on Shopify, ``_baton_claim`` meta data on WooCommerce), searched for before another is
made, so a retry, a double tap, a second replica or a restart finds it sent and sends nothing.
A refusal raises :class:`~actions.shop.errors.OrderNotChangeable` with one of :data:`REFUSALS`
and sends nothing; a platform that cannot be reached raises ``ShopUnavailable``. Either way the
claim stays open: the action pays the refund instead when the items are out of stock, or leaves
it to a person.

On the built-in shop the claimed order is taken for the transaction (a second sender waits and
then finds it sent), the stock is taken off (:mod:`actions.store.stock_levels`; short: nothing
is made), the order written (:mod:`actions.store.replacement_orders`) and the claim settled.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Optional

from actions.common import utc_now
from actions.shop.errors import OrderNotChangeable
from actions.store import claim_replacements, claims, order_changes, replacement_orders
from actions.store import stock_levels as stock
from actions.store.claims import Claim
from actions.store.models import Order, OrderItem
from actions.store.uow import unit_of_work

#: Why :meth:`send_replacement` sent nothing (:class:`OrderNotChangeable`'s ``reason``).
REFUSALS = (
    "no_order",  # no such order
    "no_claim",  # Baton has no claim of that number on the order
    "claim_closed",  # the claim was rejected, or settled already (a refund)
    "not_in_order",  # no line, a line that is not the order's, cancelled, or more than bought
    "out_of_stock",  # an item is not in stock (or not tracked) now: nothing can be sent
    "busy",  # another sender (a second tap, another replica) is sending it right now
    "refused",  # the platform said no; its message is the detail
    "not_supported",  # the platform's adapter cannot make replacement orders
)


@dataclass(frozen=True)
class ClaimReplacement:
    """A claim's replacement to send. ``claim`` is its number (``CLM-30001``), the key that makes
    it sent once; ``lines`` the original order's items to send again and how many; ``note`` says
    why, for the shop's staff (after the claim's number on the platform's order)."""

    order_number: str
    claim: str
    lines: tuple[tuple[int, int], ...]
    note: str = ""

    @classmethod
    def for_claim(
        cls, claim: Claim, lines: Sequence[tuple[OrderItem, int]] = (), note: str = ""
    ) -> ClaimReplacement:
        """The replacement a claim settles: ``lines`` are the decision's (``Decision.lines``);
        without them, the claimed item and quantity."""
        chosen = tuple((item.id, quantity) for item, quantity in lines)
        if not chosen and claim.order_item_id and claim.quantity:
            chosen = ((claim.order_item_id, claim.quantity),)
        why = note or claim.kind.replace("_", " ")
        return cls(claim.order_number, claim.number, chosen, why)


@dataclass(frozen=True)
class ReplacementSent:
    """What :meth:`send_replacement` did: ``replacement``, the new order (number, items at no
    charge); ``sent_now`` False when it had been sent before (a retry, a double tap, a restart)
    and nothing was made this time."""

    claim: str
    replacement: Order
    sent_now: bool

    @property
    def number(self) -> str:
        return self.replacement.number


@dataclass(frozen=True)
class PlatformReplacement:
    """What a platform adapter is asked to make: the claim's number (its tag / meta data, the
    key searched for before another is made), the lines as (SKU, name, quantity), and the note
    for the shop's staff ("Baton claim CLM-30001: damaged")."""

    claim: str
    lines: tuple[tuple[str, str, int], ...]
    note: str


def check_claim(claim: Optional[Claim], replacement: ClaimReplacement) -> None:
    """Only a claim Baton recorded on this order, still open."""
    if claim is None or claim.order_number != replacement.order_number:
        raise OrderNotChangeable("no_claim", replacement.claim)
    if claim.state != "open":
        raise OrderNotChangeable("claim_closed", f"{replacement.claim} is {claim.state}")


def claimed_lines(order: Order, replacement: ClaimReplacement) -> list[tuple[OrderItem, int]]:
    """The order's items to send again, each for no more than was bought."""
    if not replacement.lines:
        raise OrderNotChangeable("not_in_order", "no items")
    items = {i.id: i for i in order.items}
    found = []
    for item_id, quantity in replacement.lines:
        item = items.get(item_id)
        if item is None or item.cancelled_at is not None or not 1 <= quantity <= item.quantity:
            raise OrderNotChangeable("not_in_order", f"item {item_id} x {quantity}")
        found.append((item, quantity))
    return found


def short_of(levels: dict[str, Optional[int]], lines: Sequence[tuple[OrderItem, int]]) -> list[str]:
    """The SKUs there are not enough of (untracked counts as not enough: nothing is promised on a
    guess)."""
    return [sku for sku, n in by_sku(lines).items() if (levels.get(sku) or 0) < n]


async def send_in_store(replacement: ClaimReplacement) -> ReplacementSent:
    """The built-in shop: Baton's tables make the order (module docstring)."""
    number = replacement.order_number
    sent_now = False
    async with unit_of_work() as repo:
        await order_changes.lock_order(repo.conn, number)
        order = await repo.get_order(number)
        if order is None:
            raise OrderNotChangeable("no_order", number)
        made = await claim_replacements.sent(repo.conn, replacement.claim, number)
        if made is None:
            check_claim(await claims.by_number(repo.conn, replacement.claim), replacement)
            lines = claimed_lines(order, replacement)
            now = utc_now()
            for sku, quantity in by_sku(lines).items():
                if not await stock.take(repo.conn, sku, quantity, now):
                    raise OrderNotChangeable("out_of_stock", sku)  # rolled back: nothing taken
            made = await replacement_orders.create(repo.conn, order, lines, replacement.claim, now)
            await claim_replacements.record_sent(repo.conn, replacement.claim, number, made, now)
            sent_now = True
        new = await repo.get_order(made)
    assert new is not None
    return ReplacementSent(replacement.claim, new, sent_now)


def by_sku(lines: Sequence[tuple[OrderItem, int]]) -> dict[str, int]:
    """Units wanted per SKU (two lines may be the same product)."""
    wanted: dict[str, int] = {}
    for item, quantity in lines:
        wanted[item.sku] = wanted.get(item.sku, 0) + quantity
    return wanted

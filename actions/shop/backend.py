"""The one seam between the actions and the shop's commerce data.

The actions, the handoff context packet and the analytics' order facts ask a
:class:`ShopBackend` for orders, customers and returns; they never open the shop's tables or
call a platform. Three backends implement it (``SHOP_BACKEND``):

- ``builtin`` (:class:`BuiltInShop`, the embedded default): Baton's own tables are the shop —
  the demo shop, or a shop that loads its orders into them;
- ``shopify`` and ``woocommerce`` (:class:`actions.shop.mirror.MirroredShop`): the platform is
  the source of truth; Baton keeps a short-lived copy of each order it reads in the same
  tables, so one conversation does not call the platform three times a turn and Baton's own
  records (returns started in chat, ownership proofs) can point at the order.

Each method is one short transaction of its own, so a slow platform call is never made while
a database transaction is open.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Optional, Protocol

from actions.services.cancel_items import item_refund, items_refund
from actions.shop.claim_payment import ClaimRefund, ClaimRefunded, pay_in_store
from actions.shop.claim_replacement import ClaimReplacement, ReplacementSent, send_in_store
from actions.shop.errors import OrderNotChangeable
from actions.store import order_changes, stock_levels
from actions.store.models import Address, Customer, Order, OrderSummary
from actions.store.returns_models import NewLabel, NewReturn, Return
from actions.store.uow import unit_of_work


@dataclass(frozen=True)
class ReturnInputs:
    """What the returns policy needs to judge an order: the order, when each item arrived
    (None: not yet), how many of each item are already in a return (with its RMA) and how many
    a delivery-problem claim covers (with its number)."""

    order: Order
    deliveries: dict[int, Optional[datetime]]
    returned: dict[int, tuple[int, str]]
    claimed: dict[int, tuple[int, str]] = field(default_factory=dict)


@dataclass(frozen=True)
class ItemsCancelled:
    """What :meth:`ShopBackend.cancel_items` did: ``cancelled``, the item ids this call
    cancelled (empty: they were all cancelled already — a retry or a double tap); ``refund``,
    what this call refunded; ``whole``, the order is now cancelled as a whole (they were the
    last items left); ``order``, the order as it is now."""

    order: Order
    cancelled: tuple[int, ...]
    refund: Decimal
    whole: bool


class ShopBackend(Protocol):
    """Everything the actions read and write about the shop's orders. Platform backends may
    raise :class:`actions.shop.platform.ShopUnavailable` from any method."""

    name: str
    #: whether :meth:`cancel_items` can cancel some items (else only whole orders)
    cancels_items: bool

    async def customer(self, customer_id: int) -> Optional[Customer]: ...

    async def customer_by_email(self, email: str) -> Optional[Customer]: ...

    async def customer_by_phone(self, phone: str) -> Optional[Customer]: ...

    async def order(self, number: str) -> Optional[Order]:
        """The whole order: items, parcels with contents and tracking events."""

    async def order_owner(self, number: str) -> Optional[int]:
        """The customer id an order belongs to (None: no such order)."""

    async def recent_orders(self, customer_id: int, limit: int = 5) -> list[OrderSummary]: ...

    async def recent_delivered_orders(
        self, customer_id: int, limit: int = 5
    ) -> list[OrderSummary]: ...

    async def return_inputs(self, number: str) -> Optional[ReturnInputs]: ...

    async def return_by_key(self, idempotency_key: str) -> Optional[Return]: ...

    async def create_return(self, new: NewReturn, label: Optional[NewLabel] = None) -> Return:
        """Create a confirmed return; raises ``IntegrityError`` when the key was used already
        (the caller then reads the first one with :meth:`return_by_key`)."""

    async def get_return(self, rma: str) -> Optional[Return]: ...

    async def returns_for_order(self, number: str) -> list[Return]: ...

    async def returns_for_customer(self, customer_id: int, limit: int = 5) -> list[Return]: ...

    async def cancel_order(self, number: str, reason: str) -> Order:
        """Cancel an order that has not left the warehouse; raises :class:`OrderNotChangeable`."""

    async def cancel_items(
        self, number: str, item_ids: Sequence[int], reason: str
    ) -> ItemsCancelled:
        """Cancel some items of an order that has not left the warehouse, refunding their price
        less their share of a discount (:mod:`actions.services.cancel_items`); the whole order
        when they are the last ones left. Idempotent: an item already cancelled is not
        cancelled or refunded again. Raises :class:`OrderNotChangeable`."""

    async def change_address(self, number: str, address: Address) -> Order:
        """Change where an order that has not left goes; raises :class:`OrderNotChangeable`."""

    async def refund_claim(self, number: str, refund: ClaimRefund) -> ClaimRefunded:
        """Pay a claim's refund to the order's original payment, nothing restocked
        (:mod:`actions.shop.claim_payment`). Idempotent per claim number: paid before, it pays
        nothing and says so (``paid_now`` False). Raises :class:`OrderNotChangeable` (one of
        ``claim_payment.REFUSALS``) or ``ShopUnavailable``, having paid nothing."""

    async def send_replacement(self, number: str, replacement: ClaimReplacement) -> ReplacementSent:
        """Make a free replacement order for a claim's items, to the order's customer and
        shipping address, stock taken off (:mod:`actions.shop.claim_replacement`). Idempotent per
        claim number: sent before, it makes nothing and says so (``sent_now`` False). Raises
        :class:`OrderNotChangeable` (one of ``claim_replacement.REFUSALS``) or
        ``ShopUnavailable``, having made nothing."""

    async def stock(self, skus: Sequence[str]) -> dict[str, Optional[int]]:
        """Units available now of each SKU asked (None: the shop does not track it, or has no
        such product), so a claim is settled with a replacement only when it can be sent."""


#: States in which an order has not been handed to a carrier yet: it can still be cancelled
#: or sent elsewhere.
CHANGEABLE_STATES = ("placed", "paid", "packed")


class BuiltInShop:
    """Baton's own tables are the shop (the embedded default, with the demo shop)."""

    name = "builtin"
    cancels_items = True

    async def customer(self, customer_id: int) -> Optional[Customer]:
        async with unit_of_work() as repo:
            return await repo.customer_by_id(customer_id)

    async def customer_by_email(self, email: str) -> Optional[Customer]:
        async with unit_of_work() as repo:
            return await repo.customer_by_email(email)

    async def customer_by_phone(self, phone: str) -> Optional[Customer]:
        async with unit_of_work() as repo:
            return await repo.customer_by_phone(phone)

    async def order(self, number: str) -> Optional[Order]:
        async with unit_of_work() as repo:
            return await repo.get_order(number)

    async def order_owner(self, number: str) -> Optional[int]:
        async with unit_of_work() as repo:
            return await repo.order_owner(number)

    async def recent_orders(self, customer_id: int, limit: int = 5) -> list[OrderSummary]:
        async with unit_of_work() as repo:
            return await repo.recent_orders(customer_id, limit)

    async def recent_delivered_orders(self, customer_id: int, limit: int = 5) -> list[OrderSummary]:
        async with unit_of_work() as repo:
            return await repo.recent_delivered_orders(customer_id, limit)

    async def return_inputs(self, number: str) -> Optional[ReturnInputs]:
        async with unit_of_work() as repo:
            order = await repo.get_order(number)
            if order is None:
                return None
            deliveries = await repo.item_deliveries(order.id)
            returned = await repo.returned_quantities(order.id)
            claimed = await repo.claimed_quantities(order.number)
        return ReturnInputs(order, deliveries, returned, claimed)

    async def return_by_key(self, idempotency_key: str) -> Optional[Return]:
        async with unit_of_work() as repo:
            return await repo.return_by_key(idempotency_key)

    async def create_return(self, new: NewReturn, label: Optional[NewLabel] = None) -> Return:
        async with unit_of_work() as repo:
            return await repo.create_return(new, label)

    async def get_return(self, rma: str) -> Optional[Return]:
        async with unit_of_work() as repo:
            return await repo.get_return(rma)

    async def returns_for_order(self, number: str) -> list[Return]:
        async with unit_of_work() as repo:
            return await repo.returns_for_order(number)

    async def returns_for_customer(self, customer_id: int, limit: int = 5) -> list[Return]:
        async with unit_of_work() as repo:
            return await repo.returns_for_customer(customer_id, limit)

    async def cancel_order(self, number: str, reason: str) -> Order:
        async with unit_of_work() as repo:
            await order_changes.lock_order(repo.conn, number)
            order = await repo.get_order(number)
            check_changeable(order, number)
            await order_changes.cancel_order(repo.conn, number, reason)
            changed = await repo.get_order(number)
        assert changed is not None
        return changed

    async def cancel_items(
        self, number: str, item_ids: Sequence[int], reason: str
    ) -> ItemsCancelled:
        async with unit_of_work() as repo:
            await order_changes.lock_order(repo.conn, number)
            order = await repo.get_order(number)
            check_changeable(order, number)
            assert order is not None
            found = items_refund(order, item_ids)
            refunds = {i.id: item_refund(order, i) for i in found.items}
            if found.items and order.payment_status != "paid":
                refunds = dict.fromkeys(refunds, Decimal("0.00"))
            done = await order_changes.cancel_items(repo.conn, order.id, refunds)
            if found.whole and done:
                await order_changes.cancel_order(repo.conn, number, reason)
            changed = await repo.get_order(number)
        assert changed is not None
        refund = found.amount if done else Decimal("0.00")
        return ItemsCancelled(changed, done, refund, found.whole and bool(done))

    async def change_address(self, number: str, address: Address) -> Order:
        async with unit_of_work() as repo:
            order = await repo.get_order(number)
            check_changeable(order, number)
            await order_changes.change_address(repo.conn, number, address)
            changed = await repo.get_order(number)
        assert changed is not None
        return changed

    async def refund_claim(self, number: str, refund: ClaimRefund) -> ClaimRefunded:
        if refund.order_number != number:
            raise OrderNotChangeable("no_claim", f"{refund.claim} is not on order {number}")
        return await pay_in_store(refund)

    async def send_replacement(self, number: str, replacement: ClaimReplacement) -> ReplacementSent:
        if replacement.order_number != number:
            raise OrderNotChangeable("no_claim", f"{replacement.claim} is not on order {number}")
        return await send_in_store(replacement)

    async def stock(self, skus: Sequence[str]) -> dict[str, Optional[int]]:
        async with unit_of_work() as repo:
            return await stock_levels.levels(repo.conn, skus)


class _HasState(Protocol):
    """An order as Baton or a platform holds it: both say its state and its parcels."""

    @property
    def status(self) -> str: ...

    @property
    def shipments(self) -> Sequence[object]: ...


def check_changeable(order: Optional[_HasState], number: str) -> None:
    """Raise :class:`OrderNotChangeable` unless the order is still in the warehouse."""
    if order is None:
        raise OrderNotChangeable("no_order", number)
    if order.status == "cancelled":
        raise OrderNotChangeable("already_cancelled", number)
    if order.status not in CHANGEABLE_STATES or order.shipments:
        raise OrderNotChangeable("already_shipped", number)

"""A shop whose orders live on a commerce platform, read through a short-lived copy.

Every read of an order first makes sure Baton's copy is fresh: younger than
``SHOP_CACHE_SECONDS`` and not invalidated by a platform webhook since
(:mod:`connectors.shop_webhooks` clears ``synced_at``). A stale or missing copy is read from
the platform — outside any database transaction — and written over the old one
(:mod:`actions.shop.mirror_sql`); then the SQL repository answers as for a built-in order. The
copy lives in the shared database, so every action-server replica sees one webhook's effect.

Concurrent reads of the same order in one process share one platform call. A platform that
cannot answer raises :class:`~actions.shop.platform.ShopUnavailable`: the customer is told
the order system cannot be reached and offered a person; a stale copy is never served as if
it were the truth.
"""

from __future__ import annotations

import asyncio
import logging
import time
import weakref
from collections.abc import Awaitable, Callable, Sequence
from datetime import timedelta
from decimal import Decimal
from typing import Optional, TypeVar

from actions.common import utc_now
from actions.services.cancel_items import item_refund, items_refund
from actions.shop import mirror_sql
from actions.shop.backend import (
    BuiltInShop,
    ItemsCancelled,
    OrderNotChangeable,
    ReturnInputs,
    check_changeable,
)
from actions.shop.mirror_claims import PlatformClaimRefunds
from actions.shop.mirror_parts import order_lock
from actions.shop.mirror_replacements import PlatformStock
from actions.shop.mirror_sends import PlatformSends
from actions.shop.platform import (
    CancelLine,
    ItemsCancellation,
    PlatformAddress,
    PlatformCustomer,
    PlatformOrder,
    PlatformRefused,
    ReturnRequest,
    ShopPlatform,
    ShopUnavailable,
)
from actions.store import tables as t
from actions.store.models import Address, Customer, Order, OrderSummary
from actions.store.returns_models import NewLabel, NewReturn, Return
from actions.store.uow import unit_of_work
from infra import metrics

T = TypeVar("T")
logger = logging.getLogger(__name__)


class MirroredShop(PlatformStock, PlatformSends, PlatformClaimRefunds, BuiltInShop):
    """The platform is the truth; Baton's tables hold a copy at most ``ttl`` seconds old. A
    claim's refund is paid through the platform (:mod:`actions.shop.mirror_claims`)."""

    def __init__(self, platform: ShopPlatform, ttl: float = 30.0) -> None:
        self.platform = platform
        self.name = platform.name
        self.cancels_items = callable(getattr(platform, "cancel_items", None))
        self.ttl = timedelta(seconds=ttl)
        self._inflight: dict[str, asyncio.Future[bool]] = {}
        # One item cancellation per order at a time; a lock lives while a call holds or waits
        # for it, so the map does not grow with every order ever cancelled.
        self._writing: weakref.WeakValueDictionary[str, asyncio.Lock] = (
            weakref.WeakValueDictionary()
        )

    # --- talking to the platform ------------------------------------------------------

    async def _call(self, operation: str, call: Callable[[], Awaitable[T]]) -> T:
        started = time.perf_counter()
        try:
            result = await call()
        except ShopUnavailable as problem:
            metrics.SHOP_CALLS.labels(self.name, operation, problem.kind).inc()
            raise
        finally:
            metrics.SHOP_CALL_SECONDS.labels(self.name, operation).observe(
                time.perf_counter() - started
            )
        outcome = "not_found" if result is None else "ok"
        metrics.SHOP_CALLS.labels(self.name, operation, outcome).inc()
        return result

    async def _store(self, found: PlatformOrder) -> None:
        async with unit_of_work() as repo:
            await mirror_sql.upsert_order(repo.conn, found, utc_now())

    async def fresh(self, number: str) -> bool:
        """Make Baton's copy of order ``number`` fresh; False if the platform has no such order."""
        async with unit_of_work() as repo:
            have, synced = await mirror_sql.synced_at(repo.conn, number)
        if have and synced is not None and utc_now() - synced < self.ttl:
            metrics.SHOP_CACHE.labels(self.name, "hit").inc()
            return True
        metrics.SHOP_CACHE.labels(self.name, "miss").inc()
        running = self._inflight.get(number)
        if running is not None:
            return await asyncio.shield(running)
        future: asyncio.Future[bool] = asyncio.get_running_loop().create_future()
        self._inflight[number] = future
        try:
            found = await self._call("order", lambda: self.platform.order(number))
            if found is not None:
                await self._store(found)
            future.set_result(found is not None)
        except BaseException as problem:
            future.set_exception(problem)
            future.exception()  # retrieved: no "never retrieved" warning when nobody waits
            raise
        finally:
            del self._inflight[number]
        return future.result()

    async def _customer_orders(self, customer_id: int, limit: int) -> None:
        """Copy the customer's latest orders from the platform (their list is the platform's)."""
        async with unit_of_work() as repo:
            ref = await repo.conn.scalar(
                t.customers.select()
                .with_only_columns(t.customers.c.external_ref)
                .where(t.customers.c.id == customer_id)
            )
        if not ref:
            return
        found = await self._call(
            "customer_orders", lambda: self.platform.customer_orders(str(ref), limit)
        )
        for order in found:
            await self._store(order)

    # --- ShopBackend ------------------------------------------------------------------

    async def customer_by_email(self, email: str) -> Optional[Customer]:
        found = await self._call("customer", lambda: self.platform.customer_by_email(email))
        return await self._copied_customer(found)

    async def customer_by_phone(self, phone: str) -> Optional[Customer]:
        found = await self._call("customer", lambda: self.platform.customer_by_phone(phone))
        return await self._copied_customer(found)

    async def _copied_customer(self, found: Optional[PlatformCustomer]) -> Optional[Customer]:
        if found is None:
            return None
        async with unit_of_work() as repo:
            local = await mirror_sql.upsert_customer(repo.conn, found, utc_now())
            return await repo.customer_by_id(local)

    async def order(self, number: str) -> Optional[Order]:
        return await super().order(number) if await self.fresh(number) else None

    async def order_owner(self, number: str) -> Optional[int]:
        return await super().order_owner(number) if await self.fresh(number) else None

    async def recent_orders(self, customer_id: int, limit: int = 5) -> list[OrderSummary]:
        await self._customer_orders(customer_id, limit)
        return await super().recent_orders(customer_id, limit)

    async def recent_delivered_orders(self, customer_id: int, limit: int = 5) -> list[OrderSummary]:
        await self._customer_orders(customer_id, max(limit, 10))
        return await super().recent_delivered_orders(customer_id, limit)

    async def return_inputs(self, number: str) -> Optional[ReturnInputs]:
        return await super().return_inputs(number) if await self.fresh(number) else None

    async def create_return(self, new: NewReturn, label: Optional[NewLabel] = None) -> Return:
        """Baton's RMA first (the customer's confirmation must not wait on the platform), then
        the platform's record of it; a platform that cannot take it now leaves the return
        without ``platform_ref`` for the shop's staff to see, and the customer is not failed."""
        made = await super().create_return(new, label)
        async with unit_of_work() as repo:
            item_refs = await mirror_sql.item_refs(repo.conn, new.order_id)
        try:
            found = await self._platform_order(made.order_number)
            if found is None:
                return made
            request = ReturnRequest(
                rma=made.rma,
                reason=new.reason,
                note=new.reason_note,
                lines=tuple((str(item_refs[i]), q) for i, q in new.lines if item_refs.get(i)),
            )
            ref = await self._call(
                "record_return", lambda: self.platform.record_return(found, request)
            )
        except Exception as problem:  # unreachable, or the platform refused the record
            logger.warning("return %s not recorded on %s: %s", made.rma, self.name, problem)
            return made  # the return stands, without platform_ref, for the shop's staff
        async with unit_of_work() as repo:
            await repo.conn.execute(
                t.returns.update().where(t.returns.c.id == made.id).values(platform_ref=ref)
            )
        return made

    async def get_return(self, rma: str) -> Optional[Return]:
        found = await super().get_return(rma)
        if found is not None and found.status != "refunded":
            await self.fresh(found.order_number)  # the platform may have refunded it since
            found = await super().get_return(rma)
        return found

    async def returns_for_order(self, number: str) -> list[Return]:
        await self.fresh(number)
        return await super().returns_for_order(number)

    async def returns_for_customer(self, customer_id: int, limit: int = 5) -> list[Return]:
        found = await super().returns_for_customer(customer_id, limit)
        waiting = {r.order_number for r in found if r.status not in ("refunded", "rejected")}
        for number in sorted(waiting):
            await self.fresh(number)
        return await super().returns_for_customer(customer_id, limit) if waiting else found

    async def cancel_order(self, number: str, reason: str) -> Order:
        found = await self._changeable(number)
        changed = await self._call("cancel", lambda: self.platform.cancel_order(found, reason))
        await self._store(changed)
        return await self._read(number)

    async def cancel_items(
        self, number: str, item_ids: Sequence[int], reason: str
    ) -> ItemsCancelled:
        """Through the platform, which stays the truth: the order is read from it first (items
        it already shows cancelled are not sent again: a retry or a double tap refunds nothing
        twice), the chosen lines are refunded there as cancelled, and its answer becomes
        Baton's copy. Calls for one order are serialised within this process."""
        if not self.cancels_items:
            raise OrderNotChangeable("items_not_supported", self.platform.name)
        async with order_lock(self._writing, number):
            found = await self._changeable(number)
            order = await self._read(number)
            chosen = items_refund(order, item_ids)
            if not chosen.items:
                return ItemsCancelled(order, (), Decimal("0.00"), False)
            paid = order.payment_status == "paid"
            async with unit_of_work() as repo:
                refs = await mirror_sql.item_refs(repo.conn, order.id)
            cancel = ItemsCancellation(
                lines=tuple(
                    CancelLine(
                        refs[i.id], i.quantity, item_refund(order, i) if paid else Decimal("0.00")
                    )
                    for i in chosen.items
                ),
                amount=chosen.amount,
                reason=reason,
                whole=chosen.whole,
            )
            try:
                changed = await self._call(
                    "cancel_items", lambda: self.platform.cancel_items(found, cancel)
                )
            except PlatformRefused as refused:
                raise OrderNotChangeable("refused", str(refused)) from refused
            await self._store(changed)
            after = await self._read(number)
        gone = {i.id for i in after.items if i.cancelled_at is not None}
        done = tuple(i.id for i in chosen.items if i.id in gone)
        if len(done) < len(chosen.items):
            logger.warning("%s: order %s does not show every item cancelled", self.name, number)
        whole = chosen.whole and after.status == "cancelled"
        return ItemsCancelled(after, done, chosen.amount if done else Decimal("0.00"), whole)

    async def change_address(self, number: str, address: Address) -> Order:
        found = await self._changeable(number)
        target = PlatformAddress(
            address.line1, address.line2, address.city, address.postal_code, address.country
        )
        changed = await self._call(
            "change_address", lambda: self.platform.change_address(found, target)
        )
        await self._store(changed)
        return await self._read(number)

    # --- helpers ----------------------------------------------------------------------

    async def _platform_order(self, number: str) -> Optional[PlatformOrder]:
        found = await self._call("order", lambda: self.platform.order(number))
        if found is not None:
            await self._store(found)
        return found

    async def _changeable(self, number: str) -> PlatformOrder:
        """The order as the platform has it now (never the copy: a write needs the truth)."""
        found = await self._platform_order(number)
        check_changeable(found, number)
        assert found is not None
        return found

    async def _read(self, number: str) -> Order:
        order = await super().order(number)
        assert order is not None
        return order

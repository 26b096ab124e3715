"""An in-memory shop for action tests: :class:`FakeShop` implements
:class:`actions.shop.backend.ShopBackend` over dicts of the frozen models.

The actions only ever reach the shop through ``get_shop()``; with
``actions.shop.current.use_shop(FakeShop.demo())`` they run against plain dicts, so a business
rule's test needs no database for the shop's orders and says in a line what the shop holds
(``shop.add_order(order(...))``). It behaves like :class:`actions.shop.backend.BuiltInShop`
where the actions can tell — the same demo rows, the same ordering, a reused idempotency key
raising ``IntegrityError``, cancels and address changes refused by the same
``check_changeable``, a claim's refund paid once and refused by the same ``check_order`` — and
tests/shop/test_fake_shop_contract.py holds it to that. The claims themselves live in Baton's
store, which FakeShop does not hold: its ``refund_claim`` neither checks nor settles them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal
from typing import Optional

from sqlalchemy.exc import IntegrityError

from actions.common import utc_now
from actions.services.cancel_items import item_refund, items_refund
from actions.shop.backend import ItemsCancelled, OrderNotChangeable, ReturnInputs, check_changeable
from actions.shop.claim_payment import ClaimRefund, ClaimRefunded, check_order
from actions.shop.claim_replacement import (
    ClaimReplacement,
    ReplacementSent,
    by_sku,
    claimed_lines,
    short_of,
)
from actions.store.models import Address, ClaimRefundPaid, Customer, Order, OrderSummary
from actions.store.repository import rma_for
from actions.store.returns_models import NewLabel, NewReturn, Return, ReturnLabel, ReturnLine
from tests.support.demo_models import ShopData, demo_data, store_address

#: The day the demo is anchored on in tests that want fixed dates (a Sunday).
DEMO_ANCHOR = date(2026, 11, 22)


class FakeShop:
    """The shop as dicts. ``calls`` records each method asked, for tests that count."""

    name = "fake"
    cancels_items = True

    def __init__(self, data: Optional[ShopData] = None) -> None:
        self.data = data or ShopData()
        self.calls: list[str] = []
        self.replacements: dict[str, str] = {}  # claim number -> replacement order number

    @classmethod
    def demo(cls, anchor: date = DEMO_ANCHOR) -> FakeShop:
        """The demo shop (``make seed``'s orders, customers, stores and returns) for ``anchor``."""
        return cls(demo_data(anchor))

    # --- arranging a test ------------------------------------------------------------

    def add_customer(self, customer: Customer) -> Customer:
        self.data.customers[customer.id] = customer
        return customer

    def add_order(self, order: Order) -> Order:
        """Put (or replace) an order; its items travel in the parcels whose contents name them."""
        self.data.orders[order.number] = order
        self.data.item_parcels[order.id] = {
            item.id: [s.id for s in order.shipments if item.product_name in dict(s.contents)]
            for item in order.items
        }
        return order

    # --- ShopBackend -----------------------------------------------------------------

    async def customer(self, customer_id: int) -> Optional[Customer]:
        self.calls.append("customer")
        return self.data.customers.get(customer_id)

    async def customer_by_email(self, email: str) -> Optional[Customer]:
        self.calls.append("customer_by_email")
        wanted = email.strip().lower()
        return next((c for c in self.data.customers.values() if c.email.lower() == wanted), None)

    async def customer_by_phone(self, phone: str) -> Optional[Customer]:
        self.calls.append("customer_by_phone")
        return next((c for c in self.data.customers.values() if c.phone == phone), None)

    async def order(self, number: str) -> Optional[Order]:
        self.calls.append(f"order {number}")
        return self.data.orders.get(number)

    async def order_owner(self, number: str) -> Optional[int]:
        self.calls.append(f"order_owner {number}")
        found = self.data.orders.get(number)
        return found.customer_id if found else None

    def _newest_first(self, customer_id: int) -> list[Order]:
        mine = [o for o in self.data.orders.values() if o.customer_id == customer_id]
        return sorted(mine, key=lambda o: (o.placed_at, o.id), reverse=True)

    @staticmethod
    def _summary(o: Order) -> OrderSummary:
        first = o.items[0].product_name if o.items else ""
        return OrderSummary(
            o.number, o.status, o.placed_at, sum(i.quantity for i in o.items), first
        )

    async def recent_orders(self, customer_id: int, limit: int = 5) -> list[OrderSummary]:
        self.calls.append("recent_orders")
        return [self._summary(o) for o in self._newest_first(customer_id)[:limit]]

    async def recent_delivered_orders(self, customer_id: int, limit: int = 5) -> list[OrderSummary]:
        self.calls.append("recent_delivered_orders")
        delivered = [
            o
            for o in self._newest_first(customer_id)
            if any(s.status == "delivered" for s in o.shipments)
        ]
        return [self._summary(o) for o in delivered[:limit]]

    async def return_inputs(self, number: str) -> Optional[ReturnInputs]:
        self.calls.append(f"return_inputs {number}")
        order = self.data.orders.get(number)
        if order is None:
            return None
        parcels = {s.id: s for s in order.shipments}
        deliveries = {}
        for item_id, ids in self.data.item_parcels.get(order.id, {}).items():
            when = [
                parcels[i].delivered_at if parcels[i].status == "delivered" else None for i in ids
            ]
            if when:  # an item partly still on its way counts as not delivered
                deliveries[item_id] = None if None in when else when[-1]
        returned: dict[int, tuple[int, str]] = {}
        for r in sorted(self.data.returns.values(), key=lambda r: r.id):
            if r.order_number != number or r.status == "rejected":
                continue
            for line in r.lines:
                before = returned.get(line.order_item_id, (0, ""))[0]
                returned[line.order_item_id] = (before + line.quantity, r.rma)
        return ReturnInputs(order, deliveries, returned)

    async def return_by_key(self, idempotency_key: str) -> Optional[Return]:
        self.calls.append("return_by_key")
        found = self.data.keys.get(idempotency_key)
        return self.data.returns[found] if found is not None else None

    async def create_return(self, new: NewReturn, label: Optional[NewLabel] = None) -> Return:
        """Like the store: a reused idempotency key is an ``IntegrityError``, nothing is added."""
        self.calls.append("create_return")
        if new.idempotency_key in self.data.keys:
            raise IntegrityError(
                "INSERT INTO returns", {}, Exception("UNIQUE constraint failed: idempotency_key")
            )
        order = next(o for o in self.data.orders.values() if o.id == new.order_id)
        items = {i.id: i for i in order.items}
        store = self.data.stores.get(new.store_id) if new.store_id is not None else None
        return_id = max(self.data.returns, default=0) + 1
        made = Return(
            id=return_id,
            rma=rma_for(return_id),
            order_number=order.number,
            customer_id=new.customer_id,
            status=new.status,
            reason=new.reason,
            reason_note=new.reason_note,
            method=new.method,
            store_name=store.name if store else None,
            store_address=store_address(store) if store else None,
            refund_method=new.refund_method,
            currency=new.currency,
            items_value=new.items_value,
            return_fee=new.return_fee,
            refund_amount=new.refund_amount,
            created_at=new.created_at,
            return_by=new.return_by,
            shipped_at=None,
            received_at=None,
            inspected_at=None,
            rejected_at=None,
            rejection_reason=None,
            payment_method=order.payment_method,
            lines=tuple(
                ReturnLine(i, items[i].product_name, qty, items[i].unit_price)
                for i, qty in sorted(new.lines)
            ),
            label=ReturnLabel(
                label.carrier,
                label.tracking_number,
                label.tracking_url,
                label.created_at,
                label.valid_until,
            )
            if label
            else None,
        )
        self.data.returns[return_id] = made
        self.data.keys[new.idempotency_key] = return_id
        return made

    async def get_return(self, rma: str) -> Optional[Return]:
        self.calls.append("get_return")
        return next((r for r in self.data.returns.values() if r.rma == rma), None)

    async def returns_for_order(self, number: str) -> list[Return]:
        self.calls.append("returns_for_order")
        found = [r for r in self.data.returns.values() if r.order_number == number]
        return sorted(found, key=lambda r: r.id)

    async def returns_for_customer(self, customer_id: int, limit: int = 5) -> list[Return]:
        self.calls.append("returns_for_customer")
        found = [r for r in self.data.returns.values() if r.customer_id == customer_id]
        return sorted(found, key=lambda r: (r.created_at, r.id), reverse=True)[:limit]

    async def cancel_order(self, number: str, reason: str) -> Order:
        """Cancelled now; what was paid is refunded, an authorisation is voided (as the store)."""
        self.calls.append(f"cancel_order {number}")
        order = self.data.orders.get(number)
        check_changeable(order, number)
        assert order is not None
        now = utc_now()
        refunded = order.payment_status == "paid"
        changed = replace(
            order,
            status="cancelled",
            cancelled_at=now,
            cancellation_reason=reason[:200],
            payment_status="refunded" if refunded else "voided",
            refunded_at=now if refunded else None,
            expected_dispatch=None,
        )
        self.data.orders[number] = changed
        return changed

    async def cancel_items(
        self, number: str, item_ids: Sequence[int], reason: str
    ) -> ItemsCancelled:
        """As the store: the open items among ``item_ids`` are cancelled once each; the last
        ones left cancel the whole order."""
        self.calls.append(f"cancel_items {number} {','.join(map(str, sorted(item_ids)))}")
        order = self.data.orders.get(number)
        check_changeable(order, number)
        assert order is not None
        found = items_refund(order, item_ids)
        if not found.items:
            return ItemsCancelled(order, (), Decimal("0.00"), False)
        now, paid = utc_now(), order.payment_status == "paid"
        chosen = {i.id for i in found.items}
        items = tuple(
            replace(
                i,
                cancelled_at=now,
                refunded=item_refund(order, i) if paid else Decimal("0.00"),
            )
            if i.id in chosen
            else i
            for i in order.items
        )
        self.data.orders[number] = replace(order, items=items)
        if found.whole:
            await self.cancel_order(number, reason)
        changed = self.data.orders[number]
        return ItemsCancelled(changed, tuple(sorted(chosen)), found.amount, found.whole)

    async def change_address(self, number: str, address: Address) -> Order:
        self.calls.append(f"change_address {number}")
        order = self.data.orders.get(number)
        check_changeable(order, number)
        assert order is not None
        changed = replace(order, shipping_address=address)
        self.data.orders[number] = changed
        return changed

    async def refund_claim(self, number: str, refund: ClaimRefund) -> ClaimRefunded:
        """As the store, but for the claim (module docstring): paid once per claim number, the
        order partially_refunded, or refunded when nothing is left."""
        self.calls.append(f"refund_claim {number} {refund.claim}")
        order = self.data.orders.get(number)
        if order is None or refund.order_number != number:
            raise OrderNotChangeable("no_order", number)
        done = next((r for r in order.claim_refunds if r.claim == refund.claim), None)
        if done is not None:
            return ClaimRefunded(order, done, False)
        back = [*(i.refunded or Decimal("0.00") for i in order.items)]
        back += [r.amount for r in order.claim_refunds]
        back += [
            r.refund.amount
            for r in self.data.returns.values()
            if r.refund and r.order_number == number
        ]
        refunded = sum(back, Decimal("0.00"))
        check_order(order, refund, refunded)
        now = utc_now()
        done = ClaimRefundPaid(
            refund.claim, refund.amount, refund.currency, order.payment_method, now
        )
        whole = refunded + refund.amount >= order.total
        changed = replace(
            order,
            payment_status="refunded" if whole else "partially_refunded",
            refunded_at=now,
            claim_refunds=(*order.claim_refunds, done),
        )
        self.data.orders[number] = changed
        return ClaimRefunded(changed, done, True)

    async def stock(self, skus: Sequence[str]) -> dict[str, Optional[int]]:
        """As the store's stock_levels: the demo's levels, None for a SKU not tracked."""
        self.calls.append(f"stock {','.join(sorted(set(skus)))}")
        return {sku: self.data.stock.get(sku) for sku in sorted(set(skus))}

    async def send_replacement(self, number: str, replacement: ClaimReplacement) -> ReplacementSent:
        """As the store, but for the claim (module docstring): a new order at no charge for the
        claimed lines, to the same customer and address, sent once per claim number, refused
        when short of stock (the stock taken off)."""
        self.calls.append(f"send_replacement {number} {replacement.claim}")
        order = self.data.orders.get(number)
        if order is None or replacement.order_number != number:
            raise OrderNotChangeable("no_order", number)
        done = self.replacements.get(replacement.claim)
        if done is not None:
            return ReplacementSent(replacement.claim, self.data.orders[done], False)
        lines = claimed_lines(order, replacement)
        wanted = by_sku(lines)
        short = short_of({sku: self.data.stock.get(sku) for sku in wanted}, lines)
        if short:
            raise OrderNotChangeable("out_of_stock", ",".join(short))
        for sku, quantity in wanted.items():
            self.data.stock[sku] -= quantity
        now = utc_now()
        new_number = str(max(int(n) for n in self.data.orders if n.isdigit()) + 1)
        items = tuple(
            replace(item, id=90000 + n, quantity=quantity, unit_price=Decimal("0.00"))
            for n, (item, quantity) in enumerate(lines, start=len(self.replacements) * 10)
        )
        zero = Decimal("0.00")
        made = replace(
            order,
            id=max(o.id for o in self.data.orders.values()) + 1,
            number=new_number,
            status="paid",
            placed_at=now,
            paid_at=now,
            expected_dispatch=(now + timedelta(days=1)).date(),
            promised_delivery=None,
            cancelled_at=None,
            cancellation_reason=None,
            address_changed_at=None,
            address_changed_by=None,
            subtotal=zero,
            shipping_fee=zero,
            total=zero,
            items=items,
            shipments=(),
            payment_status="paid",
            payment_method=f"no charge (claim {replacement.claim})",
            refunded_at=None,
            claim_refunds=(),
        )
        self.add_order(made)
        self.replacements[replacement.claim] = new_number
        return ReplacementSent(replacement.claim, made, True)

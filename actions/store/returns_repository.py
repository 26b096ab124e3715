"""Reads and writes of returns, their labels and refunds, and the cases recorded for a person
(:class:`actions.store.repository.StoreRepository` is the whole repository)."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime
from typing import Any, Optional

from sqlalchemy import insert, select, update

from actions.store import claims
from actions.store import tables as t
from actions.store.models import OrderSummary, Store
from actions.store.orders_repository import OrdersRepository
from actions.store.returns_models import (
    HandoffRequest,
    LabelPage,
    NewLabel,
    NewReturn,
    Refund,
    Return,
    ReturnLabel,
    ReturnLine,
)


class ReturnsRepository(OrdersRepository):
    """Returns and refunds (actions/returns.py, actions/refunds.py), over the orders."""

    async def item_deliveries(self, order_id: int) -> dict[int, Optional[datetime]]:
        """When each item of an order was delivered (``None``: not delivered yet).

        An item travels in one parcel; the returns window counts from that parcel's delivery,
        so a split order's first parcel can be returned while the second is on its way.
        """
        si, s = t.shipment_items, t.shipments
        rows = (
            await self.conn.execute(
                select(si.c.order_item_id, s.c.status, s.c.delivered_at)
                .join(s, s.c.id == si.c.shipment_id)
                .where(s.c.order_id == order_id)
            )
        ).all()
        found: dict[int, Optional[datetime]] = {}
        for r in rows:
            delivered = r.delivered_at if r.status == "delivered" else None
            if r.order_item_id in found and (found[r.order_item_id] is None or delivered is None):
                found[r.order_item_id] = None  # part of it is still on its way
            else:
                found[r.order_item_id] = delivered
        return found

    async def returned_quantities(self, order_id: int) -> dict[int, tuple[int, str]]:
        """Per order item: how many are already in a (not rejected) return, and its RMA."""
        r, ri = t.returns, t.return_items
        rows = (
            await self.conn.execute(
                select(ri.c.order_item_id, ri.c.quantity, r.c.rma)
                .join(r, r.c.id == ri.c.return_id)
                .where(r.c.order_id == order_id, r.c.status != "rejected")
                .order_by(r.c.id)
            )
        ).all()
        found: dict[int, tuple[int, str]] = {}
        for row in rows:
            before = found.get(row.order_item_id, (0, ""))[0]
            found[row.order_item_id] = (before + row.quantity, str(row.rma or ""))
        return found

    async def claimed_quantities(self, order_number: str) -> dict[int, tuple[int, str]]:
        """Per order item: how many a delivery-problem claim (not rejected) covers, and the
        newest such claim's number. A claim for a whole parcel that never came covers every
        item of the parcels that had arrived (or were lost) when it was made: their money went
        back with the claim, so they cannot be returned for it again."""
        found: dict[int, tuple[int, str]] = {}
        for claim in await claims.for_order(self.conn, order_number):
            if claim.state == "rejected":
                continue
            if claim.order_item_id is not None:
                lines = [(claim.order_item_id, claim.quantity or 0)]
            else:
                lines = await self._arrived_lines(order_number, claim.created_at)
            for item_id, quantity in lines:
                before = found.get(item_id, (0, ""))[0]
                found[item_id] = (before + quantity, claim.number)
        return found

    async def _arrived_lines(self, order_number: str, by: datetime) -> list[tuple[int, int]]:
        """The items (and how many) in an order's parcels scanned delivered by ``by``, or lost."""
        o, si, s = t.orders, t.shipment_items, t.shipments
        rows = await self.conn.execute(
            select(si.c.order_item_id, si.c.quantity, s.c.status, s.c.delivered_at)
            .join(s, s.c.id == si.c.shipment_id)
            .join(o, o.c.id == s.c.order_id)
            .where(o.c.number == order_number)
        )
        return [
            (r.order_item_id, r.quantity)
            for r in rows
            if r.status == "lost"
            or (r.status == "delivered" and r.delivered_at is not None and r.delivered_at <= by)
        ]

    async def recent_delivered_orders(self, customer_id: int, limit: int = 5) -> list[OrderSummary]:
        """A customer's latest orders with something delivered, newest first."""
        o, s = t.orders, t.shipments
        delivered = (
            select(s.c.order_id).where(s.c.status == "delivered").distinct().scalar_subquery()
        )
        numbers = (
            await self.conn.execute(
                select(o.c.number)
                .where(o.c.customer_id == customer_id, o.c.id.in_(delivered))
                .order_by(o.c.placed_at.desc(), o.c.id.desc())
                .limit(limit)
            )
        ).scalars()
        wanted = list(numbers)
        everything = await self.recent_orders(customer_id, limit=200)
        return [summary for summary in everything if summary.number in wanted]

    async def store_by_id(self, store_id: int) -> Optional[Store]:
        for store in await self.stores():
            if store.id == store_id:
                return store
        return None

    async def return_by_key(self, idempotency_key: str) -> Optional[Return]:
        rma = (
            await self.conn.execute(
                select(t.returns.c.rma).where(t.returns.c.idempotency_key == idempotency_key)
            )
        ).scalar_one_or_none()
        return await self.get_return(rma) if rma else None

    async def create_return(self, new: NewReturn, label: Optional[NewLabel] = None) -> Return:
        """Insert a return with its items (and label); raises IntegrityError on a reused key."""
        r = t.returns
        result = await self.conn.execute(
            insert(r).values(
                order_id=new.order_id,
                customer_id=new.customer_id,
                conversation_id=new.conversation_id,
                idempotency_key=new.idempotency_key,
                status=new.status,
                reason=new.reason,
                reason_note=new.reason_note,
                method=new.method,
                store_id=new.store_id,
                refund_method=new.refund_method,
                currency=new.currency,
                items_value=new.items_value,
                return_fee=new.return_fee,
                refund_amount=new.refund_amount,
                created_at=new.created_at,
                return_by=new.return_by,
            )
        )
        return_id = int(result.inserted_primary_key[0])
        rma = rma_for(return_id)
        await self.conn.execute(update(r).where(r.c.id == return_id).values(rma=rma))
        await self.conn.execute(
            insert(t.return_items),
            [
                {"return_id": return_id, "order_item_id": item_id, "quantity": qty}
                for item_id, qty in new.lines
            ],
        )
        if label is not None:
            await self.conn.execute(
                insert(t.return_labels).values(
                    return_id=return_id,
                    carrier=label.carrier,
                    tracking_number=label.tracking_number,
                    tracking_url=label.tracking_url,
                    created_at=label.created_at,
                    valid_until=label.valid_until,
                )
            )
        created = await self.get_return(rma)
        assert created is not None
        return created

    async def get_return(self, rma: str) -> Optional[Return]:
        found = await self._returns(t.returns.c.rma == rma)
        return found[0] if found else None

    async def returns_for_order(self, order_number: str) -> list[Return]:
        order_id = (
            await self.conn.execute(select(t.orders.c.id).where(t.orders.c.number == order_number))
        ).scalar_one_or_none()
        if order_id is None:
            return []
        return await self._returns(t.returns.c.order_id == order_id)

    async def returns_for_customer(self, customer_id: int, limit: int = 5) -> list[Return]:
        """A customer's latest returns, newest first."""
        found = await self._returns(t.returns.c.customer_id == customer_id)
        return sorted(found, key=lambda x: (x.created_at, x.id), reverse=True)[:limit]

    async def _returns(self, where: Any) -> list[Return]:
        r, o, st = t.returns, t.orders, t.stores
        rows = (
            await self.conn.execute(
                select(
                    r,
                    o.c.number.label("order_number"),
                    o.c.payment_method,
                    st.c.name.label("store_name"),
                    st.c.line1.label("store_line1"),
                    st.c.city.label("store_city"),
                    st.c.postal_code.label("store_postal_code"),
                )
                .join(o, o.c.id == r.c.order_id)
                .outerjoin(st, st.c.id == r.c.store_id)
                .where(where)
                .order_by(r.c.id)
            )
        ).all()
        if not rows:
            return []
        ids = [row.id for row in rows]
        ri, oi = t.return_items, t.order_items
        lines: dict[int, list[ReturnLine]] = defaultdict(list)
        for row in (
            await self.conn.execute(
                select(ri.c.return_id, ri.c.quantity, oi.c.id, oi.c.product_name, oi.c.unit_price)
                .join(oi, oi.c.id == ri.c.order_item_id)
                .where(ri.c.return_id.in_(ids))
                .order_by(ri.c.return_id, oi.c.id)
            )
        ).all():
            lines[row.return_id].append(
                ReturnLine(row.id, row.product_name, row.quantity, row.unit_price)
            )
        labels = {
            row.return_id: ReturnLabel(
                row.carrier, row.tracking_number, row.tracking_url, row.created_at, row.valid_until
            )
            for row in (
                await self.conn.execute(
                    select(t.return_labels).where(t.return_labels.c.return_id.in_(ids))
                )
            ).all()
        }
        refunds = {
            row.return_id: Refund(
                row.amount, row.currency, row.method, row.destination, row.refunded_at
            )
            for row in (
                await self.conn.execute(select(t.refunds).where(t.refunds.c.return_id.in_(ids)))
            ).all()
        }
        return [
            Return(
                id=row.id,
                rma=str(row.rma),
                order_number=row.order_number,
                customer_id=row.customer_id,
                status=row.status,
                reason=row.reason,
                reason_note=row.reason_note,
                method=row.method,
                store_name=row.store_name,
                store_address=(
                    f"{row.store_line1}, {row.store_city} {row.store_postal_code}"
                    if row.store_name
                    else None
                ),
                refund_method=row.refund_method,
                currency=row.currency,
                items_value=row.items_value,
                return_fee=row.return_fee,
                refund_amount=row.refund_amount,
                created_at=row.created_at,
                return_by=row.return_by,
                shipped_at=row.shipped_at,
                received_at=row.received_at,
                inspected_at=row.inspected_at,
                rejected_at=row.rejected_at,
                rejection_reason=row.rejection_reason,
                payment_method=row.payment_method,
                lines=tuple(lines[row.id]),
                label=labels.get(row.id),
                refund=refunds.get(row.id),
            )
            for row in rows
        ]

    async def label_page(self, rma: str) -> Optional[LabelPage]:
        """What the printable label for a return shows; ``None`` without a carrier label."""
        found = await self.get_return(rma)
        if found is None or found.label is None:
            return None
        o, a, c = t.orders, t.addresses, t.customers
        row = (
            await self.conn.execute(
                select(
                    c.c.first_name,
                    c.c.last_name,
                    a.c.line1,
                    a.c.line2,
                    a.c.city,
                    a.c.postal_code,
                    a.c.country,
                )
                .select_from(o)
                .join(a, a.c.id == o.c.shipping_address_id)
                .join(c, c.c.id == o.c.customer_id)
                .where(o.c.number == found.order_number)
            )
        ).one()
        sender = tuple(part for part in (row.line1, row.line2, row.city, row.postal_code) if part)
        return LabelPage(
            rma=found.rma,
            order_number=found.order_number,
            status=found.status,
            label=found.label,
            sender_name=f"{row.first_name} {row.last_name}",
            sender_lines=sender,
            country=row.country,
            lines=found.lines,
        )

    async def record_handoff_request(self, request: HandoffRequest) -> int:
        result = await self.conn.execute(
            insert(t.handoff_requests).values(
                conversation_id=request.conversation_id,
                customer_id=request.customer_id,
                order_number=request.order_number,
                topic=request.topic,
                reason=request.reason,
                summary=request.summary,
                details=request.details,
                status="open",
                created_at=request.created_at,
            )
        )
        return int(result.inserted_primary_key[0])


RMA_BASE = 20000


def rma_for(return_id: int) -> str:
    """The customer-facing return number for a return id: 1 → "RMA-20001"."""
    return f"RMA-{RMA_BASE + return_id}"

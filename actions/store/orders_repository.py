"""Reads and writes of the shop's customers, orders, ownership proofs and stores
(:class:`actions.store.repository.StoreRepository` is the whole repository)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime
from typing import Any, Optional

from sqlalchemy import and_, delete, func, insert, select, text, update
from sqlalchemy.ext.asyncio import AsyncConnection

from actions.store import claim_refunds
from actions.store import tables as t
from actions.store.address_changes import latest_address_change
from actions.store.models import (
    Address,
    Customer,
    Order,
    OrderItem,
    OrderSummary,
    Shipment,
    Store,
    TrackingEvent,
)


def _customer(row: Any) -> Customer:
    return Customer(
        id=row.id,
        first_name=row.first_name,
        last_name=row.last_name,
        email=row.email,
        phone=row.phone,
        postal_code=row.postal_code,
    )


class OrdersRepository:
    """Customers, orders, ownership proofs and the physical stores."""

    def __init__(self, conn: AsyncConnection) -> None:
        self.conn = conn

    # --- customers -------------------------------------------------------------------

    async def customer_by_id(self, customer_id: int) -> Optional[Customer]:
        row = (
            await self.conn.execute(select(t.customers).where(t.customers.c.id == customer_id))
        ).first()
        return _customer(row) if row else None

    async def customer_by_email(self, email: str) -> Optional[Customer]:
        row = (
            await self.conn.execute(
                select(t.customers).where(func.lower(t.customers.c.email) == email.strip().lower())
            )
        ).first()
        return _customer(row) if row else None

    async def customer_by_phone(self, phone: str) -> Optional[Customer]:
        row = (
            await self.conn.execute(select(t.customers).where(t.customers.c.phone == phone))
        ).first()
        return _customer(row) if row else None

    # --- orders ----------------------------------------------------------------------

    async def order_owner(self, number: str) -> Optional[int]:
        """The customer id an order belongs to, without loading the order."""
        return (
            await self.conn.execute(
                select(t.orders.c.customer_id).where(t.orders.c.number == number)
            )
        ).scalar_one_or_none()

    async def get_order(self, number: str) -> Optional[Order]:
        """The whole order — items, parcels with their contents and tracking events."""
        o, a, c = t.orders, t.addresses, t.customers
        row = (
            await self.conn.execute(
                select(o, a.c.line1, a.c.line2, a.c.city, a.c.postal_code, a.c.country, c.c.email)
                .join(a, a.c.id == o.c.shipping_address_id)
                .join(c, c.c.id == o.c.customer_id)
                .where(o.c.number == number)
            )
        ).first()
        if row is None:
            return None
        items_rows = (
            await self.conn.execute(
                select(t.order_items)
                .where(t.order_items.c.order_id == row.id)
                .order_by(t.order_items.c.id)
            )
        ).all()
        items = tuple(
            OrderItem(
                id=r.id,
                sku=r.sku,
                product_name=r.product_name,
                category=r.category,
                quantity=r.quantity,
                unit_price=r.unit_price,
                final_sale=bool(r.final_sale),
                cancelled_at=r.cancelled_at,
                refunded=r.refunded_amount,
            )
            for r in items_rows
        )
        changed = await latest_address_change(self.conn, row.number)
        return Order(
            id=row.id,
            number=row.number,
            customer_id=row.customer_id,
            status=row.status,
            placed_at=row.placed_at,
            paid_at=row.paid_at,
            currency=row.currency,
            subtotal=row.subtotal,
            shipping_fee=row.shipping_fee,
            total=row.total,
            expected_dispatch=row.expected_dispatch,
            promised_delivery=row.promised_delivery,
            cancelled_at=row.cancelled_at,
            cancellation_reason=row.cancellation_reason,
            payment_status=row.payment_status,
            refunded_at=row.refunded_at,
            payment_method=row.payment_method,
            shipping_address=Address(
                line1=row.line1,
                line2=row.line2,
                city=row.city,
                postal_code=row.postal_code,
                country=row.country,
            ),
            email=row.email,
            items=items,
            shipments=await self._shipments(row.id, {i.id: i.product_name for i in items}),
            address_changed_at=changed[0] if changed else None,
            address_changed_by=changed[1] if changed else None,
            claim_refunds=await claim_refunds.for_order(self.conn, row.number),
        )

    async def _shipments(self, order_id: int, item_names: dict[int, str]) -> tuple[Shipment, ...]:
        s = t.shipments
        rows = (
            await self.conn.execute(select(s).where(s.c.order_id == order_id).order_by(s.c.id))
        ).all()
        if not rows:
            return ()
        ids = [r.id for r in rows]
        events: dict[int, list[TrackingEvent]] = defaultdict(list)
        for e in (
            await self.conn.execute(
                select(t.tracking_events)
                .where(t.tracking_events.c.shipment_id.in_(ids))
                .order_by(t.tracking_events.c.occurred_at, t.tracking_events.c.id)
            )
        ).all():
            events[e.shipment_id].append(
                TrackingEvent(e.occurred_at, e.status, e.description, e.location)
            )
        contents: dict[int, list[tuple[str, int]]] = defaultdict(list)
        for si in (
            await self.conn.execute(
                select(t.shipment_items)
                .where(t.shipment_items.c.shipment_id.in_(ids))
                .order_by(t.shipment_items.c.order_item_id)
            )
        ).all():
            contents[si.shipment_id].append((item_names.get(si.order_item_id, "item"), si.quantity))
        return tuple(
            Shipment(
                id=r.id,
                carrier=r.carrier,
                tracking_number=r.tracking_number,
                tracking_url=r.tracking_url,
                status=r.status,
                shipped_at=r.shipped_at,
                estimated_delivery=r.estimated_delivery,
                delivered_at=r.delivered_at,
                delivered_to=r.delivered_to,
                events=tuple(events[r.id]),
                contents=tuple(contents[r.id]),
            )
            for r in rows
        )

    async def recent_orders(self, customer_id: int, limit: int = 5) -> list[OrderSummary]:
        """A customer's latest orders, newest first, for "which order?" buttons."""
        o, i = t.orders, t.order_items
        rows = (
            await self.conn.execute(
                select(o.c.id, o.c.number, o.c.status, o.c.placed_at)
                .where(o.c.customer_id == customer_id)
                .order_by(o.c.placed_at.desc(), o.c.id.desc())
                .limit(limit)
            )
        ).all()
        if not rows:
            return []
        firsts: dict[int, tuple[str, int]] = {}
        for r in (
            await self.conn.execute(
                select(i.c.order_id, i.c.product_name, i.c.quantity)
                .where(i.c.order_id.in_([r.id for r in rows]))
                .order_by(i.c.id)
            )
        ).all():
            name, count = firsts.get(r.order_id, (r.product_name, 0))
            firsts[r.order_id] = (name, count + r.quantity)
        return [
            OrderSummary(
                number=r.number,
                status=r.status,
                placed_at=r.placed_at,
                item_count=firsts.get(r.id, ("", 0))[1],
                first_item=firsts.get(r.id, ("", 0))[0],
            )
            for r in rows
        ]

    # --- ownership proofs ------------------------------------------------------------

    async def proven_orders(self, conversation_id: str, numbers: Sequence[str]) -> set[str]:
        """Which of ``numbers`` this conversation proved ownership of (a successful attempt)."""
        v = t.verification_attempts
        rows = await self.conn.execute(
            select(v.c.order_number)
            .where(
                v.c.conversation_id == conversation_id,
                v.c.succeeded.is_(True),
                v.c.order_number.in_(list(numbers)),
            )
            .distinct()
        )
        return {str(r[0]) for r in rows}

    async def lock_verification(self, keys: Sequence[str]) -> None:
        """Serialise ownership checks that count against the same order, conversation or
        client until this transaction ends, so parallel guesses cannot all pass the check
        before any is recorded. PostgreSQL: transaction-scoped advisory locks (taken in one
        order, so two checks cannot deadlock). SQLite serialises writers itself: the check
        writes its attempt first (:func:`actions.services.verification.verify_ownership`)."""
        if self.conn.dialect.name != "postgresql":
            return
        for key in sorted(set(keys)):
            await self.conn.execute(
                text("SELECT pg_advisory_xact_lock(hashtext(:key))"), {"key": f"verify:{key}"}
            )

    async def record_verification(
        self,
        order_number: str,
        conversation_id: str,
        at: datetime,
        succeeded: bool,
        client_key: Optional[str] = None,
    ) -> int:
        result = await self.conn.execute(
            insert(t.verification_attempts).values(
                order_number=order_number,
                conversation_id=conversation_id,
                attempted_at=at,
                succeeded=succeeded,
                client_key=client_key,
            )
        )
        return int(result.inserted_primary_key[0])

    async def settle_verification(self, attempt_id: int, succeeded: bool) -> None:
        v = t.verification_attempts
        await self.conn.execute(update(v).where(v.c.id == attempt_id).values(succeeded=succeeded))

    async def forget_verification(self, attempt_id: int) -> None:
        v = t.verification_attempts
        await self.conn.execute(delete(v).where(v.c.id == attempt_id))

    async def failures_since(
        self,
        since: datetime,
        *,
        order_number: Optional[str] = None,
        conversation_id: str = "",
        client_key: Optional[str] = None,
        exclude: Optional[int] = None,
    ) -> int:
        """Failed proofs since ``since`` matching every criterion given (an order, a
        conversation, a client); without an order or a client, those of the conversation."""
        v = t.verification_attempts
        conds = [v.c.attempted_at >= since, v.c.succeeded.is_(False)]
        if order_number is not None:
            conds.append(v.c.order_number == order_number)
        if client_key is not None:
            conds.append(v.c.client_key == client_key)
        if conversation_id or (order_number is None and client_key is None):
            conds.append(v.c.conversation_id == conversation_id)
        if exclude is not None:
            conds.append(v.c.id != exclude)
        return int((await self.conn.execute(select(func.count()).where(and_(*conds)))).scalar_one())

    # --- stores ----------------------------------------------------------------------

    async def stores(self) -> Sequence[Store]:
        rows = (await self.conn.execute(select(t.stores).order_by(t.stores.c.id))).all()
        return [
            Store(
                id=r.id,
                name=r.name,
                line1=r.line1,
                city=r.city,
                postal_code=r.postal_code,
                country=r.country,
                phone=r.phone,
                latitude=r.latitude,
                longitude=r.longitude,
                opening_hours=dict(r.opening_hours),
                accepts_returns=bool(r.accepts_returns),
            )
            for r in rows
        ]

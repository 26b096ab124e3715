"""Reads and writes of the shop's data, returning the frozen models business rules use.

One repository per unit of work: it wraps an ``AsyncConnection`` so a caller decides the
transaction (``async with engine.begin() as conn: repo = StoreRepository(conn)``).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime
from typing import Any, Optional

from sqlalchemy import and_, delete, func, insert, select, text, update
from sqlalchemy.ext.asyncio import AsyncConnection

from actions.store import tables as t
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


def _customer(row: Any) -> Customer:
    return Customer(
        id=row.id,
        first_name=row.first_name,
        last_name=row.last_name,
        email=row.email,
        phone=row.phone,
        postal_code=row.postal_code,
    )


class StoreRepository:
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
            )
            for r in items_rows
        )
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

    # --- returns and refunds (actions/returns.py, actions/refunds.py) ----------------

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

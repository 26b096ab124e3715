"""Copy a platform's order into Baton's tables (the read-through cache of the mirror).

An order read from Shopify or WooCommerce is written over the rows Baton has for the same
order number, so the SQL repository reads it like a built-in order and Baton-owned records
(returns, their items and refunds) keep pointing at the same ids. Rows are matched by the
platform's reference first and by natural keys second (a customer's e-mail, an item's SKU),
so a demo row seeded before the shop was connected is adopted rather than duplicated.

Parcels are replaced wholesale on every copy: nothing Baton owns refers to them.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Optional

from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from actions.shop.platform import PlatformCustomer, PlatformOrder, PlatformShipment
from actions.store import claim_refunds
from actions.store import tables as t
from actions.store.models import ClaimRefundPaid


async def upsert_customer(conn: AsyncConnection, p: PlatformCustomer, now: datetime) -> int:
    """The local id of the platform's customer, created or brought up to date."""
    c = t.customers
    row = (await conn.execute(select(c.c.id).where(c.c.external_ref == p.ref))).first()
    if row is None and p.email:
        row = (
            await conn.execute(
                select(c.c.id).where(func.lower(c.c.email) == p.email.strip().lower())
            )
        ).first()
    if p.phone:  # a phone moves with its owner: whoever had it before no longer does
        clash = c.c.phone == p.phone
        if row is not None:
            clash = clash & (c.c.id != row.id)
        await conn.execute(update(c).where(clash).values(phone=None))
    values: dict[str, Any] = {
        "first_name": p.first_name[:80],
        "last_name": p.last_name[:80],
        "email": p.email[:254],
        "phone": p.phone,
        "postal_code": p.postal_code[:12],
        "external_ref": p.ref,
    }
    if row is not None:
        await conn.execute(update(c).where(c.c.id == row.id).values(**values))
        return int(row.id)
    result = await conn.execute(insert(c).values(created_at=now, **values))
    return int(result.inserted_primary_key[0])


async def upsert_order(conn: AsyncConnection, p: PlatformOrder, now: datetime) -> int:
    """Write the platform's order over Baton's copy (or create it); returns the local id."""
    customer_id = await upsert_customer(conn, p.customer, now)
    o = t.orders
    existing = (
        await conn.execute(select(o.c.id, o.c.shipping_address_id).where(o.c.number == p.number))
    ).first()
    address = {
        "customer_id": customer_id,
        "line1": p.shipping_address.line1[:120],
        "line2": p.shipping_address.line2,
        "city": p.shipping_address.city[:80],
        "postal_code": p.shipping_address.postal_code[:12],
        "country": p.shipping_address.country[:2],
    }
    if existing is not None:
        address_id = int(existing.shipping_address_id)
        await conn.execute(
            update(t.addresses).where(t.addresses.c.id == address_id).values(address)
        )
    else:
        made = await conn.execute(insert(t.addresses).values(address))
        address_id = int(made.inserted_primary_key[0])
    values: dict[str, Any] = {
        "number": p.number,
        "customer_id": customer_id,
        "shipping_address_id": address_id,
        "status": p.status,
        "placed_at": p.placed_at,
        "paid_at": p.paid_at,
        "currency": p.currency,
        "subtotal": p.subtotal,
        "shipping_fee": p.shipping_fee,
        "total": p.total,
        "expected_dispatch": p.expected_dispatch,
        "promised_delivery": p.promised_delivery,
        "cancelled_at": p.cancelled_at,
        "cancellation_reason": (p.cancellation_reason or None) and p.cancellation_reason[:200],
        "payment_status": p.payment_status,
        "refunded_at": p.refunded_at,
        "payment_method": p.payment_method[:40],
        "external_ref": p.ref,
        "synced_at": now,
    }
    if existing is not None:
        order_id = int(existing.id)
        await conn.execute(update(o).where(o.c.id == order_id).values(values))
    else:
        order_id = int((await conn.execute(insert(o).values(values))).inserted_primary_key[0])
    item_ids = await _upsert_items(conn, order_id, p)
    await _replace_shipments(conn, order_id, p.shipments, item_ids)
    await _copy_refunds(conn, order_id, p)
    return order_id


async def _upsert_items(conn: AsyncConnection, order_id: int, p: PlatformOrder) -> dict[str, int]:
    """Items keep their local ids (returns refer to them); returns item ref -> local id."""
    i = t.order_items
    rows = (
        await conn.execute(
            select(i.c.id, i.c.sku, i.c.external_ref)
            .where(i.c.order_id == order_id)
            .order_by(i.c.id)
        )
    ).all()
    by_ref = {r.external_ref: r.id for r in rows if r.external_ref}
    unclaimed = [r for r in rows if not r.external_ref]
    ids: dict[str, int] = {}
    for item in p.items:
        values = {
            "order_id": order_id,
            "sku": item.sku[:40],
            "product_name": item.product_name[:120],
            "category": (item.category or "other")[:40],
            "quantity": item.quantity,
            "unit_price": item.unit_price,
            "final_sale": item.final_sale,
            "external_ref": item.ref,
            # the platform says which lines were cancelled on their own (and what came back)
            "cancelled_at": item.cancelled_at,
            "refunded_amount": item.refunded,
        }
        local: Optional[int] = by_ref.get(item.ref)
        if local is None:
            match = next((r for r in unclaimed if r.sku == item.sku), None)
            if match is not None:
                unclaimed.remove(match)
                local = int(match.id)
        if local is not None:
            await conn.execute(update(i).where(i.c.id == local).values(values))
        else:
            local = int((await conn.execute(insert(i).values(values))).inserted_primary_key[0])
        ids[item.ref] = local
    return ids


async def _replace_shipments(
    conn: AsyncConnection,
    order_id: int,
    shipments: tuple[PlatformShipment, ...],
    item_ids: dict[str, int],
) -> None:
    s = t.shipments
    old = [r.id for r in (await conn.execute(select(s.c.id).where(s.c.order_id == order_id))).all()]
    if old:
        await conn.execute(delete(t.shipment_items).where(t.shipment_items.c.shipment_id.in_(old)))
        await conn.execute(
            delete(t.tracking_events).where(t.tracking_events.c.shipment_id.in_(old))
        )
        await conn.execute(delete(s).where(s.c.id.in_(old)))
    for parcel in shipments:
        # A tracking number is unique among parcels: another order's stale copy gives it up.
        await conn.execute(delete(s).where(s.c.tracking_number == parcel.tracking_number))
        made = await conn.execute(
            insert(s).values(
                order_id=order_id,
                carrier=parcel.carrier[:40],
                tracking_number=parcel.tracking_number[:40],
                tracking_url=parcel.tracking_url[:300],
                status=parcel.status,
                shipped_at=parcel.shipped_at,
                estimated_delivery=parcel.estimated_delivery,
                delivered_at=parcel.delivered_at,
                delivered_to=parcel.delivered_to,
            )
        )
        shipment_id = int(made.inserted_primary_key[0])
        contents = [
            {"shipment_id": shipment_id, "order_item_id": item_ids[ref], "quantity": qty}
            for ref, qty in parcel.contents
            if ref in item_ids
        ]
        if contents:
            await conn.execute(insert(t.shipment_items), contents)
        events = [
            {
                "shipment_id": shipment_id,
                "occurred_at": e.occurred_at,
                "status": e.status,
                "description": e.description[:200],
                "location": e.location[:120],
            }
            for e in parcel.events
        ]
        if events:
            await conn.execute(insert(t.tracking_events), events)


async def _copy_refunds(conn: AsyncConnection, order_id: int, p: PlatformOrder) -> None:
    """A platform refund that names one of this order's returns settles it in Baton; one whose
    note names a claim is that claim's refund, paid (however it was made)."""
    r, f = t.returns, t.refunds
    for refund in p.refunds:
        if refund.claim and not refund.rma:
            paid = ClaimRefundPaid(
                refund.claim,
                refund.amount,
                refund.currency,
                refund.destination,
                refund.refunded_at,
                refund.ref,
            )
            await claim_refunds.record_paid(conn, p.number, paid)
        if not refund.rma:
            continue
        ret = (
            await conn.execute(
                select(r.c.id, r.c.status, r.c.refund_method).where(
                    r.c.rma == refund.rma, r.c.order_id == order_id
                )
            )
        ).first()
        if ret is None:
            continue
        values = {
            "return_id": ret.id,
            "amount": refund.amount,
            "currency": refund.currency,
            "method": ret.refund_method,
            "destination": refund.destination[:60],
            "refunded_at": refund.refunded_at,
            "external_ref": refund.ref,
        }
        have = (await conn.execute(select(f.c.id).where(f.c.return_id == ret.id))).first()
        if have is None:
            await conn.execute(insert(f).values(values))
        else:
            await conn.execute(update(f).where(f.c.id == have.id).values(values))
        if ret.status != "rejected":
            await conn.execute(update(r).where(r.c.id == ret.id).values(status="refunded"))


async def item_refs(conn: AsyncConnection, order_id: int) -> dict[int, str]:
    """The platform's ref of each item of a copied order, by local item id."""
    i = t.order_items
    rows = await conn.execute(
        select(i.c.id, i.c.external_ref).where(
            i.c.order_id == order_id, i.c.external_ref.is_not(None)
        )
    )
    return {int(r.id): str(r.external_ref) for r in rows}


async def mark_stale(conn: AsyncConnection, number: str) -> bool:
    """Forget when the copy was read, so the next use reads the platform (a webhook said the
    order changed). True if Baton had a copy."""
    o = t.orders
    result = await conn.execute(update(o).where(o.c.number == number).values(synced_at=None))
    return bool(result.rowcount)


async def synced_at(conn: AsyncConnection, number: str) -> tuple[bool, Optional[datetime]]:
    """Whether Baton has a copy of the order, and when it was read from the platform."""
    row = (
        await conn.execute(select(t.orders.c.synced_at).where(t.orders.c.number == number))
    ).first()
    return (row is not None, row.synced_at if row is not None else None)


async def mark_stale_by_ref(conn: AsyncConnection, platform_ref: str) -> bool:
    """:func:`mark_stale` for a webhook that names only the platform's id for the order."""
    o = t.orders
    result = await conn.execute(
        update(o).where(o.c.external_ref == platform_ref).values(synced_at=None)
    )
    return bool(result.rowcount)

"""A replacement order in Baton's own tables (the built-in shop): a new order for the claimed
items at no charge, to the same customer and shipping address as the order it replaces.

It is an order like any other — the next order number, ``paid`` with nothing to pay, waiting
for the warehouse — so "where is order 10121?" answers it, and the warehouse packs it from the
same list. Its items keep their SKU, name and category at price 0.00; its payment method says
why nothing was charged ("no charge (claim CLM-30001)").
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from decimal import Decimal

from sqlalchemy import func, insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection

from actions.store import tables as t
from actions.store.models import Order, OrderItem

ZERO = Decimal("0.00")
#: Order numbers tried when two replacements take the same next number at once.
ATTEMPTS = 5


async def next_number(conn: AsyncConnection) -> str:
    """One past the highest numeric order number (numbers are digits in Baton's shop)."""
    o = t.orders
    query = select(o.c.number).order_by(func.length(o.c.number).desc(), o.c.number.desc())
    for number in (await conn.scalars(query.limit(20))).all():
        if number.isdigit():
            return str(int(number) + 1)
    return "10001"


async def create(
    conn: AsyncConnection,
    original: Order,
    lines: Sequence[tuple[OrderItem, int]],
    claim: str,
    now: datetime,
) -> str:
    """Write the replacement order and its items; its number."""
    o = t.orders
    address_id = await conn.scalar(select(o.c.shipping_address_id).where(o.c.id == original.id))
    for _ in range(ATTEMPTS):
        number = await next_number(conn)
        try:
            async with conn.begin_nested():
                made = await conn.execute(
                    insert(o).values(
                        number=number,
                        customer_id=original.customer_id,
                        shipping_address_id=address_id,
                        status="paid",
                        placed_at=now,
                        paid_at=now,
                        currency=original.currency,
                        subtotal=ZERO,
                        shipping_fee=ZERO,
                        total=ZERO,
                        expected_dispatch=(now + timedelta(days=1)).date(),
                        payment_status="paid",
                        payment_method=f"no charge (claim {claim})"[:40],
                    )
                )
                order_id = made.inserted_primary_key[0]
                await conn.execute(
                    insert(t.order_items),
                    [
                        {
                            "order_id": order_id,
                            "sku": item.sku,
                            "product_name": item.product_name,
                            "category": item.category,
                            "quantity": quantity,
                            "unit_price": ZERO,
                            "final_sale": item.final_sale,
                        }
                        for item, quantity in lines
                    ],
                )
            return number
        except IntegrityError:  # another replacement took that number at the same moment
            continue
    raise RuntimeError("no free order number for a replacement")

"""The shop's stock levels (table ``stock_levels``), for the built-in shop and the demo.

A claim is settled with a replacement only when every item claimed is in stock
(:func:`actions.services.problems.decide`); the built-in shop answers
:meth:`~actions.shop.backend.ShopBackend.stock` from here and takes a replacement's units off
here, in the transaction that makes the replacement order. A SKU without a row is not tracked
(``None``): the rules cannot tell, so the claim settles as a refund.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Optional

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from actions.store import tables as t


async def levels(conn: AsyncConnection, skus: Sequence[str]) -> dict[str, Optional[int]]:
    """Units available for each SKU asked (None: not tracked)."""
    s = t.stock_levels
    wanted = sorted(set(skus))
    found: dict[str, Optional[int]] = dict.fromkeys(wanted)
    if wanted:
        rows = await conn.execute(select(s.c.sku, s.c.available).where(s.c.sku.in_(wanted)))
        found.update({row.sku: int(row.available) for row in rows.all()})
    return found


async def take(conn: AsyncConnection, sku: str, quantity: int, now: datetime) -> bool:
    """Take ``quantity`` units off a tracked SKU if that many are there (one statement, so two
    takers never both get the last unit); False when it is untracked or short."""
    s = t.stock_levels
    taken = await conn.execute(
        update(s)
        .where(s.c.sku == sku, s.c.available >= quantity)
        .values(available=s.c.available - quantity, updated_at=now)
    )
    return taken.rowcount == 1

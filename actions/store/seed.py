"""Deterministic demo data for "Lumen & Loom", the shop Baton ships with.

``seed_store`` migrates the schema and, if the database has never been seeded, fills it in
one transaction: fifteen hand-written *showcase* orders (10001-10015, documented in
docs/shop.md and pinned by ``tests/store/test_seed.py``), then generated customers and orders
that make the shop look lived-in, and the physical stores that accept returns.

Everything is computed relative to an *anchor* date ("today" for the demo), so a freshly
seeded demo always looks current: order 10001 was shipped yesterday, 10014 was delivered
exactly fourteen days ago, and so on. The anchor is stored in ``seed_meta``.

Determinism: one ``random.Random(RNG_SEED)``, drawn from in a fixed order, and no draw ever
depends on the anchor (dates are planned as whole-day offsets from it and only turned into
datetimes at the end). Two fresh databases seeded with the same anchor are identical; seeding
with another anchor shifts every date and nothing else.

Times are reasoned about in the shop's local time (Europe/London; Ireland keeps the same
clock) and stored as naive UTC. Nothing happens after 08:00 local time on the anchor day,
so the demo never shows an event "from the future" to a morning visitor.

The shop's data (catalogue, carriers, people and places, stores, the showcase orders) is in
``actions/store/demo/shop.json`` (:mod:`actions.store.demo_data`); the steps that plan and write
the rows are :mod:`actions.store.seed_people`, :mod:`actions.store.seed_orders` and
:mod:`actions.store.seed_rows`.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Optional

from sqlalchemy import func, insert, select
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from actions.store import tables as t
from actions.store.db import create_engine_for, create_schema
from actions.store.demo_data import Carrier, Product, demo_shop
from actions.store.seed_orders import OrderPlanner
from actions.store.seed_people import PeoplePlanner
from actions.store.seed_plans import (
    FIRST_ORDER_NUMBER,
    RNG_SEED,
    SEED_VERSION,
    SHOP_TZ,
    TABLES,
)
from actions.store.seed_returns import seed_returns
from actions.store.seed_rows import RowWriter

__all__ = [
    "FIRST_ORDER_NUMBER",
    "RNG_SEED",
    "SEED_VERSION",
    "SHOP_TZ",
    "Carrier",
    "Product",
    "SeedReport",
    "build_rows",
    "seed_store",
    "seed_store_sync",
    "shop_today",
]

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class SeedReport:
    created: bool
    customers: int
    orders: int
    anchor: date


def __getattr__(name: str) -> Any:
    """The demo shop's catalogue and stores under their old names, read when first asked for."""
    if name == "CATALOGUE":
        return demo_shop().catalogue
    if name == "PRODUCTS":
        return demo_shop().products
    if name == "STORES":
        return demo_shop().stores
    if name == "CARRIERS":
        return demo_shop().carriers
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


class _ShopBuilder(PeoplePlanner, OrderPlanner, RowWriter):
    """The whole shop, in a fixed order of steps: the draws never depend on the anchor."""

    def build(self) -> dict[str, list[dict[str, Any]]]:
        showcase_customers = self._showcase_customers()
        showcase_orders = self._showcase_orders(showcase_customers)
        customers = self._generated_customers(first_id=len(showcase_customers) + 1)
        orders = self._generated_orders(customers)
        self._set_signup_moments(customers, orders)

        for customer in showcase_customers + customers:
            self._emit_customer(customer)
        for number, order in enumerate(showcase_orders + orders, start=FIRST_ORDER_NUMBER):
            self._emit_order(order, number)
        self._emit_stores_and_meta()
        return self.rows


def build_rows(anchor: date) -> dict[str, list[dict[str, Any]]]:
    """Every row of the demo shop, by table name, for ``anchor`` (pure; no database)."""
    return _ShopBuilder(anchor).build()


# --------------------------------------------------------------------------------------
# Seeding
# --------------------------------------------------------------------------------------


def shop_today() -> date:
    return datetime.now(SHOP_TZ).date()


async def _meta(conn: AsyncConnection, key: str) -> Optional[str]:
    result = await conn.execute(select(t.seed_meta.c.value).where(t.seed_meta.c.key == key))
    value = result.scalar_one_or_none()
    return None if value is None else str(value)


async def _report(engine: AsyncEngine, created: bool) -> SeedReport:
    async with engine.connect() as conn:
        customers = (await conn.execute(select(func.count()).select_from(t.customers))).scalar()
        orders = (await conn.execute(select(func.count()).select_from(t.orders))).scalar()
        anchor = await _meta(conn, "anchor")
    return SeedReport(
        created=created,
        customers=int(customers or 0),
        orders=int(orders or 0),
        anchor=date.fromisoformat(anchor) if anchor else shop_today(),
    )


async def _advance_sequences(conn: AsyncConnection) -> None:
    """PostgreSQL: move SERIAL sequences past the explicit ids the seed inserted."""
    if conn.dialect.name != "postgresql":
        return
    for table in TABLES:
        if "id" not in table.c:
            continue
        sequence = func.pg_get_serial_sequence(table.name, "id")
        await conn.execute(select(func.setval(sequence, func.coalesce(func.max(table.c.id), 1))))


async def seed_store(engine: AsyncEngine, *, anchor: Optional[date] = None) -> SeedReport:
    """Migrate the schema and seed the demo shop once; later calls change nothing.

    Migrating is safe with another process doing the same right now (the action server and
    ``make seed``): :func:`actions.store.db.create_schema` serialises and retries it."""
    await create_schema(engine)
    async with engine.connect() as conn:
        seeded = await _meta(conn, "version") is not None
    if seeded:
        return await _report(engine, created=False)

    rows = build_rows(anchor or shop_today())
    created = False
    try:
        async with engine.begin() as conn:
            # Checked again inside the transaction in case another process got there first.
            if await _meta(conn, "version") is None:
                for table in TABLES:
                    await conn.execute(insert(table), rows[table.name])
                await seed_returns(conn, rows)  # returns in every state (seed_returns.py)
                await _advance_sequences(conn)
                created = True
    except (IntegrityError, OperationalError):
        # A concurrent seeder (the action server and `make seed`, say) won the race.
        async with engine.connect() as conn:
            if await _meta(conn, "version") is None:
                raise
    report = await _report(engine, created=created)
    if not created:
        return report
    logger.info(
        "Seeded the demo shop: %d customers, %d orders, anchor %s",
        report.customers,
        report.orders,
        report.anchor,
    )
    return report


def seed_store_sync(url: str, *, anchor: Optional[date] = None) -> SeedReport:
    """``seed_store`` for the command line: own engine, own event loop."""

    async def run() -> SeedReport:
        engine = create_engine_for(url)
        try:
            return await seed_store(engine, anchor=anchor)
        finally:
            await engine.dispose()

    return asyncio.run(run())

"""PostgreSQL restarted under running servers (the fault run's promise): the store's and the
handoff service's asyncio engines (asyncpg) carry on without a restart of their own, because
pooled connections are checked before use and a dead one is replaced."""

from __future__ import annotations

import asyncio

from sqlalchemy import text

from actions.store.db import create_engine_for
from actions.store.repository import StoreRepository
from actions.store.seed import seed_store
from handoff.store.db import create_engine, create_schema
from tests.support.services import fresh_database, throwaway_postgres


async def test_the_store_and_the_handoff_database_carry_on_after_a_restart() -> None:
    with throwaway_postgres() as server:
        store = create_engine_for(fresh_database(server, "store"))
        handoff = create_engine(fresh_database(server, "handoff"))
        try:
            await seed_store(store)
            await create_schema(handoff)
            async with store.connect() as conn:  # both pools now hold open connections
                assert await StoreRepository(conn).get_order("10001") is not None
            async with handoff.connect() as conn:
                await conn.execute(text("SELECT count(*) FROM tickets"))

            await asyncio.to_thread(server.restart)  # every pooled connection is now dead

            async with store.connect() as conn:
                order = await StoreRepository(conn).get_order("10001")
            assert order is not None and order.number == "10001"
            async with handoff.connect() as conn:
                tickets = (await conn.execute(text("SELECT count(*) FROM tickets"))).scalar()
            assert tickets == 0
        finally:
            await store.dispose()
            await handoff.dispose()

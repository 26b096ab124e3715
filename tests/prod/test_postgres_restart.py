"""PostgreSQL restarted under running servers (the fault run's promise): the store's and the
handoff service's asyncio engines (asyncpg) carry on without a restart of their own, because
pooled connections are checked before use and a dead one is replaced."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from actions.store.db import create_engine_for
from actions.store.repository import StoreRepository
from actions.store.seed import seed_store
from handoff.store.db import create_engine, create_schema
from infra.postgres import Postgres
from infra.sql import begin
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


async def test_a_store_transaction_waits_for_postgresql_to_come_back() -> None:
    """An action that needs the store while PostgreSQL is down waits for it (up to 15 s)
    instead of failing the customer's turn, and then reads the right order."""
    with throwaway_postgres() as server:
        url = fresh_database(server, "store_wait")
        store = create_engine_for(url)
        try:
            await seed_store(store)
            await asyncio.to_thread(server.stop)
            restarted = asyncio.create_task(_start_after(server, seconds=2.0))
            async with begin(store) as conn:
                order = await StoreRepository(conn).get_order("10001")
            await restarted
            assert order is not None and order.number == "10001"
        finally:
            await store.dispose()


async def test_a_database_that_stays_down_still_fails_with_its_own_error() -> None:
    with throwaway_postgres() as server:
        store = create_engine_for(fresh_database(server, "store_down"))
        try:
            await seed_store(store)
            await asyncio.to_thread(server.stop)
            with pytest.raises((DBAPIError, OSError)):
                async with begin(store, retry_seconds=1.0) as conn:
                    await StoreRepository(conn).get_order("10001")
        finally:
            await store.dispose()
            await asyncio.to_thread(server.start)


async def _start_after(server: Postgres, seconds: float) -> None:
    await asyncio.sleep(seconds)
    await asyncio.to_thread(server.start)

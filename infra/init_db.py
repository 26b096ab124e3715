"""Every table the profile's servers use, created once, and the demo shop seeded.

``python -m infra.prod init-db`` runs this before the replicas start (``make run-prod``) or as
a one-off job (docker-compose's ``init-db`` service, the Kubernetes Job), so replicas starting
together on a fresh database find their tables there instead of racing to create them.
Idempotent: running it again changes nothing.
"""

from __future__ import annotations

import asyncio
import os


def init_databases() -> None:
    """Create every table the replicas use and seed the demo shop (idempotent).

    Reads the same variables as the servers: STORE_DATABASE_URL, TRACKER_DATABASE_URL,
    HANDOFF_DATABASE_URL (and HANDOFF_DEMO_AGENT/HANDOFF_DEMO_PASSWORD for the demo agent)."""
    from actions.store.seed import seed_store_sync
    from bot.tracker_store import BatonSQLTrackerStore

    report = seed_store_sync(os.environ["STORE_DATABASE_URL"])
    print(f"store: {report.customers} customers, {report.orders} orders", flush=True)
    tracker = BatonSQLTrackerStore(url=os.environ["TRACKER_DATABASE_URL"])  # creates its table
    tracker.engine.dispose()
    asyncio.run(_init_async())
    print("tracker, outbox and handoff tables ready", flush=True)


async def _init_async() -> None:
    from connectors import outbox
    from handoff.live import Hub
    from handoff.relay import RelayClient
    from handoff.services import HandoffService
    from handoff.settings import load_settings
    from handoff.store.db import create_engine, create_schema
    from infra.sql import create_async_engine_for

    engine = create_async_engine_for(os.environ["TRACKER_DATABASE_URL"], foreign_keys=False)
    async with engine.begin() as conn:
        await conn.run_sync(outbox.metadata.create_all)
    await engine.dispose()
    settings = load_settings()
    engine = create_engine(settings.database_url)
    await create_schema(engine)
    relay = RelayClient(settings.relay_url, settings.relay_token)
    await HandoffService(engine, settings, Hub(), relay).ensure_demo_agent()
    await relay.close()
    await engine.dispose()

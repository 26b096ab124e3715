"""Every table the profile's servers use, created once; the demo shop only if asked.

``python -m infra.prod init-db`` runs this before the replicas start (``make run-prod``) or as
a one-off job (docker-compose's ``init-db`` service, the Kubernetes Job), so replicas starting
together on a fresh database find their tables there instead of racing to create them.
Idempotent: running it again changes nothing. The store is migrated to its newest revision
(actions/store/migrations/); its demo rows are written only with ``BATON_SEED_DEMO=1``
(:mod:`actions.store.prepare`): a production store is a real shop's.
"""

from __future__ import annotations

import asyncio
import os


def init_databases() -> None:
    """Create every table the replicas use, and seed the demo shop if BATON_SEED_DEMO=1.

    Reads the same variables as the servers: STORE_DATABASE_URL, TRACKER_DATABASE_URL,
    HANDOFF_DATABASE_URL (and HANDOFF_DEMO_AGENT/HANDOFF_DEMO_PASSWORD for the demo agent)."""
    from actions.store.prepare import prepare_store_sync
    from bot.tracker_store import BatonSQLTrackerStore

    report = prepare_store_sync(os.environ["STORE_DATABASE_URL"], "production", os.environ)
    if report is None:
        print("store: schema up to date, no demo shop (BATON_SEED_DEMO=1 seeds it)", flush=True)
    else:
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

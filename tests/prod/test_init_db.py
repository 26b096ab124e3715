"""``python -m infra.prod init-db`` (make run-prod, docker-compose, systemd, the Kubernetes
Job) on PostgreSQL: without BATON_SEED_DEMO the store is migrated and holds no demo shop."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import func, select, text

from actions.store import tables as t
from actions.store.db import create_engine_for
from bot.settings import ROOT
from tests.store.test_migrations import HEAD


async def test_production_startup_without_the_flag_leaves_the_store_empty(
    new_database: Callable[[str], str], tmp_path: Path
) -> None:
    store = new_database("store")
    env = {name: value for name, value in os.environ.items() if name != "BATON_SEED_DEMO"}
    env.update(
        STORE_DATABASE_URL=store,
        TRACKER_DATABASE_URL=new_database("tracker"),
        HANDOFF_DATABASE_URL=new_database("handoff"),
        BATON_VAR_DIR=str(tmp_path / "var"),
    )

    done = await asyncio.to_thread(
        subprocess.run,
        [sys.executable, "-m", "infra.prod", "init-db"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=240,
    )

    assert done.returncode == 0, done.stdout + done.stderr
    assert "no demo shop" in done.stdout
    engine = create_engine_for(store)
    try:
        async with engine.connect() as conn:
            version = await conn.scalar(text("SELECT version_num FROM alembic_version"))
            orders = await conn.scalar(select(func.count()).select_from(t.orders))
            customers = await conn.scalar(select(func.count()).select_from(t.customers))
    finally:
        await engine.dispose()
    assert (version, orders, customers) == (HEAD, 0, 0)

"""The action server's store pointed at a test database for the length of a block.

Tests that build a store of their own (empty, seeded, SQLite or PostgreSQL) all need the same
care: ``STORE_DATABASE_URL`` set and the settings cache cleared so the actions' code reads it,
then the engines disposed and the previous value put back, even when the test fails.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from actions.settings import get_settings
from actions.store.db import dispose_all


@asynccontextmanager
async def store_at(url: str) -> AsyncIterator[str]:
    saved = os.environ.get("STORE_DATABASE_URL")
    os.environ["STORE_DATABASE_URL"] = url
    get_settings.cache_clear()
    try:
        yield url
    finally:
        await dispose_all()
        if saved is None:
            os.environ.pop("STORE_DATABASE_URL", None)
        else:
            os.environ["STORE_DATABASE_URL"] = saved
        get_settings.cache_clear()

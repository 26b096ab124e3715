"""Getting the store ready at startup: migrate it always, seed the demo shop only when wanted.

The demo shop ("Lumen & Loom", actions/store/seed.py) is what local mode shows, so ``make run``
and the tests' servers seed it unless told not to. A production store holds a real shop's
copies of its data; fifteen demo customers and their orders in it would answer real customers'
questions with invented parcels, so the production profile and the deploys (``init-db``) seed
only when ``BATON_SEED_DEMO=1`` asks for it. The schema is migrated either way.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from typing import Literal, Optional

from actions.shop.current import real_shop_connected
from actions.store.db import create_engine_for, create_schema
from actions.store.seed import SeedReport, seed_store_sync

#: "local": make run, python -m bot seed/run, the tests' servers. "production": init-db.
Mode = Literal["local", "production"]

SEED_DEMO = "BATON_SEED_DEMO"
_YES = ("1", "true", "yes", "on")
_NO = ("0", "false", "no", "off")


def seed_demo_wanted(mode: Mode, environ: Mapping[str, str]) -> bool:
    """Whether startup in ``mode`` seeds the demo shop: ``BATON_SEED_DEMO`` when set, else
    only in local mode. Any other value is refused rather than guessed: a typo must not put
    demo orders into a production store."""
    value = environ.get(SEED_DEMO, "").strip().lower()
    if value in _YES:
        return True
    if value in _NO:
        return False
    if value:
        raise ValueError(f"{SEED_DEMO}={environ[SEED_DEMO]!r}: use 1 (seed the demo shop) or 0")
    # A real platform shop: its order numbers would meet the demo's returns (RMA-20001 is on
    # demo order 10002, not on the shop's), so local mode does not seed then.
    return mode == "local" and not real_shop_connected(environ)


def migrate_store_sync(url: str) -> None:
    """Upgrade the store at ``url`` to the newest revision (own engine, own event loop)."""

    async def run() -> None:
        engine = create_engine_for(url)
        try:
            await create_schema(engine)
        finally:
            await engine.dispose()

    asyncio.run(run())


def prepare_store_sync(url: str, mode: Mode, environ: Mapping[str, str]) -> Optional[SeedReport]:
    """Migrate the store and, if :func:`seed_demo_wanted`, seed the demo shop (its report;
    None when it was not asked for)."""
    if seed_demo_wanted(mode, environ):
        return seed_store_sync(url)
    migrate_store_sync(url)
    return None

"""Startup's decision to seed the demo shop (actions/store/prepare.py): local mode seeds it
unless BATON_SEED_DEMO=0, production only with BATON_SEED_DEMO=1; the schema always."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from sqlalchemy import func, select

from actions.store import tables as t
from actions.store.db import create_engine_for
from actions.store.prepare import prepare_store_sync, seed_demo_wanted

pytestmark = pytest.mark.filterwarnings("ignore:Dialect sqlite\\+aiosqlite does \\*not\\*")


def test_local_mode_seeds_the_demo_unless_told_not_to() -> None:
    assert seed_demo_wanted("local", {}) is True
    assert seed_demo_wanted("local", {"BATON_SEED_DEMO": ""}) is True
    assert seed_demo_wanted("local", {"BATON_SEED_DEMO": "1"}) is True
    assert seed_demo_wanted("local", {"BATON_SEED_DEMO": "0"}) is False
    assert seed_demo_wanted("local", {"BATON_SEED_DEMO": "false"}) is False


def test_local_mode_with_a_real_shop_connected_does_not_seed_the_demo() -> None:
    shopify = {"SHOP_BACKEND": "shopify", "SHOPIFY_SHOP_DOMAIN": "real-shop.myshopify.com"}
    woo = {"SHOP_BACKEND": "woocommerce", "WOOCOMMERCE_URL": "https://shop.example"}
    assert seed_demo_wanted("local", shopify) is False
    assert seed_demo_wanted("local", woo) is False
    # No address: make run starts the platform's local fake, which holds the demo shop.
    assert seed_demo_wanted("local", {"SHOP_BACKEND": "shopify"}) is True
    assert seed_demo_wanted("local", {**woo, "BATON_SEED_DEMO": "1"}) is True  # asked for


def test_production_seeds_the_demo_only_when_asked() -> None:
    assert seed_demo_wanted("production", {}) is False
    assert seed_demo_wanted("production", {"BATON_SEED_DEMO": ""}) is False
    assert seed_demo_wanted("production", {"BATON_SEED_DEMO": "0"}) is False
    assert seed_demo_wanted("production", {"BATON_SEED_DEMO": "1"}) is True
    assert seed_demo_wanted("production", {"BATON_SEED_DEMO": " Yes "}) is True


@pytest.mark.parametrize("mode", ["local", "production"])
def test_a_value_that_is_neither_yes_nor_no_is_refused(mode: str) -> None:
    with pytest.raises(ValueError, match="BATON_SEED_DEMO='sometimes'"):
        seed_demo_wanted(mode, {"BATON_SEED_DEMO": "sometimes"})  # type: ignore[arg-type]


async def count_orders(url: str) -> int:
    engine = create_engine_for(url)
    try:
        async with engine.connect() as conn:
            return int(await conn.scalar(select(func.count()).select_from(t.orders)) or 0)
    finally:
        await engine.dispose()


async def test_without_the_demo_the_store_is_migrated_and_empty(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'store.db'}"

    report = await asyncio.to_thread(
        prepare_store_sync, url, "production", {"BATON_SEED_DEMO": "0"}
    )

    assert report is None
    assert await count_orders(url) == 0  # the table is there, and empty


async def test_local_mode_seeds_the_demo_shop(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'store.db'}"

    report = await asyncio.to_thread(prepare_store_sync, url, "local", {})

    assert report is not None and report.created
    assert await count_orders(url) == report.orders > 0

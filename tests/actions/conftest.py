"""Fixtures for running the real actions without a model or a server.

``fake_shop``: the demo shop in memory (tests/support/fake_shop.py), made the actions' shop
with ``use_shop`` for the test. ``baton_records``: what Baton keeps itself — ownership-proof
attempts, handoff requests, the shop's stores — on a temp SQLite store, seeded once per module
(measured: schema and demo together take about 0.25 s, so an in-memory stand-in for those
repository methods would save little and could drift from the SQL that counts the lockout).
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Iterator

import pytest

from actions.settings import get_settings
from actions.shop.current import use_shop
from actions.store.db import dispose_all, get_engine
from actions.store.seed import seed_store, shop_today
from tests.support.fake_shop import FakeShop


@pytest.fixture(scope="module")
async def baton_records(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[str]:
    """A temp store for Baton's own records; its URL. Tests use their own conversation ids."""
    directory = tmp_path_factory.mktemp("records")
    url = f"sqlite:///{directory / 'store.db'}"
    saved = {k: os.environ.get(k) for k in ("STORE_DATABASE_URL", "BATON_VAR_DIR")}
    os.environ["STORE_DATABASE_URL"] = url
    os.environ["BATON_VAR_DIR"] = str(directory)
    get_settings.cache_clear()
    await seed_store(get_engine(url), anchor=shop_today())
    yield url
    await dispose_all()
    for key, value in saved.items():
        if value is None:
            os.environ.pop(key, None)
        else:
            os.environ[key] = value
    get_settings.cache_clear()


@pytest.fixture
def fake_shop(baton_records: str) -> Iterator[FakeShop]:
    """The demo shop anchored today, in memory, as every action's shop for this test."""
    shop = FakeShop.demo(shop_today())
    with use_shop(shop):
        yield shop

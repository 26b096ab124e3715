"""The Shopify fake, in this process on a free loopback port, and the real adapter pointed at it;
an empty store for the mirror to copy orders into.

A fresh fake per test: mutations (cancel, returns, faults) must not leak between tests. The
demo is anchored on a fixed day so that the expected orders do not move at midnight.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterator
from datetime import date
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from aiohttp.test_utils import TestServer

from actions.shop.shopify import ShopifyPlatform, ShopifySettings
from actions.store.db import create_schema, get_engine
from fakes.shopify import DEMO_ACCESS_TOKEN, DEMO_SHOP_DOMAIN, FakeShopify
from fakes.shops import start_shop_fake
from tests.support.store_env import store_at

ANCHOR = date(2026, 12, 7)


class RunningFake:
    def __init__(self, fake: FakeShopify, url: str) -> None:
        self.fake = fake
        self.url = url

    async def control(self, path: str, body: dict[str, Any]) -> dict[str, Any]:
        async with (
            aiohttp.ClientSession() as session,
            session.post(f"{self.url}/_fake/{path}", json=body) as resp,
        ):
            return dict(await resp.json())

    async def log(self) -> list[dict[str, Any]]:
        async with aiohttp.ClientSession() as session, session.get(f"{self.url}/_fake/log") as resp:
            return list((await resp.json())["items"])

    def platform(self, token: str = DEMO_ACCESS_TOKEN, **options: float) -> ShopifyPlatform:
        settings = ShopifySettings(DEMO_SHOP_DOMAIN, token, api_url=self.url)
        return ShopifyPlatform(settings, **{"timeout": 2.0, "backoff": 0.05, **options})


@pytest.fixture(scope="module")
def woo_url() -> Iterator[str]:
    """The WooCommerce fake in its own process, once per test module (reset by the tests)."""
    url, proc = start_shop_fake("woocommerce", anchor=ANCHOR.isoformat())
    yield url
    proc.kill()
    proc.wait()


@pytest.fixture
async def shop() -> AsyncIterator[RunningFake]:
    fake = FakeShopify(anchor=ANCHOR)
    server = TestServer(fake.app(), host="127.0.0.1")
    await server.start_server()
    yield RunningFake(fake, str(server.make_url("")).rstrip("/"))
    await server.close()


@pytest.fixture
async def platform(shop: RunningFake) -> AsyncIterator[ShopifyPlatform]:
    adapter = shop.platform()
    yield adapter
    await adapter.close()


@pytest.fixture
async def make_platform(
    shop: RunningFake,
) -> AsyncIterator[Callable[..., ShopifyPlatform]]:
    """Adapters with other options (short timeouts, a wrong token); all closed afterwards."""
    made: list[ShopifyPlatform] = []

    def make(**options: Any) -> ShopifyPlatform:
        made.append(shop.platform(**options))
        return made[-1]

    yield make
    for adapter in made:
        await adapter.close()


@pytest.fixture
async def empty_store(tmp_path: Path) -> AsyncIterator[str]:
    """An empty store (schema only): a real shop connected, nothing seeded."""
    url = f"sqlite:///{tmp_path / 'store.db'}"
    async with store_at(url):
        await create_schema(get_engine(url))
        yield url

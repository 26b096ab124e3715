"""Which shop backend this process talks to (``SHOP_BACKEND``), built once per event loop.

``builtin`` (default) reads Baton's own tables; ``shopify`` and ``woocommerce`` read the
platform named by their settings (docs/shop-shopify.md, docs/shop-woocommerce.md) through the
mirror. A platform client holds an HTTP session, which belongs to one event loop, hence one
backend per loop (the action server has one; tests may have several).

Tests can put a backend of their own in front of all that with :func:`use_shop` (an in-memory
shop, tests/support/fake_shop.py); nothing in production calls it.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Optional

from actions.shop.backend import BuiltInShop, ShopBackend
from actions.shop.platform import ShopPlatform

BACKENDS = ("builtin", "shopify", "woocommerce")

_shops: dict[int, ShopBackend] = {}
_override: Optional[ShopBackend] = None


@contextmanager
def use_shop(shop: ShopBackend) -> Iterator[ShopBackend]:
    """Inside the block, :func:`get_shop` returns ``shop`` on every event loop.

    The one test seam: actions are tested against an in-memory shop without a database for
    the orders. Blocks nest; the previous backend comes back when a block ends."""
    global _override
    before, _override = _override, shop
    try:
        yield shop
    finally:
        _override = before


#: Per platform backend, the variable that names the real shop (unset: `make run` starts the
#: platform's local fake, which holds the demo shop's orders).
SHOP_ADDRESS = {"shopify": "SHOPIFY_SHOP_DOMAIN", "woocommerce": "WOOCOMMERCE_URL"}


def configured_backend(environ: Mapping[str, str]) -> str:
    """``SHOP_BACKEND`` as set in ``environ``, normalised but not checked (the launcher and the
    seeding decision read it before any server starts; :func:`backend_name` checks it)."""
    return environ.get("SHOP_BACKEND", "builtin").strip().lower() or "builtin"


def real_shop_connected(environ: Mapping[str, str]) -> bool:
    """A real Shopify or WooCommerce shop is configured: its address is set (without it,
    local mode starts the platform's fake)."""
    backend = configured_backend(environ)
    return backend in SHOP_ADDRESS and bool(environ.get(SHOP_ADDRESS[backend], "").strip())


def backend_name() -> str:
    """``SHOP_BACKEND``, checked: a typo must stop the start, not quietly serve the demo shop."""
    name = configured_backend(os.environ)
    if name not in BACKENDS:
        raise ValueError(f"SHOP_BACKEND={name!r}: expected one of {', '.join(BACKENDS)}")
    return name


def cache_seconds() -> float:
    return float(os.environ.get("SHOP_CACHE_SECONDS", "30"))


def build_platform(name: str) -> ShopPlatform:
    """The platform client for ``name``, configured from the environment."""
    if name == "shopify":
        from actions.shop.shopify import ShopifyPlatform, ShopifySettings

        return ShopifyPlatform(ShopifySettings.from_env())
    if name == "woocommerce":
        from actions.shop.woocommerce import WooCommercePlatform, WooSettings

        return WooCommercePlatform(WooSettings.from_env())
    raise ValueError(f"no platform called {name!r}")


def get_shop() -> ShopBackend:
    """This event loop's shop backend (or the one a test gave :func:`use_shop`)."""
    if _override is not None:
        return _override
    key = id(asyncio.get_running_loop())
    shop = _shops.get(key)
    if shop is None:
        name = backend_name()
        if name == "builtin":
            shop = BuiltInShop()
        else:
            from actions.shop.mirror import MirroredShop

            shop = MirroredShop(build_platform(name), ttl=cache_seconds())
        _shops[key] = shop
    return shop


async def close_shops() -> None:
    """Close platform sessions (the action server's shutdown, the end of a test)."""
    for key, shop in list(_shops.items()):
        platform = getattr(shop, "platform", None)
        if platform is not None:
            await platform.close()
        del _shops[key]

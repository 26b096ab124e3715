"""Run a test module's conversations on every shop backend.

A module that imports :func:`baton_on_every_shop_backend` (the fixture ``baton``, overridden)
runs each of its tests three times: on the built-in shop (the session's Baton), and on a Baton
whose orders come from the Shopify fake and from the WooCommerce fake (fakes/shops.py) through
the real platform clients (actions/shop/). The same conversations, the same expected answers:
the backend must not show.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.launcher import stop
from tests.support.servers import Baton, start_baton

SHOP_BACKENDS = ("builtin", "shopify", "woocommerce")

_running: dict[str, Baton] = {}


def platform_baton(name: str, model: Path, factory: pytest.TempPathFactory) -> Baton:
    """One Baton per platform for the whole session, started when first asked for."""
    if name not in _running:
        _running[name] = start_baton(model, factory.mktemp(f"baton-{name}"), shop=name)
    return _running[name]


@pytest.fixture(scope="session")
def platform_batons() -> Iterator[dict[str, Baton]]:
    yield _running
    for running in _running.values():
        stop(running.procs)
    _running.clear()


@pytest.fixture(scope="module", params=SHOP_BACKENDS, name="baton")
def baton_on_every_shop_backend(
    request: pytest.FixtureRequest,
    baton: Baton,
    model: Path,
    tmp_path_factory: pytest.TempPathFactory,
    platform_batons: dict[str, Baton],
) -> Baton:
    """The session's Baton on the built-in shop, or the one on a platform's fake."""
    if request.param == "builtin":
        return baton
    return platform_baton(request.param, model, tmp_path_factory)

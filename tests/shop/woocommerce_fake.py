"""The WooCommerce fake as the shop tests drive it: its control paths (reset, orders, faults,
delay, log) under ``/_fake/``. The fake itself runs as a subprocess, one per test module (the
``woo_url`` fixture in conftest.py), as ``make run`` starts it."""

from __future__ import annotations

from typing import Any

import aiohttp


async def control(url: str, path: str, body: Any = None) -> Any:
    """GET ``/_fake/<path>`` without a body, POST it with one; the fake's JSON answer."""
    async with (
        aiohttp.ClientSession() as s,
        s.request("GET" if body is None else "POST", f"{url}/_fake/{path}", json=body) as r,
    ):
        return await r.json()

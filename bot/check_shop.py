"""``python -m bot check-shop``: can Baton read the shop it is configured for?

Run it after setting ``SHOP_BACKEND`` and the platform's keys (docs/shop-shopify.md,
docs/shop-woocommerce.md). It prints what it can read — the shop's name, the API version, the
scopes granted, how many orders it sees and one recent order's shape (number, state, counts)
— and what is missing, never a name, an e-mail address, a phone number or a key. Exit code 0
when orders can be read, 1 otherwise.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Callable

from actions.shop.current import backend_name, build_platform
from actions.shop.platform import ShopUnavailable
from actions.shop.webhooks import SECRET_VARIABLES

HINTS = {
    "unauthorized": "the token or key was refused: check it, and the scopes it was granted",
    "down": "the platform did not answer: check the shop's address and that it is up",
    "timeout": "the platform answered too slowly: try again, or check the network",
    "rate_limited": "the platform is rate-limiting this app: try again in a minute",
    "bad_response": "the answer was not what the API returns: check the address and version",
}


async def check(number: str | None, say: Callable[[str], None]) -> int:
    name = backend_name()
    say(f"shop backend: {name}")
    if name == "builtin":
        return await _check_builtin(say)
    platform = build_platform(name)
    try:
        found = await platform.check()
        say(f"shop: {found.shop} · API {found.api_version}")
        if found.scopes:
            say(f"scopes granted: {', '.join(found.scopes)}")
        say(
            f"orders readable: {'yes' if found.orders_readable else 'no'}"
            f" ({found.sample_order_count} seen)"
        )
        for problem in found.problems:
            say(f"  ✗ {problem}")
        if number:
            order = await platform.order(number)
            if order is None:
                say(f"  ✗ order {number}: the platform has no such order")
                return 1
            say(
                f"order {order.number}: {order.status}, payment {order.payment_status}, "
                f"{len(order.items)} item(s), {len(order.shipments)} parcel(s), "
                f"{len(order.refunds)} refund(s)"
            )
    except ShopUnavailable as problem:
        say(f"  ✗ cannot read the shop ({problem.kind}): {HINTS.get(problem.kind, '')}")
        return 1
    finally:
        await platform.close()
    secret = SECRET_VARIABLES[name]
    if not os.environ.get(secret):
        say(
            f"  ! {secret} is not set: order webhooks will be refused, answers may be up to "
            f"{os.environ.get('SHOP_CACHE_SECONDS', '30')} s old"
        )
    else:
        say(f"webhooks: /webhooks/shop/{name} verifies signatures with {secret}")
    return 0 if found.orders_readable and not found.problems else 1


async def _check_builtin(say: Callable[[str], None]) -> int:
    from sqlalchemy import func, select

    from actions.store import tables as t
    from actions.store.db import dispose_all
    from actions.store.uow import unit_of_work

    try:
        async with unit_of_work() as repo:
            orders = (await repo.conn.execute(select(func.count()).select_from(t.orders))).scalar()
            people = (
                await repo.conn.execute(select(func.count()).select_from(t.customers))
            ).scalar()
    finally:
        await dispose_all()
    say(f"Baton's own tables: {orders} orders, {people} customers")
    return 0 if orders else 1


def main(number: str | None = None) -> int:
    return asyncio.run(check(number, print))

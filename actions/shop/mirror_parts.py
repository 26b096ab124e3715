"""What the platform mixins (:mod:`~actions.shop.mirror_claims`,
:mod:`~actions.shop.mirror_sends`, :mod:`~actions.shop.mirror_replacements`) use of
:class:`~actions.shop.mirror.MirroredShop`, typed once, and the per-order lock its writes share.
"""

from __future__ import annotations

import asyncio
import weakref
from collections.abc import Awaitable, Callable
from typing import Optional, Protocol, TypeVar

from actions.shop.platform import PlatformOrder, ShopPlatform
from actions.store.models import Order

T = TypeVar("T")


class MirrorParts(Protocol):
    """The parts of :class:`~actions.shop.mirror.MirroredShop` a mixin's methods call."""

    platform: ShopPlatform
    _writing: weakref.WeakValueDictionary[str, asyncio.Lock]

    async def _call(self, operation: str, call: Callable[[], Awaitable[T]]) -> T: ...

    async def _platform_order(self, number: str) -> Optional[PlatformOrder]: ...

    async def _store(self, found: PlatformOrder) -> None: ...

    async def _read(self, number: str) -> Order: ...


def order_lock(
    writing: weakref.WeakValueDictionary[str, asyncio.Lock], number: str
) -> asyncio.Lock:
    """The lock that serialises this process's writes to one order (a double tap waits for
    the first and then finds it done); kept only while someone holds it."""
    lock = writing.get(number)
    if lock is None:
        lock = writing[number] = asyncio.Lock()
    return lock

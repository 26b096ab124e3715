"""Stock on a platform backend (Shopify, WooCommerce); the replacement orders are
:mod:`actions.shop.mirror_sends`'s.

Mixed into :class:`actions.shop.mirror.MirroredShop` (kept apart so each module stays short).
Stock is the platform's, read when asked and never copied: a copy would say "in stock" for the
minutes it takes the last unit to sell, and a replacement is only offered for what can be sent.
A platform whose adapter cannot read stock tracks nothing as far as Baton can tell (every SKU
None), so its claims settle as refunds.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Optional

from actions.shop.mirror_parts import MirrorParts


class PlatformStock:
    """``stock`` through the platform (module docstring)."""

    async def stock(self: MirrorParts, skus: Sequence[str]) -> dict[str, Optional[int]]:
        wanted = sorted(set(skus))
        read = getattr(self.platform, "stock", None)
        if not wanted or not callable(read):
            return dict.fromkeys(wanted)
        found: dict[str, Optional[int]] = await self._call("stock", lambda: read(wanted))
        return {sku: found.get(sku) for sku in wanted}

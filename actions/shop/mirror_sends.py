"""A claim's replacement on a platform backend (Shopify, WooCommerce): made by the platform,
once. Mixed into :class:`actions.shop.mirror.MirroredShop` beside its refunds
(:mod:`actions.shop.mirror_claims`), the same way:

1. Baton's record (:mod:`actions.store.claim_replacements`) is *started* in a short transaction
   of its own. Sent already: nothing is made, the replacement order is read and answered.
   Started by another sender less than a minute ago: ``busy``, nothing is made.
2. The platform is searched for an order naming the claim (``replacement_of``: a Shopify tag,
   WooCommerce ``_baton_claim`` meta data), so one made before — Baton crashed or timed out
   after the platform made it — is recorded, not made again.
3. The same checks as the built-in shop (:mod:`actions.shop.claim_replacement`) on the order read
   from the platform, the platform's stock (short or untracked: ``out_of_stock``), then the
   platform's order (``ShopPlatform.send_replacement``): the claimed lines at no charge, to the
   original order's customer and shipping address, its stock taken off by the platform.

A refusal (``userErrors``, a WooCommerce 400) is ``OrderNotChangeable("refused", message)``; an
outage is ``ShopUnavailable``. Either way the started record is given up, so the next try
searches the platform again before it makes anything.
"""

from __future__ import annotations

from typing import Any, Optional

from actions.common import utc_now
from actions.shop.claim_replacement import (
    ClaimReplacement,
    PlatformReplacement,
    ReplacementSent,
    by_sku,
    check_claim,
    claimed_lines,
    short_of,
)
from actions.shop.errors import OrderNotChangeable
from actions.shop.mirror_parts import MirrorParts, order_lock
from actions.shop.platform import PlatformOrder, PlatformRefused, claim_note
from actions.store import claim_replacements, claims
from actions.store.uow import unit_of_work


class PlatformSends:
    """``send_replacement`` through the platform (module docstring)."""

    async def send_replacement(
        self: MirrorParts, number: str, replacement: ClaimReplacement
    ) -> ReplacementSent:
        if replacement.order_number != number:
            raise OrderNotChangeable("no_claim", f"{replacement.claim} is not on order {number}")
        platform: Any = self.platform
        if not callable(getattr(platform, "send_replacement", None)):
            raise OrderNotChangeable("not_supported", self.platform.name)
        async with order_lock(self._writing, number):
            async with unit_of_work() as repo:
                made = await claim_replacements.sent(repo.conn, replacement.claim, number)
                started = "sent"
                if made is None:
                    check_claim(await claims.by_number(repo.conn, replacement.claim), replacement)
                    started = await claim_replacements.start(
                        repo.conn, replacement.claim, number, utc_now()
                    )
            if made is not None:
                return ReplacementSent(replacement.claim, await self._read(made), False)
            if started == "busy":
                raise OrderNotChangeable("busy", f"{replacement.claim} is being sent")
            try:
                return await _send(self, number, replacement)
            except BaseException:
                async with unit_of_work() as repo:
                    await claim_replacements.abandon(repo.conn, replacement.claim)
                raise


async def _send(shop: MirrorParts, number: str, replacement: ClaimReplacement) -> ReplacementSent:
    platform: Any = shop.platform
    found = await shop._platform_order(number)  # the truth, never the copy
    if found is None:
        raise OrderNotChangeable("no_order", number)
    before: Optional[PlatformOrder] = await shop._call(
        "replacement_of", lambda: platform.replacement_of(found, replacement.claim)
    )
    sent_now = before is None
    if before is None:
        order = await shop._read(number)
        lines = claimed_lines(order, replacement)
        wanted = sorted(by_sku(lines))
        levels = await shop._call("stock", lambda: platform.stock(wanted))
        short = short_of(levels, lines)
        if short:
            raise OrderNotChangeable("out_of_stock", ",".join(short))
        request = PlatformReplacement(
            replacement.claim,
            tuple((item.sku, item.product_name, quantity) for item, quantity in lines),
            f"{claim_note(replacement.claim, replacement.note)} (replaces order {number})",
        )
        try:
            before = await shop._call(
                "send_replacement", lambda: platform.send_replacement(found, request)
            )
        except PlatformRefused as refused:
            raise OrderNotChangeable("refused", str(refused)) from refused
    assert before is not None
    await shop._store(before)
    async with unit_of_work() as repo:
        await claim_replacements.record_sent(
            repo.conn, replacement.claim, number, before.number, utc_now(), before.ref
        )
    return ReplacementSent(replacement.claim, await shop._read(before.number), sent_now)

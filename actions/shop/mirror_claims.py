"""A claim's refund on a platform backend (Shopify, WooCommerce): paid by the platform, once.

Mixed into :class:`actions.shop.mirror.MirroredShop` (kept apart so each module stays short).
The platform stays the truth, and the claim's number is the key both sides know:

1. Baton's record (:mod:`actions.store.claim_refunds`) is *started* in a short transaction of
   its own. Paid already: nothing is paid, the refund is answered as it was. Started by another
   payer less than a minute ago (a second tap, another replica): ``busy``, nothing is paid.
2. The order is read from the platform, never the copy. Its copy records every refund whose
   note names a claim (:mod:`actions.shop.mirror_sql`), so a claim paid before — Baton crashed
   after the platform paid, or the shop's staff paid it by hand with the claim's number — is
   found paid here, and nothing is paid twice.
3. The same checks as the built-in shop (:mod:`actions.shop.claim_payment`), with what the
   platform says went back already; then the platform's refund (``ShopPlatform.refund_claim``):
   Baton's amount, the lines not restocked, the note naming the claim; its answer becomes the
   copy, and with it Baton's record of the refund, paid.

A refusal (``userErrors``, a WooCommerce 400) is ``OrderNotChangeable("refused", message)``;
an outage is ``ShopUnavailable``. Either way the started record is given up, so the next try
reads the platform again (which shows the refund if it was made after all) before it pays.
One payer per order at a time in this process (the lock item cancellations use).
"""

from __future__ import annotations

import logging
from decimal import Decimal

from actions.common import utc_now
from actions.shop import mirror_sql
from actions.shop.claim_payment import (
    ClaimRefund,
    ClaimRefunded,
    check_claim,
    check_order,
    line_figures,
    recorded,
)
from actions.shop.errors import OrderNotChangeable
from actions.shop.mirror_parts import MirrorParts, order_lock
from actions.shop.platform import (
    CancelLine,
    ClaimPayment,
    PlatformRefused,
    claim_note,
)
from actions.store import claim_refunds, claims
from actions.store.models import ClaimRefundPaid
from actions.store.uow import unit_of_work

logger = logging.getLogger(__name__)


class PlatformClaimRefunds:
    """``refund_claim`` through the platform (module docstring)."""

    async def refund_claim(self: MirrorParts, number: str, refund: ClaimRefund) -> ClaimRefunded:
        if refund.order_number != number:
            raise OrderNotChangeable("no_claim", f"{refund.claim} is not on order {number}")
        if not callable(getattr(self.platform, "refund_claim", None)):
            raise OrderNotChangeable("not_supported", self.platform.name)
        async with order_lock(self._writing, number):
            async with unit_of_work() as repo:
                started = "paid"
                if await claim_refunds.paid(repo.conn, refund.claim) is None:
                    check_claim(await claims.by_number(repo.conn, refund.claim), refund)
                    started = await claim_refunds.start(
                        repo.conn, refund.claim, number, refund.amount, refund.currency, utc_now()
                    )
            if started == "paid":
                order = await self._read(number)
                return ClaimRefunded(order, recorded(order, refund.claim), False)
            if started == "busy":
                raise OrderNotChangeable("busy", f"{refund.claim} is being paid")
            try:
                return await _pay(self, number, refund)
            except BaseException:
                async with unit_of_work() as repo:
                    await claim_refunds.abandon(repo.conn, refund.claim)
                raise


async def _pay(shop: MirrorParts, number: str, refund: ClaimRefund) -> ClaimRefunded:
    found = await shop._platform_order(number)  # the truth; its copy records claims' refunds
    if found is None:
        raise OrderNotChangeable("no_order", number)
    order = await shop._read(number)
    async with unit_of_work() as repo:
        before = await claim_refunds.paid(repo.conn, refund.claim)
        refs = await mirror_sql.item_refs(repo.conn, order.id)
    if before is not None:  # the platform shows it paid: after a crash, or by the shop's staff
        return ClaimRefunded(order, before, False)
    refunded = sum((r.amount for r in found.refunds), Decimal("0.00"))
    whole = check_order(order, refund, refunded)
    lines = []
    for (item_id, quantity), figure in zip(refund.lines, line_figures(order, refund), strict=True):
        if item_id not in refs:
            raise OrderNotChangeable("not_in_order", f"item {item_id} is not the platform's")
        lines.append(CancelLine(refs[item_id], quantity, figure))
    note = claim_note(refund.claim, refund.note)
    pay = ClaimPayment(refund.claim, tuple(lines), refund.amount, note, whole)
    try:
        changed = await shop._call("refund_claim", lambda: shop.platform.refund_claim(found, pay))
    except PlatformRefused as refused:
        raise OrderNotChangeable("refused", str(refused)) from refused
    await shop._store(changed)
    async with unit_of_work() as repo:
        if await claim_refunds.paid(repo.conn, refund.claim) is None:
            # the platform took it, but its answer does not show a refund naming the claim
            logger.warning("%s: claim %s paid, not shown yet", shop.platform.name, refund.claim)
            made = ClaimRefundPaid(
                refund.claim, refund.amount, refund.currency, order.payment_method, utc_now()
            )
            await claim_refunds.record_paid(repo.conn, number, made)
    after = await shop._read(number)
    return ClaimRefunded(after, recorded(after, refund.claim), True)

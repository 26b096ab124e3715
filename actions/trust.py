"""What the action server believes about a call, whoever made it.

An action call carries the whole tracker, slots included, and the caller writes it. The shared
token (bot/action_server.py) keeps strangers out, but ownership must not rest on it alone: a
tracker whose ``verified_orders`` slot *claims* an order is no proof. Before any action runs,
:func:`distrust_claims` keeps only the orders this conversation really proved, as recorded
by the action server itself in the store's ``verification_attempts`` (every successful proof
is written there by :func:`actions.services.verification.verify_ownership`). An order the
caller merely listed is dropped from the slot the actions read, so they ask for proof.
"""

from __future__ import annotations

import logging
from typing import Any

from actions.store.uow import unit_of_work
from bot import names

logger = logging.getLogger(__name__)

#: More claimed orders than any conversation proves; the rest are ignored, not looked up.
MAX_CLAIMED_ORDERS = 50


def _claimed(slots: dict[str, Any]) -> list[str]:
    value = slots.get(names.SLOT_VERIFIED_ORDERS)
    if not isinstance(value, list):
        return []
    return [str(v) for v in value if isinstance(v, (str, int))][:MAX_CLAIMED_ORDERS]


async def distrust_claims(action_call: dict[str, Any]) -> None:
    """Rewrite ``action_call``'s tracker so its ``verified_orders`` slot holds only orders the
    store has a successful proof of, for this conversation."""
    tracker = action_call.get("tracker")
    if not isinstance(tracker, dict):
        return
    slots = tracker.get("slots")
    if not isinstance(slots, dict):
        return
    claimed = _claimed(slots)
    if not claimed:
        if slots.get(names.SLOT_VERIFIED_ORDERS) not in (None, []):
            slots[names.SLOT_VERIFIED_ORDERS] = []
        return
    sender = action_call.get("sender_id") or tracker.get("sender_id")
    if not isinstance(sender, str) or not sender:
        slots[names.SLOT_VERIFIED_ORDERS] = []
        return
    async with unit_of_work() as repo:
        proven = await repo.proven_orders(sender, claimed)
    kept = [number for number in claimed if number in proven]
    if len(kept) != len(claimed):
        logger.warning(
            "an action call claimed orders this conversation never proved; ignored",
            extra={"conversation": sender},
        )
    slots[names.SLOT_VERIFIED_ORDERS] = kept

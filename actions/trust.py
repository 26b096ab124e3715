"""What the action server believes about a call, whoever made it.

An action call carries the whole tracker, slots included, and the caller writes it. The shared
token (bot/action_server.py) keeps strangers out, but ownership must not rest on it alone: a
tracker whose ``verified_orders`` slot *claims* an order is no proof. Before any action runs,
:func:`distrust_claims` keeps only the orders this conversation really proved, as recorded
by the action server itself in the store's ``verification_attempts`` (every successful proof
is written there by :func:`actions.services.verification.verify_ownership`). An order the
caller merely listed is dropped from the slot the actions read, so they ask for proof.

Identity is bound to the message, not to the conversation: the ``customer_id`` slot counts
only while the customer's current message carries the identity a connector proved for it
(``customer_id`` from a web token presented with that message, a Twilio-verified phone, a
Slack account's e-mail). A shopper who logged out — the next person at a shared computer —
is anonymous again for every action, whatever the slot still says.
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


_IDENTITY_KEYS = (names.META_VERIFIED_PHONE, names.META_VERIFIED_EMAIL)


def _current_message_metadata(tracker: dict[str, Any]) -> dict[str, Any]:
    events = tracker.get("events")
    if not isinstance(events, list):
        return {}
    for event in reversed(events):
        if isinstance(event, dict) and event.get("event") == "user":
            metadata = event.get("metadata")
            return metadata if isinstance(metadata, dict) else {}
    return {}


def distrust_identity(action: str, tracker: dict[str, Any], slots: dict[str, Any]) -> None:
    """Clear the ``customer_id`` slot unless the current message proves that customer."""
    if action == names.ACTION_SESSION_START or slots.get(names.SLOT_CUSTOMER_ID) in (None, ""):
        return  # session start reads the identity from the session's own metadata
    metadata = _current_message_metadata(tracker)
    proven = metadata.get(names.META_CUSTOMER_ID)
    if proven not in (None, ""):
        if str(proven) == str(slots.get(names.SLOT_CUSTOMER_ID)):
            return
    elif any(metadata.get(key) for key in _IDENTITY_KEYS):
        return
    slots[names.SLOT_CUSTOMER_ID] = None
    slots[names.SLOT_CUSTOMER_IDENTIFIED] = False


async def distrust_claims(action_call: dict[str, Any]) -> None:
    """Rewrite ``action_call``'s tracker so its ``verified_orders`` slot holds only orders the
    store has a successful proof of, for this conversation, and its ``customer_id`` only a
    customer the current message proves (:func:`distrust_identity`)."""
    tracker = action_call.get("tracker")
    if not isinstance(tracker, dict):
        return
    slots = tracker.get("slots")
    if not isinstance(slots, dict):
        return
    action = action_call.get("next_action")
    distrust_identity(action if isinstance(action, str) else "", tracker, slots)
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

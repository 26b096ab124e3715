"""Session start: load who the customer is, so nobody is asked what we already know.

The connector attaches the identity it proved (a verified WhatsApp number, a Slack e-mail, a
signed web token) as ``customer_id`` in the message metadata; Rasa hands that metadata to this
action as the ``session_started_metadata`` slot. Ownership proofs given earlier in the same
conversation (``verified_orders``) carry over into the new session.
"""

from __future__ import annotations

import logging
from typing import Any, Optional

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActionExecuted, EventType, SessionStarted, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.store.uow import unit_of_work
from bot import names

logger = logging.getLogger(__name__)

# Slots worth keeping when a conversation's session expires and a new one starts.
_CARRY_OVER = (names.SLOT_VERIFIED_ORDERS, names.SLOT_LAST_ORDER)


def _metadata(tracker: Tracker) -> dict[str, Any]:
    meta = tracker.get_slot("session_started_metadata")
    if isinstance(meta, dict) and meta:
        return meta
    latest = tracker.latest_message.get("metadata") if tracker.latest_message else None
    return latest if isinstance(latest, dict) else {}


def _as_int(value: Any) -> Optional[int]:
    try:
        return int(value) if value not in (None, "") else None
    except (TypeError, ValueError):
        return None


class ActionSessionStart(Action):
    def name(self) -> str:
        return names.ACTION_SESSION_START

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        events: list[EventType] = [SessionStarted()]
        for slot in _CARRY_OVER:
            value = tracker.get_slot(slot)
            if value not in (None, [], ""):
                events.append(SlotSet(slot, value))
        meta = _metadata(tracker)
        events.extend(await self.profile_slots(meta))
        events.append(ActionExecuted("action_listen"))
        return events

    async def profile_slots(self, meta: dict[str, Any]) -> list[EventType]:
        channel = meta.get(names.META_CHANNEL)
        slots: list[EventType] = [SlotSet(names.SLOT_CHANNEL, channel)] if channel else []
        cid = _as_int(meta.get(names.META_CUSTOMER_ID))
        if cid is None:
            return [*slots, SlotSet(names.SLOT_CUSTOMER_IDENTIFIED, False)]
        try:
            async with unit_of_work() as repo:
                customer = await repo.customer_by_id(cid)
        except Exception:
            logger.exception("could not load the customer profile")
            customer = None
        if customer is None:
            return [*slots, SlotSet(names.SLOT_CUSTOMER_IDENTIFIED, False)]
        return [
            *slots,
            SlotSet(names.SLOT_CUSTOMER_ID, str(customer.id)),
            SlotSet(names.SLOT_CUSTOMER_NAME, customer.first_name),
            SlotSet(names.SLOT_CUSTOMER_IDENTIFIED, True),
        ]

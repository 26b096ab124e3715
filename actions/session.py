"""Session start: load who the customer is, so nobody is asked what we already know.

The connector attaches the identity it proved in the message metadata: ``customer_id`` from a
signed web token, ``verified_phone`` for a Twilio-signed WhatsApp sender, ``verified_email``
for a Slack account. Rasa hands that metadata to this action as the
``session_started_metadata`` slot. Ownership proofs given earlier in the same conversation
(``verified_orders``) carry over into the new session.
"""

from __future__ import annotations

import logging
from typing import Any, Optional

from rasa_sdk import Action, Tracker
from rasa_sdk.events import (
    ActionExecuted,
    ConversationPaused,
    EventType,
    SessionStarted,
    SlotSet,
)
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.services import i18n
from actions.shop.backend import ShopBackend
from actions.shop.current import get_shop
from actions.store.models import Customer
from bot import names

logger = logging.getLogger(__name__)

# Slots worth keeping when a conversation's session expires and a new one starts.
_CARRY_OVER = (
    names.SLOT_VERIFIED_ORDERS,
    names.SLOT_LAST_ORDER,
    names.SLOT_HANDOFF_TICKET,
    i18n.SLOT,  # a new session keeps answering in the language the customer writes
)


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


async def _identified_customer(
    shop: ShopBackend, cid: Optional[int], phone: Any, email: Any
) -> Optional[Customer]:
    """The customer a connector proved: a signed id (web), a Twilio-verified WhatsApp number,
    or a Slack account's e-mail. Only connectors set these keys (client metadata is never
    passed through), so each counts as identity."""
    if cid is not None:
        return await shop.customer(cid)
    if isinstance(phone, str) and phone.startswith("+"):
        return await shop.customer_by_phone(phone)
    if isinstance(email, str) and "@" in email:
        return await shop.customer_by_email(email)
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
        if tracker.is_paused():
            # With an agent when the session expired (e.g. a message left out of hours):
            # SessionStarted would unpause, and the bot would answer in the agent's place.
            events.append(ConversationPaused())
        meta = _metadata(tracker)
        events.extend(await self.profile_slots(meta))
        events.append(ActionExecuted("action_listen"))
        return events

    async def profile_slots(self, meta: dict[str, Any]) -> list[EventType]:
        channel = meta.get(names.META_CHANNEL)
        slots: list[EventType] = [SlotSet(names.SLOT_CHANNEL, channel)] if channel else []
        cid = _as_int(meta.get(names.META_CUSTOMER_ID))
        phone = meta.get(names.META_VERIFIED_PHONE)
        email = meta.get(names.META_VERIFIED_EMAIL)
        if cid is None and not phone and not email:
            return [*slots, SlotSet(names.SLOT_CUSTOMER_IDENTIFIED, False)]
        try:
            customer = await _identified_customer(get_shop(), cid, phone, email)
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

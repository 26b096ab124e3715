"""A failing action answers the customer instead of going silent.

If the store is unreachable or a bug raises, the customer gets an apology and the offer of a
person, the error is logged with the conversation id (no personal data), and the conversation
stays usable. Other conversations are untouched: each action call is independent.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from rasa_sdk import Tracker
from rasa_sdk.events import ActiveLoop, EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.shop.platform import ShopUnavailable
from bot import names

logger = logging.getLogger(__name__)

Run = TypeVar("Run", bound=Callable[..., Awaitable[list[EventType]]])

# The apology comes with the offer of a person (buttons "Yes, a person please" -> /human_handoff,
# "No" -> /deny); the reason is left in handoff_reason, so the ticket says what failed.
FAILURE_RESPONSE = "utter_technical_problem_offer"
FAILURE_REASON = "action_failed"
# The shop's platform (Shopify, WooCommerce) cannot answer: said as such, with the same offer.
SHOP_UNAVAILABLE_RESPONSE = "utter_shop_unavailable_offer"
SHOP_UNAVAILABLE_REASON = "shop_unavailable"


def apologise_on_failure(run: Run) -> Run:
    @functools.wraps(run)
    async def wrapper(
        self: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Any
    ) -> list[EventType]:
        try:
            return await run(self, dispatcher, tracker, domain)
        except ShopUnavailable as problem:
            # Counted in /metrics by the mirror; the kind says why, never a customer's data.
            logger.warning(
                "action %s: the order system is unavailable (%s)",
                self.name(),
                problem.kind,
                extra={"conversation": tracker.sender_id},
            )
            dispatcher.messages.clear()
            dispatcher.utter_message(response=SHOP_UNAVAILABLE_RESPONSE)
            return [*_stop_loop(), SlotSet(names.SLOT_HANDOFF_REASON, SHOP_UNAVAILABLE_REASON)]
        except Exception:
            logger.exception(
                "action %s failed", self.name(), extra={"conversation": tracker.sender_id}
            )
            dispatcher.messages.clear()
            dispatcher.utter_message(response=FAILURE_RESPONSE)
            return [*_stop_loop(), SlotSet(names.SLOT_HANDOFF_REASON, FAILURE_REASON)]

    return wrapper  # type: ignore[return-value]


def _stop_loop() -> list[EventType]:
    """Leave any form so the customer is not stuck in a question we cannot process."""
    return [ActiveLoop(None), SlotSet("requested_slot", None)]

"""Forms that find an order and its proof exactly as "where is my order?" does, then ask
questions of their own (a new address, what went wrong with a delivery).

Their answers carry numbers and postcodes that are not about the order: "the 2 mugs", "send
it to D02 X285 instead". Once the form asks its own questions, those must neither switch the
order nor count as proof, and an answer in Latin letters (an address, a product's name, a
photo) must not switch a Korean or Chinese conversation to English. One base class keeps
these guards the same in every such form.
"""

from __future__ import annotations

import abc
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.common import language
from actions.failures import apologise_on_failure
from actions.orders import ValidateOrderStatusForm
from actions.services import i18n
from actions.services.order_numbers import normalize_order_number
from actions.shop.current import get_shop
from actions.store.models import Order
from bot import names


def before_this_message(tracker: Tracker, slot: str) -> Any:
    """The value ``slot`` had before the customer's latest message (None: never set)."""
    seen_user = False
    for event in reversed(tracker.events):
        if event.get("event") == "user":
            seen_user = True
        elif seen_user and event.get("event") == "slot" and event.get("name") == slot:
            return event.get("value")
    return None


def kept_language(tracker: Tracker) -> dict[str, Any]:
    """The slot event that puts the language back as it was before this answer, if the
    answer changed it (empty otherwise)."""
    kept = before_this_message(tracker, i18n.SLOT)
    return {i18n.SLOT: kept} if kept and kept != tracker.get_slot(i18n.SLOT) else {}


class AfterProofForm(ValidateOrderStatusForm, abc.ABC):
    """The order-status form's checks, guarded while the slots in :attr:`asking` are asked
    (abstract, so rasa-sdk does not register it as an action of its own)."""

    #: The form's own questions, asked once the order is proven.
    asking: tuple[str, ...] = ()

    @abc.abstractmethod
    def name(self) -> str: ...

    def _answering(self, tracker: Tracker) -> bool:
        return tracker.get_slot("requested_slot") in self.asking

    async def validate_order_number(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        if self._answering(tracker):
            before = normalize_order_number(before_this_message(tracker, names.SLOT_ORDER_NUMBER))
            if before is not None:
                return {names.SLOT_ORDER_NUMBER: before}
        return await super().validate_order_number(value, dispatcher, tracker, domain)

    async def extract_verification_value(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        if self._answering(tracker):
            return {}
        return await super().extract_verification_value(dispatcher, tracker, domain)


class AskAboutTheOrder(Action, abc.ABC):
    """A form's question about the order in the slots, read fresh from the shop (nothing is
    asked when the order is gone; abstract, so rasa-sdk does not register it)."""

    @abc.abstractmethod
    def name(self) -> str: ...

    @apologise_on_failure
    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        number = normalize_order_number(tracker.get_slot(names.SLOT_ORDER_NUMBER)) or ""
        order = await get_shop().order(number)
        if order is not None:
            self.ask(dispatcher, tracker, order, language(tracker))
        return []

    @abc.abstractmethod
    def ask(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, order: Order, lang: str
    ) -> None:
        """Send the question about ``order``."""

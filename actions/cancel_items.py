"""Cancelling some items of an order: the cancel form's question "the whole order or some
items?" for an order with several items left, and how its answer is read — taps one at a time
or typed names and numbers (:mod:`actions.services.cancel_choice`). The confirmation and the
cancellation itself are :mod:`actions.cancel`'s, through the shop seam's ``cancel_items``.

Asked only when the shop's policy allows item by item (``item_by_item``) and the backend can
cancel items (``cancels_items``: the built-in shop, and Shopify and WooCommerce through the
mirror).
"""

from __future__ import annotations

from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.after_proof import AskAboutTheOrder
from actions.common import send
from actions.services import cancel_choice
from actions.services.cancel_items import open_items
from actions.services.cancellation import load_policy
from actions.services.order_numbers import normalize_order_number
from actions.services.returns_parsing import is_cancel
from actions.shop.current import get_shop
from actions.store.models import Order
from bot import names


def asks_items(order: Order) -> bool:
    """Whether the form asks which items: several left, and both policy and shop allow it."""
    shop = get_shop()
    return (
        len(open_items(order)) > 1
        and load_policy().item_by_item
        and bool(getattr(shop, "cancels_items", False))
    )


async def read_items_answer(
    value: Any, dispatcher: CollectingDispatcher, tracker: Tracker
) -> dict[str, Any]:
    """The slots an answer to the items question sets: the final choice, the taps so far,
    or nothing (said not understood, asked again). "Stop"/"forget it" keeps the order."""
    if is_cancel(value):
        return {names.SLOT_CANCEL_ITEMS: cancel_choice.NONE, names.SLOT_CANCEL_CONFIRMED: False}
    number = normalize_order_number(tracker.get_slot(names.SLOT_ORDER_NUMBER)) or ""
    order = await get_shop().order(number)
    if order is None:
        return {names.SLOT_CANCEL_ITEMS: None}
    chosen = tracker.get_slot(names.SLOT_CANCEL_CHOSEN)
    answer = cancel_choice.read_answer(value, open_items(order), chosen)
    if answer is None:
        dispatcher.utter_message(response="utter_cancel_items_not_understood")
        return {names.SLOT_CANCEL_ITEMS: None}
    if answer.final is None:
        return {names.SLOT_CANCEL_ITEMS: None, names.SLOT_CANCEL_CHOSEN: answer.chosen}
    return {names.SLOT_CANCEL_ITEMS: answer.final, names.SLOT_CANCEL_CHOSEN: None}


class ActionAskCancelItems(AskAboutTheOrder):
    """ "The whole order or some items?", with a button per item."""

    def name(self) -> str:
        return names.ACTION_ASK_CANCEL_ITEMS

    def ask(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, order: Order, lang: str
    ) -> None:
        chosen = tracker.get_slot(names.SLOT_CANCEL_CHOSEN)
        send(dispatcher, [cancel_choice.ask(order.number, open_items(order), chosen, lang)])

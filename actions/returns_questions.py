"""The return form's questions: which order (recent deliveries as buttons), which items,
why, how it goes back, to which store, how the refund is paid, and the summary to confirm.

Rasa runs ``action_ask_<slot>`` before each of the form's questions
(:mod:`actions.returns`); what is said is built in :mod:`actions.services.returns_replies`.
"""

from __future__ import annotations

import abc
from typing import Optional

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.common import customer_id, language, send
from actions.failures import apologise_on_failure
from actions.returns_common import ReturnContext, load_context, return_order_number
from actions.services.replies import Reply
from actions.services.returns import decode_selection, quote
from actions.services.returns_form import carrier_name
from actions.services.returns_policy import load_policy
from actions.services.returns_replies import (
    ask_items,
    ask_method,
    ask_reason,
    ask_refund_method,
    order_buttons,
    store_options,
    summary,
)
from actions.services.stores import Place, locate, nearest_stores
from actions.shop.current import get_shop
from actions.store.uow import unit_of_work
from bot import names


class ActionAskReturnOrderNumber(Action):
    """Which order? Recent deliveries as buttons when we know who the customer is."""

    def name(self) -> str:
        return names.ACTION_ASK_RETURN_ORDER

    @apologise_on_failure
    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        cid = customer_id(tracker)
        if cid is not None:
            recent = await get_shop().recent_delivered_orders(cid, limit=5)
            if recent:
                send(
                    dispatcher,
                    [
                        Reply(
                            "utter_choose_return_order",
                            {},
                            order_buttons(recent, language(tracker)),
                        )
                    ],
                )
                return []
        dispatcher.utter_message(response="utter_ask_return_order_number")
        return []


class _AskAboutTheOrder(Action, abc.ABC):
    """A question of the return form that needs the order being returned.

    Subclasses name the action and say how to ask; loading the order (and saying nothing
    when it has gone) is done once, here.
    """

    @apologise_on_failure
    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        ctx = await load_context(return_order_number(tracker))
        if ctx is not None:
            await self.ask(ctx, dispatcher, tracker)
        return []

    @abc.abstractmethod
    async def ask(
        self, ctx: ReturnContext, dispatcher: CollectingDispatcher, tracker: Tracker
    ) -> None:
        """Send the question for ``ctx``."""


class ActionAskReturnItems(_AskAboutTheOrder):
    def name(self) -> str:
        return names.ACTION_ASK_RETURN_ITEMS

    async def ask(
        self, ctx: ReturnContext, dispatcher: CollectingDispatcher, tracker: Tracker
    ) -> None:
        if ctx.assessment.returnable:
            send(dispatcher, ask_items(ctx.assessment, ctx.today, language(tracker)))


class ActionAskReturnReason(Action):
    def name(self) -> str:
        return names.ACTION_ASK_RETURN_REASON

    @apologise_on_failure
    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        send(dispatcher, [ask_reason(load_policy(), language(tracker))])
        return []


class ActionAskReturnMethod(_AskAboutTheOrder):
    def name(self) -> str:
        return names.ACTION_ASK_RETURN_METHOD

    async def ask(
        self, ctx: ReturnContext, dispatcher: CollectingDispatcher, tracker: Tracker
    ) -> None:
        reason = tracker.get_slot(names.SLOT_RETURN_REASON)
        lang = language(tracker)
        send(
            dispatcher,
            [ask_method(ctx.order, reason, ctx.policy, carrier_name(ctx.policy, ctx.order), lang)],
        )


class ActionAskReturnStore(_AskAboutTheOrder):
    """The stores nearest where the customer said, or else the delivery address."""

    def name(self) -> str:
        return names.ACTION_ASK_RETURN_STORE

    async def ask(
        self, ctx: ReturnContext, dispatcher: CollectingDispatcher, tracker: Tracker
    ) -> None:
        address = ctx.order.shipping_address
        place: Optional[Place] = (
            locate(tracker.get_slot(names.SLOT_RETURN_PLACE))
            or locate(address.postal_code)
            or locate(address.city)
        )
        if place is None:  # a postcode and town we have no centroid for: ask where
            dispatcher.utter_message(response="utter_ask_return_place")
            return
        async with unit_of_work() as repo:
            stores = await repo.stores()
        nearby = nearest_stores(stores, place, ctx.policy.nearest_stores)
        send(dispatcher, store_options(nearby, place, ctx.today, language(tracker)))


class ActionAskReturnRefundMethod(_AskAboutTheOrder):
    def name(self) -> str:
        return names.ACTION_ASK_RETURN_REFUND_METHOD

    async def ask(
        self, ctx: ReturnContext, dispatcher: CollectingDispatcher, tracker: Tracker
    ) -> None:
        selection = decode_selection(tracker.get_slot(names.SLOT_RETURN_ITEMS))
        q = quote(
            ctx.order,
            selection,
            str(tracker.get_slot(names.SLOT_RETURN_REASON)),
            str(tracker.get_slot(names.SLOT_RETURN_METHOD)),
            ctx.policy,
        )
        lang = language(tracker)
        send(dispatcher, [ask_refund_method(ctx.order, q.refund_amount, ctx.policy, lang)])


class ActionAskReturnConfirmed(_AskAboutTheOrder):
    """The summary, and the explicit question before anything is created."""

    def name(self) -> str:
        return names.ACTION_ASK_RETURN_CONFIRMED

    async def ask(
        self, ctx: ReturnContext, dispatcher: CollectingDispatcher, tracker: Tracker
    ) -> None:
        selection = decode_selection(tracker.get_slot(names.SLOT_RETURN_ITEMS))
        reason = str(tracker.get_slot(names.SLOT_RETURN_REASON))
        method = str(tracker.get_slot(names.SLOT_RETURN_METHOD))
        refund = str(tracker.get_slot(names.SLOT_RETURN_REFUND_METHOD))
        store = None
        store_id = tracker.get_slot(names.SLOT_RETURN_STORE)
        if method == "drop_off" and str(store_id).isdigit():
            async with unit_of_work() as repo:
                store = await repo.store_by_id(int(store_id))
        q = quote(ctx.order, selection, reason, method, ctx.policy)
        send(
            dispatcher,
            [
                summary(
                    ctx.order,
                    selection,
                    reason,
                    method,
                    store,
                    carrier_name(ctx.policy, ctx.order),
                    q,
                    refund,
                    ctx.policy,
                    language(tracker),
                )
            ],
        )

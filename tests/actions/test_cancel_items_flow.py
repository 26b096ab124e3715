"""Cancelling two of an order's four items with the real cancel actions against the in-memory
demo shop: the question, the answer, the refund shown before confirming, the cancellation,
a second confirmation, and "where is my refund?" afterwards. Order 10115: paid £228.99 by
Visa ending 1881, four items, still in the warehouse; its customer (20) is identified."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from rasa_sdk.executor import CollectingDispatcher

from actions.cancel import ActionAskCancelConfirmed, ActionCancelOrder, ValidateCancelForm
from actions.cancel_items import ActionAskCancelItems
from actions.refunds import ActionRefundStatus
from actions.services.cancel_choice import payload
from bot import names
from tests.support.fake_shop import FakeShop
from tests.support.trackers import responses, slot_events, tracker

OWNER = {names.SLOT_CUSTOMER_ID: "20", names.SLOT_ORDER_NUMBER: "10115"}
FORM = names.FORM_CANCEL


async def test_the_form_asks_which_items_and_cancels_only_those(fake_shop: FakeShop) -> None:
    order = await fake_shop.order("10115")
    assert order is not None and len(order.items) == 4
    bulb, duvet = order.items[1], order.items[2]
    form = ValidateCancelForm()
    wanted = await form.required_slots(
        [names.SLOT_ORDER_NUMBER, names.SLOT_VERIFICATION, names.SLOT_CANCEL_ITEMS],
        CollectingDispatcher(),
        tracker(OWNER, form=FORM),
        {},
    )
    assert wanted == [names.SLOT_ORDER_NUMBER, names.SLOT_CANCEL_ITEMS, "cancel_confirmed"]

    asked = CollectingDispatcher()
    await ActionAskCancelItems().run(asked, tracker(OWNER, form=FORM), {})
    buttons = [b["payload"] for b in asked.messages[0]["buttons"]]
    assert buttons[:4] == [payload(str(i.id)) for i in order.items]
    assert buttons[-1] == payload("all")

    # a tap, then the second item typed by its number in the list
    slots: dict[str, Any] = dict(OWNER)
    tapped = await form.validate_cancel_items(
        payload(str(bulb.id)), CollectingDispatcher(), tracker(slots, form=FORM), {}
    )
    assert tapped == {names.SLOT_CANCEL_ITEMS: None, names.SLOT_CANCEL_CHOSEN: str(bulb.id)}
    slots.update(tapped)
    done = await form.validate_cancel_items(
        payload("done"), CollectingDispatcher(), tracker(slots, form=FORM), {}
    )
    assert done[names.SLOT_CANCEL_ITEMS] == str(bulb.id)
    typed = await form.validate_cancel_items(
        "2 and 3", CollectingDispatcher(), tracker(OWNER, form=FORM), {}
    )
    assert typed[names.SLOT_CANCEL_ITEMS] == f"{bulb.id},{duvet.id}"
    slots = {**OWNER, **typed}

    confirm = CollectingDispatcher()
    await ActionAskCancelConfirmed().run(confirm, tracker(slots, form=FORM), {})
    assert responses(confirm) == ["utter_ask_cancel_items_confirmed_refund"]
    said = confirm.messages[0]
    assert said["amount"] == "£119.99" and said["payment_method"] == "Visa ending 1881"
    assert said["items"] == "Smart LED bulb, 2-pack and Washed linen duvet cover, double"

    slots["cancel_confirmed"] = True
    cancelled = CollectingDispatcher()
    events = await ActionCancelOrder().run(cancelled, tracker(slots), {})
    assert responses(cancelled) == ["utter_order_items_cancelled_refund"]
    assert cancelled.messages[0]["amount"] == "£119.99"
    assert slot_events(events)[names.SLOT_FLOW_OUTCOME] == {
        "flow": "cancel",
        "outcome": "done",
        "amount": "119.99",
        "currency": "GBP",
    }
    after = await fake_shop.order("10115")
    assert after is not None and after.status == "paid"
    assert [i.cancelled_at is not None for i in after.items] == [False, True, True, False]
    assert sum((i.refunded or Decimal(0) for i in after.items), Decimal(0)) == Decimal("119.99")

    # the same confirmation again (a double tap): nothing cancelled or refunded twice
    again = CollectingDispatcher()
    events = await ActionCancelOrder().run(again, tracker(slots), {})
    assert responses(again) == ["utter_order_items_already_cancelled"]
    assert slot_events(events)[names.SLOT_FLOW_OUTCOME]["outcome"] == "refused"
    assert fake_shop.calls.count(f"cancel_items 10115 {bulb.id},{duvet.id}") == 2

    refund = CollectingDispatcher()
    ask_refund = {names.SLOT_CUSTOMER_ID: "20", names.SLOT_REFUND_REFERENCE: "10115"}
    await ActionRefundStatus().run(refund, tracker(ask_refund), {})
    assert responses(refund) == ["utter_order_items_refunded"]
    assert refund.messages[0]["amount"] == "£119.99"


async def test_a_stop_at_the_item_question_keeps_the_order(fake_shop: FakeShop) -> None:
    answer = await ValidateCancelForm().validate_cancel_items(
        "forget it", CollectingDispatcher(), tracker(OWNER, form=FORM), {}
    )
    assert answer == {names.SLOT_CANCEL_ITEMS: "none", names.SLOT_CANCEL_CONFIRMED: False}
    kept = CollectingDispatcher()
    events = await ActionCancelOrder().run(kept, tracker({**OWNER, **answer}), {})
    assert responses(kept) == ["utter_order_kept"]
    assert slot_events(events)[names.SLOT_FLOW_OUTCOME]["outcome"] == "stopped"
    assert not any(c.startswith("cancel_") for c in fake_shop.calls)


async def test_a_single_item_order_is_not_asked_which_items(fake_shop: FakeShop) -> None:
    wanted = await ValidateCancelForm().required_slots(
        [names.SLOT_ORDER_NUMBER, names.SLOT_VERIFICATION],
        CollectingDispatcher(),
        tracker({names.SLOT_CUSTOMER_ID: "3", names.SLOT_ORDER_NUMBER: "10005"}, form=FORM),
        {},
    )
    assert wanted == [names.SLOT_ORDER_NUMBER, "cancel_confirmed"]


async def test_a_cancellation_the_shops_system_refuses_offers_a_person_not_too_late(
    fake_shop: FakeShop, monkeypatch: Any
) -> None:
    """The platform turning the cancellation down for its own reason: nothing changed, and the
    customer is not told their still-in-the-warehouse order "has already left"."""
    from actions.shop.backend import OrderNotChangeable

    async def refuse(*args: Any, **kwargs: Any) -> Any:
        raise OrderNotChangeable("refused", "Line item quantity is invalid")

    monkeypatch.setattr(fake_shop, "cancel_items", refuse)
    order = await fake_shop.order("10115")
    assert order is not None
    slots = {
        **OWNER,
        names.SLOT_CANCEL_ITEMS: str(order.items[1].id),
        names.SLOT_CANCEL_CONFIRMED: True,
    }
    refused = CollectingDispatcher()
    events = await ActionCancelOrder().run(refused, tracker(slots), {})
    assert responses(refused) == ["utter_cancel_not_accepted"]
    assert slot_events(events)[names.SLOT_FLOW_OUTCOME]["outcome"] == "refused"
    after = await fake_shop.order("10115")
    assert after is not None and not any(i.cancelled_at for i in after.items)

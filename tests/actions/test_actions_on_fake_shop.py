"""The real order-status, returns and refund actions against the in-memory shop: what the
customer reads (response names and their parameters) and which slots are set.

The shop is tests/support/fake_shop.py (the demo, anchored today); Baton's own records (proof
attempts) are on a temp SQLite store. No model, no server, no shop tables.
"""

from __future__ import annotations

from datetime import date, timedelta

from rasa_sdk.executor import CollectingDispatcher

from actions.orders import ActionOrderStatus, ValidateOrderStatusForm
from actions.refunds import ActionRefundStatus, ValidateRefundStatusForm
from actions.returns import ValidateReturnForm
from bot import names
from tests.actions.fixtures import order, parcel
from tests.support.fake_shop import FakeShop
from tests.support.trackers import responses, slot_events, tracker

ORDER_FORM = names.FORM_ORDER_STATUS
ORDER_SLOTS = [names.SLOT_ORDER_NUMBER, names.SLOT_VERIFICATION]
JANE = {names.SLOT_CUSTOMER_ID: "1"}  # Jane Doe, identified by her channel


async def test_an_unknown_order_number_is_said_to_be_unknown_and_asked_again(
    fake_shop: FakeShop,
) -> None:
    dispatcher = CollectingDispatcher()
    result = await ValidateOrderStatusForm().validate_order_number(
        "99999", dispatcher, tracker(form=ORDER_FORM), {}
    )
    assert result == {names.SLOT_ORDER_NUMBER: None}
    assert responses(dispatcher) == ["utter_order_not_found"]
    assert dispatcher.messages[0]["order_number"] == "99999"


async def test_a_customer_asking_about_their_own_order_is_not_asked_for_proof(
    fake_shop: FakeShop,
) -> None:
    form = ValidateOrderStatusForm()
    asked = tracker(JANE, form=ORDER_FORM)
    result = await form.validate_order_number("10001", CollectingDispatcher(), asked, {})
    assert result == {names.SLOT_ORDER_NUMBER: "10001", names.SLOT_ORDER_LOCKED: False}
    answered = tracker({**JANE, **result}, form=ORDER_FORM)
    assert await form.required_slots(ORDER_SLOTS, CollectingDispatcher(), answered, {}) == [
        names.SLOT_ORDER_NUMBER
    ]


async def test_a_stranger_proves_the_order_and_a_wrong_email_is_refused_without_saying_why(
    fake_shop: FakeShop,
) -> None:
    form = ValidateOrderStatusForm()
    slots = {names.SLOT_ORDER_NUMBER: "10001"}
    asked = tracker(slots, sender="conv-stranger", form=ORDER_FORM)
    assert await form.required_slots(ORDER_SLOTS, CollectingDispatcher(), asked, {}) == ORDER_SLOTS

    wrong = CollectingDispatcher()
    result = await form.validate_verification_value("someone@example.com", wrong, asked, {})
    assert result == {names.SLOT_VERIFICATION: None}
    assert responses(wrong) == ["utter_verification_failed"]
    assert "email" not in str(wrong.messages[0].get("text") or "")  # which part: not said

    right = CollectingDispatcher()
    result = await form.validate_verification_value("Jane.Doe@example.com", right, asked, {})
    assert result[names.SLOT_VERIFIED_ORDERS] == ["10001"]
    assert responses(right) == []


async def test_order_status_names_the_carrier_and_remembers_the_order(fake_shop: FakeShop) -> None:
    dispatcher = CollectingDispatcher()
    events = await ActionOrderStatus().run(
        dispatcher, tracker({**JANE, names.SLOT_ORDER_NUMBER: "10001"}), {}
    )
    assert responses(dispatcher) == ["utter_order_shipped"]
    assert dispatcher.messages[0]["carrier"] == "DPD"
    slots = slot_events(events)
    assert slots[names.SLOT_LAST_ORDER] == "10001"
    assert slots[names.SLOT_ORDER_NUMBER] is None  # the form starts afresh next time


async def test_an_order_only_the_shop_has_is_answered_from_the_shop(fake_shop: FakeShop) -> None:
    late = parcel("delayed", estimated_delivery=date.today() + timedelta(days=3))
    fake_shop.add_order(
        order("delayed", (late,), id=9001, number="77777", customer_id=1, promised_delivery=None)
    )
    dispatcher = CollectingDispatcher()
    await ActionOrderStatus().run(
        dispatcher, tracker({**JANE, names.SLOT_ORDER_NUMBER: "77777"}), {}
    )
    assert responses(dispatcher) == ["utter_order_delayed"]
    assert "order 77777" in fake_shop.calls


async def test_a_strangers_order_is_never_shown_even_without_the_form(fake_shop: FakeShop) -> None:
    dispatcher = CollectingDispatcher()
    await ActionOrderStatus().run(dispatcher, tracker({names.SLOT_ORDER_NUMBER: "10001"}), {})
    assert responses(dispatcher) == ["utter_order_locked"]


async def test_a_return_of_an_order_still_on_its_way_is_refused_with_a_link_to_track_it(
    fake_shop: FakeShop,
) -> None:
    dispatcher = CollectingDispatcher()
    result = await ValidateReturnForm().validate_return_order_number(
        "10001", dispatcher, tracker(JANE, form=names.FORM_RETURN), {}
    )
    assert responses(dispatcher) == ["utter_return_order_not_delivered"]
    [button] = dispatcher.messages[0]["buttons"]
    assert button["payload"] == '/order_status{"order_number":"10001"}'
    assert result[names.SLOT_RETURN_OUTCOME] == "refused"


async def test_a_delivered_order_is_assessed_and_the_return_goes_on(fake_shop: FakeShop) -> None:
    dispatcher = CollectingDispatcher()
    result = await ValidateReturnForm().validate_return_order_number(
        "10011", dispatcher, tracker(JANE, form=names.FORM_RETURN), {}
    )
    assert result[names.SLOT_RETURN_ORDER] == "10011"
    assert result[names.SLOT_RETURN_ASSESSED_ORDER] == "10011"
    assert not result.get(names.SLOT_RETURN_OUTCOME)
    assert "return_inputs 10011" in fake_shop.calls


async def test_an_unknown_return_number_is_said_to_be_unknown(fake_shop: FakeShop) -> None:
    dispatcher = CollectingDispatcher()
    result = await ValidateRefundStatusForm().validate_refund_reference(
        "RMA-29999", dispatcher, tracker(JANE, form=names.FORM_REFUND_STATUS), {}
    )
    assert result == {names.SLOT_REFUND_REFERENCE: None}
    assert responses(dispatcher) == ["utter_return_not_found"]


async def test_a_refund_asked_for_by_return_number_says_where_the_parcel_is(
    fake_shop: FakeShop,
) -> None:
    dispatcher = CollectingDispatcher()
    events = await ActionRefundStatus().run(
        dispatcher, tracker({**JANE, names.SLOT_REFUND_REFERENCE: "RMA-20001"}), {}
    )
    [said] = responses(dispatcher)
    assert said.startswith("utter_refund_status_in_transit")  # RMA-20001 is on its way back
    assert slot_events(events)[names.SLOT_LAST_RMA] == "RMA-20001"


async def test_an_order_without_returns_offers_to_start_one(fake_shop: FakeShop) -> None:
    dispatcher = CollectingDispatcher()
    await ActionRefundStatus().run(
        dispatcher, tracker({**JANE, names.SLOT_REFUND_REFERENCE: "10001"}), {}
    )
    assert responses(dispatcher) == ["utter_order_has_no_returns"]
    payloads = [b["payload"] for b in dispatcher.messages[0]["buttons"]]
    assert payloads == ['/return_item{"order_number":"10001"}', "/deny"]

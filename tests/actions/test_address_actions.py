"""The real address-change actions against the in-memory shop: what the customer reads, what
the shop is asked to do, and that a repeated confirmation changes the address once.

Order 10104 (paid, not dispatched, a Cardiff address) and 10001 (with DPD) are the demo
shop's (tests/support/fake_shop.py); Baton's record of the change is on a temp SQLite store.
"""

from __future__ import annotations

from dataclasses import asdict, replace
from typing import Any

import pytest
from rasa_sdk.executor import CollectingDispatcher

from actions.address import (
    ActionAskAddressConfirmed,
    ActionAskNewAddress,
    ActionChangeAddress,
    ValidateAddressForm,
)
from actions.shop.backend import OrderNotChangeable
from actions.store import address_changes
from actions.store.models import Address, Order
from actions.store.uow import unit_of_work
from bot import names
from tests.actions.fixtures import parcel
from tests.support.fake_shop import FakeShop
from tests.support.trackers import responses, slot_events, tracker

FORM = names.FORM_ADDRESS
DOMAIN_SLOTS = [
    names.SLOT_ORDER_NUMBER,
    names.SLOT_VERIFICATION,
    names.SLOT_NEW_ADDRESS,
    names.SLOT_ADDRESS_CONFIRMED,
]
NEW = Address("12 High Street", "Flat 2", "Leeds", "LS1 4AB", "GB")


def proven(number: str, **slots: Any) -> dict[str, Any]:
    return {names.SLOT_ORDER_NUMBER: number, names.SLOT_VERIFIED_ORDERS: [number], **slots}


async def test_before_dispatch_the_form_asks_for_the_address_and_then_to_confirm(
    fake_shop: FakeShop,
) -> None:
    asked = tracker(proven("10104"), form=FORM)
    slots = await ValidateAddressForm().required_slots(
        DOMAIN_SLOTS, CollectingDispatcher(), asked, {}
    )
    assert slots == [names.SLOT_ORDER_NUMBER, names.SLOT_NEW_ADDRESS, names.SLOT_ADDRESS_CONFIRMED]


async def test_after_dispatch_the_form_asks_nothing_more_once_the_order_is_proven(
    fake_shop: FakeShop,
) -> None:
    asked = tracker(proven("10001"), form=FORM)
    slots = await ValidateAddressForm().required_slots(
        DOMAIN_SLOTS, CollectingDispatcher(), asked, {}
    )
    assert slots == [names.SLOT_ORDER_NUMBER]


async def test_a_stranger_is_asked_for_the_proof_first(fake_shop: FakeShop) -> None:
    asked = tracker({names.SLOT_ORDER_NUMBER: "10104"}, sender="conv-addr-stranger", form=FORM)
    slots = await ValidateAddressForm().required_slots(
        DOMAIN_SLOTS, CollectingDispatcher(), asked, {}
    )
    assert slots == [names.SLOT_ORDER_NUMBER, names.SLOT_VERIFICATION]  # nothing else yet


async def test_the_new_addresss_postcode_is_not_taken_as_a_proof(fake_shop: FakeShop) -> None:
    asked = tracker(
        {**proven("10104"), "requested_slot": names.SLOT_NEW_ADDRESS},
        entities=(("postal_code", "LS1 4AB"),),
        form=FORM,
    )
    found = await ValidateAddressForm().extract_verification_value(
        CollectingDispatcher(), asked, {}
    )
    assert found == {}


async def test_an_invalid_postcode_is_explained_and_asked_again(fake_shop: FakeShop) -> None:
    dispatcher = CollectingDispatcher()
    asked = tracker(proven("10104"), form=FORM)
    result = await ValidateAddressForm().validate_new_address(
        "12 High Street, Leeds, ZZ1 1ZZ", dispatcher, asked, {}
    )
    assert result == {
        names.SLOT_NEW_ADDRESS: None,
        names.SLOT_ADDRESS_ATTEMPTS: 1.0,
        names.SLOT_ADDRESS_PROBLEM: "bad_postcode",
    }
    assert responses(dispatcher) == []  # said when asking again, in the customer's language
    again = CollectingDispatcher()
    events = await ActionAskNewAddress().run(again, tracker(proven("10104", **result)), {})
    assert responses(again) == ["utter_address_problem_bad_postcode"]
    assert slot_events(events) == {names.SLOT_ADDRESS_PROBLEM: None}


async def test_an_address_does_not_switch_a_korean_conversation_to_english(
    fake_shop: FakeShop,
) -> None:
    asked = tracker(proven("10104", language="en"), form=FORM)
    asked.events.insert(0, {"event": "slot", "name": "language", "value": "ko"})
    asked.events.insert(0, {"event": "user", "text": "주문 10104 배송지 변경해 주세요"})
    result = await ValidateAddressForm().validate_new_address(
        "12 High Street, Leeds, LS1 4AB", CollectingDispatcher(), asked, {}
    )
    assert result["language"] == "ko"


async def test_an_address_in_another_country_is_refused_by_the_shipped_policy(
    fake_shop: FakeShop,
) -> None:
    dispatcher = CollectingDispatcher()
    result = await ValidateAddressForm().validate_new_address(
        "1 Main Street, Dublin 2, D02 X285", dispatcher, tracker(proven("10104"), form=FORM), {}
    )
    assert result[names.SLOT_NEW_ADDRESS] is None
    assert result[names.SLOT_ADDRESS_PROBLEM] == "other_country"


async def test_a_valid_address_is_kept_normalised_and_read_back(fake_shop: FakeShop) -> None:
    result = await ValidateAddressForm().validate_new_address(
        "12 High Street\nFlat 2\nLeeds ls14ab", CollectingDispatcher(), tracker(proven("10104")), {}
    )
    assert result == {names.SLOT_NEW_ADDRESS: asdict(NEW)}
    dispatcher = CollectingDispatcher()
    await ActionAskAddressConfirmed().run(dispatcher, tracker(proven("10104", **result)), {})
    assert responses(dispatcher) == ["utter_confirm_new_address"]
    assert dispatcher.messages[0]["address"] == "12 High Street, Flat 2, Leeds, LS1 4AB"


async def test_the_last_allowed_attempt_ends_the_form_and_offers_a_person(
    fake_shop: FakeShop,
) -> None:
    form = ValidateAddressForm()
    third = tracker(proven("10104", **{names.SLOT_ADDRESS_ATTEMPTS: 2.0}), form=FORM)
    result = await form.validate_new_address("nowhere", CollectingDispatcher(), third, {})
    assert result[names.SLOT_ADDRESS_OUTCOME] == "too_many_attempts"
    ended = tracker(proven("10104", **result), form=FORM)
    assert await form.required_slots(DOMAIN_SLOTS, CollectingDispatcher(), ended, {}) == [
        names.SLOT_ORDER_NUMBER
    ]
    dispatcher = CollectingDispatcher()
    events = await ActionChangeAddress().run(dispatcher, ended, {})
    assert responses(dispatcher) == ["utter_address_too_many_attempts"]
    slots = slot_events(events)
    assert slots[names.SLOT_HANDOFF_REASON] == "address_unusable"
    assert slots["flow_outcome"] == {"flow": "address", "outcome": "handoff"}
    assert "change_address 10104" not in fake_shop.calls


async def test_a_confirmed_address_is_changed_once_even_when_confirmed_twice(
    fake_shop: FakeShop,
) -> None:
    confirmed = tracker(
        proven(
            "10104", **{names.SLOT_NEW_ADDRESS: asdict(NEW), names.SLOT_ADDRESS_CONFIRMED: True}
        ),
        sender="conv-addr-twice",
        intent="affirm",
    )
    first, second = CollectingDispatcher(), CollectingDispatcher()
    events = await ActionChangeAddress().run(first, confirmed, {})
    await ActionChangeAddress().run(second, confirmed, {})  # a double tap, a retried message
    assert fake_shop.calls.count("change_address 10104") == 1
    assert responses(first) == responses(second) == ["utter_address_changed"]
    assert first.messages[0]["address"] == "12 High Street, Flat 2, Leeds, LS1 4AB"
    assert fake_shop.data.orders["10104"].shipping_address == NEW
    assert slot_events(events)["flow_outcome"] == {"flow": "address", "outcome": "done"}
    async with unit_of_work() as repo:
        assert await address_changes.count(repo.conn, "10104") == 1


async def test_no_at_the_confirmation_changes_nothing(fake_shop: FakeShop) -> None:
    before = fake_shop.data.orders["10105"].shipping_address
    denied = tracker(
        proven(
            "10105", **{names.SLOT_NEW_ADDRESS: asdict(NEW), names.SLOT_ADDRESS_CONFIRMED: False}
        )
    )
    dispatcher = CollectingDispatcher()
    events = await ActionChangeAddress().run(dispatcher, denied, {})
    assert responses(dispatcher) == ["utter_address_kept"]
    assert fake_shop.data.orders["10105"].shipping_address == before
    assert "change_address 10105" not in fake_shop.calls
    assert slot_events(events)["flow_outcome"] == {"flow": "address", "outcome": "stopped"}


async def test_on_its_way_with_a_redirect_carrier_the_customer_gets_its_page(
    fake_shop: FakeShop,
) -> None:
    dispatcher = CollectingDispatcher()
    order = fake_shop.data.orders["10001"]
    events = await ActionChangeAddress().run(dispatcher, tracker(proven("10001")), {})
    assert responses(dispatcher) == ["utter_address_redirect"]
    [parcel_sent] = order.shipments
    assert dispatcher.messages[0]["carrier"] == parcel_sent.carrier == "DPD"
    assert dispatcher.messages[0]["redirect_url"].endswith(parcel_sent.tracking_number)
    assert slot_events(events)["flow_outcome"] == {"flow": "address", "outcome": "refused"}


async def test_on_its_way_with_any_other_carrier_a_person_is_offered(fake_shop: FakeShop) -> None:
    order = fake_shop.data.orders["10001"]
    fake_shop.data.orders["10001"] = replace(
        order, shipments=tuple(replace(s, carrier="Evri") for s in order.shipments)
    )
    dispatcher = CollectingDispatcher()
    events = await ActionChangeAddress().run(dispatcher, tracker(proven("10001")), {})
    assert responses(dispatcher) == ["utter_address_after_dispatch_person"]
    slots = slot_events(events)
    assert slots[names.SLOT_HANDOFF_REASON] == "address_change_after_dispatch"
    assert slots["flow_outcome"] == {"flow": "address", "outcome": "handoff"}


async def test_a_change_the_shop_refuses_at_the_last_moment_is_not_recorded(
    fake_shop: FakeShop, monkeypatch: pytest.MonkeyPatch
) -> None:
    order = fake_shop.data.orders["10109"]
    slots = {names.SLOT_NEW_ADDRESS: asdict(NEW), names.SLOT_ADDRESS_CONFIRMED: True}
    confirmed = tracker(proven("10109", **slots), sender="conv-addr-late")

    async def handed_to_the_carrier_meanwhile(number: str, new: Address) -> Order:
        fake_shop.data.orders[number] = replace(
            order, status="shipped", shipments=(parcel(carrier="Evri"),)
        )
        raise OrderNotChangeable("already_shipped", number)

    monkeypatch.setattr(fake_shop, "change_address", handed_to_the_carrier_meanwhile)
    dispatcher = CollectingDispatcher()
    await ActionChangeAddress().run(dispatcher, confirmed, {})
    assert responses(dispatcher) == ["utter_address_after_dispatch_person"]
    async with unit_of_work() as repo:
        assert await address_changes.count(repo.conn, "10109") == 0


async def test_someone_elses_order_is_never_changed_without_the_proof(fake_shop: FakeShop) -> None:
    slots = {
        names.SLOT_ORDER_NUMBER: "10104",
        names.SLOT_NEW_ADDRESS: asdict(NEW),
        names.SLOT_ADDRESS_CONFIRMED: True,
    }
    dispatcher = CollectingDispatcher()
    await ActionChangeAddress().run(dispatcher, tracker(slots, sender="conv-addr-x"), {})
    assert responses(dispatcher) == ["utter_order_locked"]
    assert "change_address 10104" not in fake_shop.calls


async def test_a_postcode_in_the_request_itself_is_the_new_one_not_a_proof(
    fake_shop: FakeShop,
) -> None:
    form = ValidateAddressForm()
    moving = tracker(
        {names.SLOT_ORDER_NUMBER: "10104"},
        intent="change_address",
        entities=(("postal_code", "LS1 4AB"),),
        form=FORM,
    )
    assert await form.extract_verification_value(CollectingDispatcher(), moving, {}) == {}
    proving = tracker(
        {names.SLOT_ORDER_NUMBER: "10104"},
        intent="change_address",
        entities=(("email", "freya.lewis@example.com"),),
        form=FORM,
    )
    found = await form.extract_verification_value(CollectingDispatcher(), proving, {})
    assert found == {names.SLOT_VERIFICATION: "freya.lewis@example.com"}

"""Every way the cancel flow ends leaves one ``flow_outcome`` the analytics count: done with
the refund and its currency, refused with the policy's word, stopped, or handed to a person
when the shop could not be reached. The real actions against the in-memory demo shop."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from rasa_sdk.executor import CollectingDispatcher

from actions.cancel import ActionCancelOrder
from actions.flow_stopped import ActionAddressStopped, ActionCancelStopped, FlowStopped
from actions.shop.platform import ShopUnavailable
from bot import names
from tests.support.fake_shop import FakeShop
from tests.support.trackers import responses, slot_events, tracker

PRIYA = {names.SLOT_CUSTOMER_ID: "3"}  # identified by her channel: no proof asked


async def _cancel(slots: dict[str, Any]) -> tuple[list[str], dict[str, Any]]:
    dispatcher = CollectingDispatcher()
    events = await ActionCancelOrder().run(dispatcher, tracker({**PRIYA, **slots}), {})
    outcomes = [e for e in events if e.get("name") == names.SLOT_FLOW_OUTCOME]
    assert len(outcomes) == 1, events  # exactly one outcome per ending
    return responses(dispatcher), slot_events(events)[names.SLOT_FLOW_OUTCOME]


async def test_a_cancellation_done_records_the_refund_and_its_currency(
    fake_shop: FakeShop,
) -> None:
    order = await fake_shop.order("10005")
    assert order is not None and order.payment_status == "paid"
    said, outcome = await _cancel({names.SLOT_ORDER_NUMBER: "10005", "cancel_confirmed": True})
    assert said == ["utter_order_cancelled_refund"]
    assert outcome == {
        "flow": "cancel",
        "outcome": "done",
        "amount": str(order.total),
        "currency": order.currency,
    }
    assert Decimal(outcome["amount"]) > 0


async def test_an_order_on_its_way_is_a_refusal_with_the_policys_word(
    fake_shop: FakeShop,
) -> None:
    jane = {names.SLOT_CUSTOMER_ID: "1", names.SLOT_ORDER_NUMBER: "10001"}
    said, outcome = await _cancel(jane)
    assert said == ["utter_cancel_too_late_on_its_way"]
    assert outcome == {"flow": "cancel", "outcome": "refused", "detail": "on_its_way"}


async def test_keeping_the_order_at_the_last_step_is_a_stop(fake_shop: FakeShop) -> None:
    said, outcome = await _cancel({names.SLOT_ORDER_NUMBER: "10005", "cancel_confirmed": False})
    assert said == ["utter_order_kept"]
    assert outcome == {"flow": "cancel", "outcome": "stopped", "detail": "kept"}
    assert (await fake_shop.order("10005")).status != "cancelled"  # type: ignore[union-attr]


async def test_a_second_confirmation_is_refused_as_already_cancelled(fake_shop: FakeShop) -> None:
    slots = {names.SLOT_ORDER_NUMBER: "10005", "cancel_confirmed": True}
    await _cancel(slots)
    said, outcome = await _cancel(slots)
    assert said == ["utter_order_already_cancelled"]
    assert outcome["outcome"] == "refused" and outcome["detail"] == "already_cancelled"
    assert fake_shop.calls.count("cancel_order 10005") == 1


async def test_a_shop_that_cannot_be_reached_hands_the_flow_to_a_person(
    fake_shop: FakeShop, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def down(number: str) -> None:
        raise ShopUnavailable("timeout")

    monkeypatch.setattr(fake_shop, "order", down)
    said, outcome = await _cancel({names.SLOT_ORDER_NUMBER: "10005", "cancel_confirmed": True})
    assert said == ["utter_shop_unavailable_offer"]
    assert outcome == {"flow": "cancel", "outcome": "handoff", "detail": "failure"}


@pytest.mark.parametrize(
    ("intent", "said", "detail"),
    [("deny", "utter_ok_stopped", "asked"), ("goodbye", "utter_goodbye", "left")],
)
@pytest.mark.parametrize(
    ("action", "flow"), [(ActionCancelStopped, "cancel"), (ActionAddressStopped, "address")]
)
async def test_stopping_or_leaving_mid_flow_is_said_and_recorded_as_stopped(
    intent: str, said: str, detail: str, action: type[FlowStopped], flow: str
) -> None:
    dispatcher = CollectingDispatcher()
    events = await action().run(dispatcher, tracker(intent=intent), {})
    assert responses(dispatcher) == [said]
    assert slot_events(events)[names.SLOT_FLOW_OUTCOME] == {
        "flow": flow,
        "outcome": "stopped",
        "detail": detail,
    }

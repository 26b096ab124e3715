"""The delivery-problem action against the in-memory demo shop (the form's questions are in
test_problem_form_actions.py): what the customer reads for each decision, a replacement sent
or the refund paid, the claim opened once (a double tap or a
second report says the first claim's number), a person's case for the team, and the flow's
outcome for the analytics.

Orders of the demo shop (tests/support/fake_shop.py): 10011 (three items in one parcel,
delivered ten days ago), 10014 (an alarm clock delivered 14 days ago, worth £59), 10101 (a
parcel delivered yesterday, two on their way), 10010 (split: the lamp still on its way), 10086
(over £250), 10013 (delivered 40 days ago), 10009 (cancelled). Claims and cases are on a temp
SQLite store shared by the module, so each test uses its own order, kind or item.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from rasa_sdk.executor import CollectingDispatcher

from actions.flow_stopped import ActionProblemStopped
from actions.handoff import build_context_packet
from actions.problems import ActionReportProblem
from actions.shop.backend import OrderNotChangeable
from bot import names
from tests.actions.problem_fixtures import (
    PHOTO,
    claims_for,
    report,
)
from tests.support.fake_shop import FakeShop
from tests.support.trackers import responses, slot_events, tracker


async def run_report(slots: dict[str, Any], sender: str = "conv-1") -> tuple[list[str], Any]:
    dispatcher = CollectingDispatcher()
    events = await ActionReportProblem().run(dispatcher, tracker(slots, sender=sender), {})
    return responses(dispatcher), (dispatcher, slot_events(events))


async def test_a_confirmed_claim_is_opened_once_and_a_second_tap_gets_its_number(
    fake_shop: FakeShop,
) -> None:
    slots = report("10011", "missing_item", "14", **{names.SLOT_PROBLEM_CONFIRMED: True})
    said, (dispatcher, events) = await run_report(slots, sender="conv-problem-twice")
    assert said == ["utter_problem_claim_refund"]
    assert dispatcher.messages[0]["amount"] == "£22.00"
    assert events[names.SLOT_FLOW_OUTCOME] == {
        "flow": "claim",
        "outcome": "done",
        "amount": "22.00",
        "currency": "GBP",
        "detail": "claim_refund",
    }
    [claim] = await claims_for("10011")
    assert (claim.kind, claim.order_item_id, claim.remedy, claim.state) == (
        "missing_item",
        14,
        "refund",
        "open",
    )
    assert dispatcher.messages[0]["claim_number"] == claim.number
    # the money went back through the shop, once
    assert fake_shop.calls.count(f"refund_claim 10011 {claim.number}") == 1
    [paid] = fake_shop.data.orders["10011"].claim_refunds
    assert (paid.claim, paid.amount) == (claim.number, Decimal("22.00"))
    again, (second, events) = await run_report(slots, sender="conv-problem-other-chat")
    assert again == ["utter_problem_claim_exists"]
    assert second.messages[0]["claim_number"] == claim.number
    assert events[names.SLOT_FLOW_OUTCOME]["detail"] == "already_claimed"
    assert len(await claims_for("10011")) == 1


async def test_a_refund_the_shop_refuses_leaves_the_claim_open_for_a_person_who_has_the_case(
    fake_shop: FakeShop, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def refused(number: str, refund: Any) -> Any:
        raise OrderNotChangeable("refused", "the payment provider said no")

    monkeypatch.setattr(fake_shop, "refund_claim", refused)
    slots = report("10011", "missing_item", "15", **{names.SLOT_PROBLEM_CONFIRMED: True})
    conversation = "conv-problem-refund-refused"
    said, (dispatcher, events) = await run_report(slots, sender=conversation)
    assert said == ["utter_problem_claim_refund_pending"]
    [claim] = [c for c in await claims_for("10011") if c.order_item_id == 15]
    assert claim.state == "open"
    assert dispatcher.messages[0]["claim_number"] == claim.number
    assert events[names.SLOT_FLOW_OUTCOME]["detail"] == "refund_pending"
    assert fake_shop.data.orders["10011"].claim_refunds == ()
    packet = await build_context_packet(tracker(slots, sender=conversation), "policy")
    [case] = packet.policy_cases
    assert (case.topic, case.order_number) == ("claim", "10011")


async def test_in_stock_the_replacement_is_sent_as_a_free_order_once(fake_shop: FakeShop) -> None:
    slots = report(
        "10011",
        "damaged",
        "13",
        **{names.SLOT_PROBLEM_PHOTO: PHOTO, names.SLOT_PROBLEM_CONFIRMED: True},
    )
    said, (dispatcher, events) = await run_report(slots, sender="conv-problem-replaced")
    assert said == ["utter_problem_claim_replacement"]
    [claim] = [c for c in await claims_for("10011") if c.kind == "damaged"]
    assert (claim.order_item_id, claim.quantity, claim.remedy) == (13, 2, "replacement")
    number = dispatcher.messages[0]["replacement_number"]
    assert dispatcher.messages[0]["claim_number"] == claim.number
    new = fake_shop.data.orders[number]
    original = fake_shop.data.orders["10011"]
    assert (new.customer_id, new.shipping_address) == (
        original.customer_id,
        original.shipping_address,
    )
    assert new.total == Decimal("0.00")
    assert [(i.sku, i.quantity) for i in new.items] == [("HOM-CNDL-FIG", 2)]
    assert fake_shop.data.stock["HOM-CNDL-FIG"] == 38
    assert original.claim_refunds == ()  # nothing refunded
    assert events[names.SLOT_FLOW_OUTCOME]["detail"] == "claim_replacement"
    again, _ = await run_report(slots, sender="conv-problem-replaced-again")
    assert again == ["utter_problem_claim_exists"]
    assert fake_shop.calls.count(f"send_replacement 10011 {claim.number}") == 1


async def test_sold_out_since_the_question_the_refund_is_paid_instead(
    fake_shop: FakeShop, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def stale(skus: Any) -> dict[str, int]:  # read before the last ones sold
        return dict.fromkeys(skus, 40)

    monkeypatch.setattr(fake_shop, "stock", stale)
    fake_shop.data.stock["HOM-CNDL-FIG"] = 0
    slots = report(
        "10011",
        "wrong_item",
        "13",
        **{names.SLOT_PROBLEM_PHOTO: PHOTO, names.SLOT_PROBLEM_CONFIRMED: True},
    )
    said, (dispatcher, events) = await run_report(slots, sender="conv-problem-sold-out")
    assert said == ["utter_problem_claim_refund_instead"]
    [claim] = [c for c in await claims_for("10011") if c.kind == "wrong_item"]
    assert claim.remedy == "refund"
    [paid] = fake_shop.data.orders["10011"].claim_refunds
    assert (paid.claim, paid.amount) == (claim.number, Decimal("29.00"))
    assert dispatcher.messages[0]["amount"] == "£29.00"
    assert events[names.SLOT_FLOW_OUTCOME]["detail"] == "refund_instead"
    assert [o for o in fake_shop.data.orders.values() if o.total == 0] == []


async def test_a_replacement_the_shop_refuses_goes_to_a_person_who_has_the_case(
    fake_shop: FakeShop, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def refused(number: str, replacement: Any) -> Any:
        raise OrderNotChangeable("refused", "the warehouse is closed for stocktaking")

    monkeypatch.setattr(fake_shop, "send_replacement", refused)
    slots = report("10011", "missing_item", "13", **{names.SLOT_PROBLEM_CONFIRMED: True})
    conversation = "conv-problem-replacement-refused"
    said, (dispatcher, events) = await run_report(slots, sender=conversation)
    assert said == ["utter_problem_claim_replacement_pending"]
    assert dispatcher.messages[0]["order_number"] == "10011"
    [claim] = [
        c for c in await claims_for("10011") if c.order_item_id == 13 and c.kind == "missing_item"
    ]
    assert (claim.state, claim.remedy) == ("open", "replacement")
    assert events[names.SLOT_FLOW_OUTCOME]["detail"] == "replacement_pending"
    assert fake_shop.data.orders["10011"].claim_refunds == ()
    assert fake_shop.data.stock["HOM-CNDL-FIG"] == 40
    packet = await build_context_packet(tracker(slots, sender=conversation), "policy")
    [case] = packet.policy_cases
    assert (case.topic, case.order_number) == ("claim", "10011")


async def test_no_at_the_question_opens_nothing(fake_shop: FakeShop) -> None:
    slots = report("10015", "missing_item", "20", **{names.SLOT_PROBLEM_CONFIRMED: False})
    said, (_, events) = await run_report(slots)
    assert said == ["utter_problem_kept"]
    assert events[names.SLOT_FLOW_OUTCOME] == {"flow": "claim", "outcome": "stopped"}
    assert await claims_for("10015") == []


async def test_a_return_first_is_recorded_as_awaiting_the_item(fake_shop: FakeShop) -> None:
    slots = report(
        "10014",
        "wrong_item",
        "18",
        **{names.SLOT_PROBLEM_PHOTO: PHOTO, names.SLOT_PROBLEM_CONFIRMED: True},
    )
    said, _ = await run_report(slots)
    assert said == ["utter_problem_claim_return"]
    [claim] = await claims_for("10014")
    assert (claim.state, claim.photo_upload_id, claim.amount) == (
        "awaiting_return",
        PHOTO,
        Decimal("59.00"),
    )


async def test_delivered_yesterday_the_customer_is_told_how_long_to_wait_and_where_to_look(
    fake_shop: FakeShop,
) -> None:
    said, (dispatcher, events) = await run_report(report("10101", "not_received"))
    assert said == ["utter_problem_wait"]
    message = dispatcher.messages[0]
    assert message["carrier"] == "Evri"
    assert "hours" in message["time_left"] or message["time_left"] == "an hour"
    assert message["where"].startswith("ask your neighbours")
    assert events[names.SLOT_FLOW_OUTCOME] == {
        "flow": "claim",
        "outcome": "refused",
        "detail": "wait",
    }
    assert await claims_for("10101") == []


async def test_an_item_in_the_parcel_still_on_its_way_gets_that_parcels_status(
    fake_shop: FakeShop,
) -> None:
    said, (dispatcher, _) = await run_report(report("10010", "missing_item", "12"))
    assert said == ["utter_problem_other_parcel"]
    assert dispatcher.messages[0]["carrier"] == "DPD Ireland"
    assert dispatcher.messages[0]["items"] == "Stoneware table lamp"


async def test_a_high_value_order_goes_to_a_person_with_the_case(fake_shop: FakeShop) -> None:
    slots = report("10086", "damaged", "150", **{names.SLOT_PROBLEM_PHOTO: PHOTO})
    conversation = "conv-problem-person"
    said, (_, events) = await run_report(slots, sender=conversation)
    assert said == ["utter_problem_person_high_value"]
    assert events[names.SLOT_HANDOFF_REASON] == "policy"
    assert events[names.SLOT_FLOW_OUTCOME] == {
        "flow": "claim",
        "outcome": "handoff",
        "detail": "high_value",
    }
    packet = await build_context_packet(tracker(slots, sender=conversation), "policy")
    [case] = packet.policy_cases
    assert (case.topic, case.reason, case.order_number) == ("claim", "high_value", "10086")
    assert case.details["photo"] == PHOTO
    assert packet.reason.text.endswith(
        "Delivery problem (damaged) on order 10086, Bamboo hairbrush: the order's total "
        "(454.00 GBP) is above what the chat settles"
    )


async def test_past_the_window_it_is_too_late_and_a_person_is_offered(fake_shop: FakeShop) -> None:
    said, (_, events) = await run_report(report("10013", "not_received"))
    assert said == ["utter_problem_too_late"]
    assert events[names.SLOT_HANDOFF_REASON] == "policy"
    assert events[names.SLOT_FLOW_OUTCOME]["outcome"] == "refused"


async def test_a_cancelled_order_has_nothing_to_claim_and_says_why(fake_shop: FakeShop) -> None:
    said, (dispatcher, _) = await run_report(report("10009", "not_received"))
    assert said == ["utter_problem_nothing_to_claim"]
    assert dispatcher.messages[0]["why"] == "it was cancelled"


async def test_someone_elses_order_is_never_claimed_without_the_proof(fake_shop: FakeShop) -> None:
    slots = {
        names.SLOT_ORDER_NUMBER: "10063",
        names.SLOT_PROBLEM_KIND: "not_received",
        names.SLOT_PROBLEM_CONFIRMED: True,
    }
    said, (_, events) = await run_report(slots, sender="conv-problem-x")
    assert said == ["utter_order_locked"]
    assert events[names.SLOT_FLOW_OUTCOME]["outcome"] == "stopped"
    assert await claims_for("10063") == []


@pytest.mark.parametrize(
    ("intent", "said", "detail"),
    [("deny", "utter_ok_stopped", "asked"), ("goodbye", "utter_goodbye", "left")],
)
async def test_stopping_or_leaving_a_report_is_recorded_as_stopped(
    intent: str, said: str, detail: str
) -> None:
    dispatcher = CollectingDispatcher()
    events = await ActionProblemStopped().run(dispatcher, tracker(intent=intent), {})
    assert responses(dispatcher) == [said]
    assert slot_events(events)[names.SLOT_FLOW_OUTCOME] == {
        "flow": "claim",
        "outcome": "stopped",
        "detail": detail,
    }

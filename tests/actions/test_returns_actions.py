"""The returns actions against a real (temporary, freshly seeded) SQLite store.

Business rules have their own tests with hand-built values; these check what only the
actions and the database together can: one return per confirmation however often it
arrives, proof before someone else's order, a case for a person recorded with what the
customer said, and messages that are no answer handed back to the rules.
"""

from __future__ import annotations

import asyncio
from typing import Any, Optional

import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy import func, select

from actions.returns import ValidateReturnForm
from actions.returns_submit import ActionSubmitReturn
from actions.store import tables as t
from actions.store.db import get_engine
from bot import names

DOMAIN: dict[str, Any] = {
    "forms": {
        "return_form": {
            "required_slots": [
                "return_order_number",
                "verification_value",
                "return_items",
                "return_reason",
                "return_method",
                "return_store",
                "return_refund_method",
                "return_confirmed",
            ]
        }
    }
}


@pytest.fixture(scope="module")
def store(baton_records: str) -> str:
    """A seeded store anchored today, so the showcase orders' windows are as documented
    (tests/actions/conftest.py)."""
    return baton_records


def tracker(
    slots: dict[str, Any],
    sender: str = "conv-1",
    text: str = "",
    intent: str = "inform",
    extracted: Optional[dict[str, Any]] = None,
) -> Tracker:
    """A tracker as the action server receives it; ``extracted`` are this turn's slot events."""
    events: list[dict[str, Any]] = [
        {"event": "user", "text": "I want to return something", "parse_data": {}},
        {"event": "user", "text": text, "parse_data": {"intent": {"name": intent}}},
    ]
    events += [{"event": "slot", "name": k, "value": v} for k, v in (extracted or {}).items()]
    return Tracker(
        sender,
        {**slots, **(extracted or {})},
        {"text": text, "intent": {"name": intent}, "entities": []},
        events,
        False,
        None,
        {"name": "return_form"},
        "action_listen",
    )


CONFIRMED = {
    names.SLOT_CUSTOMER_ID: "1",  # Jane, identified
    names.SLOT_RETURN_ORDER: "10011",
    names.SLOT_RETURN_ASSESSED_ORDER: "10011",
    names.SLOT_RETURN_ITEMS: "",  # filled per test with the candle's item id
    names.SLOT_RETURN_REASON: "doesnt_fit",
    names.SLOT_RETURN_METHOD: "carrier",
    names.SLOT_RETURN_REFUND_METHOD: "original_payment",
    names.SLOT_RETURN_CONFIRMED: True,
}


async def item_id(url: str, order: str, sku: str) -> int:
    async with get_engine(url).connect() as conn:
        return int(
            (
                await conn.execute(
                    select(t.order_items.c.id)
                    .join(t.orders, t.orders.c.id == t.order_items.c.order_id)
                    .where(t.orders.c.number == order, t.order_items.c.sku == sku)
                )
            ).scalar_one()
        )


async def returns_for(url: str, order: str) -> int:
    async with get_engine(url).connect() as conn:
        return int(
            (
                await conn.execute(
                    select(func.count())
                    .select_from(t.returns)
                    .join(t.orders, t.orders.c.id == t.returns.c.order_id)
                    .where(t.orders.c.number == order)
                )
            ).scalar_one()
        )


async def submit(slots: dict[str, Any], sender: str) -> list[dict[str, Any]]:
    dispatcher = CollectingDispatcher()
    await ActionSubmitReturn().run(dispatcher, tracker(slots, sender), {})
    return dispatcher.messages


async def test_the_same_confirmation_twice_creates_one_return(store: str) -> None:
    candle = await item_id(store, "10011", "HOM-CNDL-FIG")
    slots = {**CONFIRMED, names.SLOT_RETURN_ITEMS: f"{candle}x1"}
    before = await returns_for(store, "10011")

    first = await submit(slots, "conv-twice")
    again = await submit(slots, "conv-twice")  # a double click, a channel retry

    assert first[0]["response"] == again[0]["response"] == "utter_return_created_carrier"
    assert first[0]["rma"] == again[0]["rma"]
    assert first[0]["label_url"] == again[0]["label_url"]
    assert await returns_for(store, "10011") == before + 1


async def test_the_same_confirmation_at_the_same_moment_creates_one_return(store: str) -> None:
    tee = await item_id(store, "10011", "CLO-TEE-WHT")
    slots = {
        **CONFIRMED,
        names.SLOT_RETURN_ITEMS: f"{tee}x1",
        names.SLOT_RETURN_METHOD: "drop_off",
        names.SLOT_RETURN_STORE: "1",
    }
    before = await returns_for(store, "10011")

    results = await asyncio.gather(*(submit(slots, "conv-race") for _ in range(3)))

    assert {r[0]["rma"] for r in results} == {results[0][0]["rma"]}
    assert all(r[0]["response"] == "utter_return_created_drop_off" for r in results)
    assert await returns_for(store, "10011") == before + 1


async def test_items_returned_meanwhile_from_another_chat_are_refused_at_confirmation(
    store: str,
) -> None:
    bulbs = await item_id(store, "10011", "ELE-BULB-2PK")
    slots = {**CONFIRMED, names.SLOT_RETURN_ITEMS: f"{bulbs}x1"}
    made = await submit(slots, "conv-a")
    assert made[0]["response"] == "utter_return_created_carrier"

    other = await submit(slots, "conv-b")  # the same pick, confirmed in another conversation

    assert other[0]["response"] == "utter_return_refused_already_returned"
    assert other[0]["rma"] == made[0]["rma"]


async def test_someone_elses_order_needs_proof_even_for_an_identified_customer(store: str) -> None:
    form = ValidateReturnForm()
    slots = {names.SLOT_CUSTOMER_ID: "1", names.SLOT_RETURN_ORDER: "10013"}  # Priya's order
    required = await form.required_slots(
        DOMAIN["forms"]["return_form"]["required_slots"], CollectingDispatcher(), tracker(slots), {}
    )
    assert required[:2] == [names.SLOT_RETURN_ORDER, names.SLOT_VERIFICATION]

    dispatcher = CollectingDispatcher()
    result = await form.validate_verification_value(
        "jane.doe@example.com", dispatcher, tracker(slots, sender="conv-jane"), {}
    )
    assert [m["response"] for m in dispatcher.messages] == ["utter_verification_failed"]
    assert names.SLOT_RETURN_ASSESSED_ORDER not in result
    assert names.SLOT_VERIFIED_ORDERS not in result


async def test_cancel_typed_at_any_step_ends_the_form(store: str) -> None:
    form = ValidateReturnForm()
    slots = {names.SLOT_CUSTOMER_ID: "1", names.SLOT_RETURN_ORDER: "10011"}
    result = await form.validate_return_reason(
        "cancel", CollectingDispatcher(), tracker(slots, intent="out_of_scope"), {}
    )
    assert result[names.SLOT_RETURN_OUTCOME] == "cancelled"
    required = await form.required_slots(
        [], CollectingDispatcher(), tracker({**slots, **result}), {}
    )
    assert required == []


async def test_a_question_instead_of_an_answer_goes_back_to_the_rules(store: str) -> None:
    slots = {
        names.SLOT_CUSTOMER_ID: "1",
        names.SLOT_RETURN_ORDER: "10011",
        names.SLOT_RETURN_ASSESSED_ORDER: "10011",
        "requested_slot": names.SLOT_RETURN_ITEMS,
    }
    dispatcher = CollectingDispatcher()
    events = await ValidateReturnForm().run(
        dispatcher,
        tracker(
            slots,
            text="are you a bot?",
            intent="bot_challenge",
            extracted={names.SLOT_RETURN_ITEMS: "are you a bot?"},
        ),
        DOMAIN,
    )
    assert {"event": "slot", "name": names.SLOT_RETURN_ITEMS, "value": None} in [
        {k: e.get(k) for k in ("event", "name", "value")} for e in events
    ]
    assert events[-1]["event"] == "action_execution_rejected"
    assert events[-1]["name"] == "return_form"
    assert dispatcher.messages == []  # the rule answers, not the form


async def test_an_answer_that_looks_like_a_deny_is_still_an_answer(store: str) -> None:
    slots = {
        names.SLOT_CUSTOMER_ID: "1",
        names.SLOT_RETURN_ORDER: "10011",
        names.SLOT_RETURN_ASSESSED_ORDER: "10011",
        "requested_slot": names.SLOT_RETURN_REASON,
    }
    events = await ValidateReturnForm().run(
        CollectingDispatcher(),
        tracker(
            slots,
            text="wrong item",
            intent="deny",
            extracted={names.SLOT_RETURN_REASON: "wrong item"},
        ),
        DOMAIN,
    )
    assert all(e["event"] != "action_execution_rejected" for e in events)
    assert {"event": "slot", "name": names.SLOT_RETURN_REASON, "value": "wrong_item"} in [
        {k: e.get(k) for k in ("event", "name", "value")} for e in events
    ]


async def test_damaged_on_arrival_is_recorded_for_a_person_with_what_was_said(store: str) -> None:
    clock = await item_id(store, "10014", "ELE-CLCK-SUN")
    slots = {
        names.SLOT_CUSTOMER_ID: "4",
        names.SLOT_RETURN_ORDER: "10014",
        names.SLOT_RETURN_ASSESSED_ORDER: "10014",
        names.SLOT_RETURN_ITEMS: f"{clock}x1",
    }
    dispatcher = CollectingDispatcher()
    result = await ValidateReturnForm().validate_return_reason(
        "the screen arrived cracked",
        dispatcher,
        tracker(slots, sender="conv-damaged", text="the screen arrived cracked"),
        {},
    )
    assert result[names.SLOT_RETURN_OUTCOME] == "person"
    assert result[names.SLOT_HANDOFF_REASON] == "policy"
    assert [m["response"] for m in dispatcher.messages] == [
        "utter_return_person_damaged_on_arrival",
        "utter_return_offer_person",
    ]
    async with get_engine(store).connect() as conn:
        row = (
            await conn.execute(
                select(t.handoff_requests).where(
                    t.handoff_requests.c.conversation_id == "conv-damaged"
                )
            )
        ).one()
    assert (row.topic, row.reason, row.order_number, row.status) == (
        "return",
        "damaged_on_arrival",
        "10014",
        "open",
    )
    assert "the screen arrived cracked" in row.details["customer_messages"]
    assert row.details["answers"]["reason"] == "Arrived damaged or faulty"
    assert row.details["answers"]["reason_note"] == "the screen arrived cracked"
    assert row.details["order"]["number"] == "10014"
    assert [i["name"] for i in row.details["items"]] == ["Sunrise alarm clock"]


def with_entities(t: Tracker, *entities: tuple[str, str]) -> Tracker:
    t.latest_message["entities"] = [{"entity": name, "value": value} for name, value in entities]
    return t


async def test_a_proof_in_the_first_message_is_taken_and_checked(store: str) -> None:
    """ "I want to return something from order 10013, priya.shah@example.com": no question."""
    slots = {names.SLOT_RETURN_ORDER: "10013"}
    first = with_entities(
        tracker(slots, sender="conv-upfront", intent="return_item"),
        ("order_number", "10013"),
        ("email", "priya.shah@example.com"),
    )
    form = ValidateReturnForm()
    extracted = await form.extract_verification_value(CollectingDispatcher(), first, DOMAIN)
    assert extracted == {names.SLOT_VERIFICATION: "priya.shah@example.com"}
    result = await form.validate_verification_value(
        extracted[names.SLOT_VERIFICATION], CollectingDispatcher(), first, DOMAIN
    )
    assert "10013" in result[names.SLOT_VERIFIED_ORDERS]


async def test_a_proof_is_not_taken_twice_once_the_form_asks_for_it(store: str) -> None:
    slots = {names.SLOT_RETURN_ORDER: "10013", "requested_slot": names.SLOT_VERIFICATION}
    answer = with_entities(tracker(slots, intent="inform"), ("email", "priya.shah@example.com"))
    assert (
        await ValidateReturnForm().extract_verification_value(
            CollectingDispatcher(), answer, DOMAIN
        )
        == {}
    )  # the domain's own mapping takes the answer


async def test_cancel_typed_when_asked_for_the_proof_ends_the_return(store: str) -> None:
    slots = {names.SLOT_RETURN_ORDER: "10013", "requested_slot": names.SLOT_VERIFICATION}
    dispatcher = CollectingDispatcher()
    result = await ValidateReturnForm().validate_verification_value(
        "cancel", dispatcher, tracker(slots, text="cancel", intent="cancel_order"), DOMAIN
    )
    assert result[names.SLOT_RETURN_OUTCOME] == "cancelled"
    assert "utter_verification_failed" not in [m.get("response") for m in dispatcher.messages]


async def test_a_shop_question_when_asked_for_the_proof_is_no_failed_proof(store: str) -> None:
    slots = {
        names.SLOT_RETURN_ORDER: "10013",
        "requested_slot": names.SLOT_VERIFICATION,
    }
    dispatcher = CollectingDispatcher()
    events = await ValidateReturnForm().run(
        dispatcher,
        tracker(
            slots,
            sender="conv-aside",
            text="do you take paypal",
            intent="payment",
            extracted={names.SLOT_VERIFICATION: "do you take paypal"},
        ),
        DOMAIN,
    )
    assert events[-1]["event"] == "action_execution_rejected"  # the rules answer it
    assert "utter_verification_failed" not in [m.get("response") for m in dispatcher.messages]

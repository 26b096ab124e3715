"""The context packet's parts, and the handoff rules the actions use."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from decimal import Decimal

from actions.csat import parse_rating
from actions.services import context
from actions.services.handoff import handoff_reason, waiting_reply
from actions.store.models import (
    Address,
    ClaimRefundPaid,
    Customer,
    Order,
    OrderItem,
    Shipment,
    TrackingEvent,
)

EVENTS = [
    {"event": "action", "name": "action_session_start", "timestamp": 1000.0},
    {
        "event": "user",
        "timestamp": 1001.0,
        "text": "where is 10001",
        "input_channel": "webchat",
        "metadata": {"channel": "webchat", "channel_user_id": "abc", "display_name": None},
        "parse_data": {
            "intent": {"name": "order_status", "confidence": 0.97},
            "intent_ranking": [
                {"name": "order_status", "confidence": 0.97},
                {"name": "inform", "confidence": 0.02},
            ],
            "entities": [{"entity": "order_number", "value": "10001"}],
        },
    },
    {
        "event": "bot",
        "timestamp": 1002.0,
        "text": "Which one?",
        "data": {
            "buttons": [{"title": "10001 · lamp", "payload": '/inform{"order_number":"10001"}'}]
        },
        "metadata": {"utter_action": "utter_choose_order"},
    },
    {
        "event": "user",
        "timestamp": 1003.0,
        "text": '/inform{"order_number":"10001"}',
        "parse_data": {"intent": {"name": "inform", "confidence": 1.0}},
    },
    {"event": "user", "timestamp": 1004.0, "text": "/internal_payload", "parse_data": {}},
    {
        "event": "bot",
        "timestamp": 1005.0,
        "text": "Sam here, looking now",
        "data": {},
        "metadata": {"agent_name": "Sam"},
    },
]


def test_the_transcript_shows_both_sides_with_button_titles_and_agents() -> None:
    lines = context.transcript(EVENTS)
    assert [(m["sender"], m["text"]) for m in lines] == [
        ("user", "where is 10001"),
        ("bot", "Which one?"),
        ("user", "10001 · lamp"),
        ("agent", "Sam here, looking now"),
    ]
    assert lines[0]["intent"] == "order_status" and lines[0]["confidence"] == 0.97
    assert lines[-1]["agent_name"] == "Sam"


def test_intents_come_with_confidence_runners_up_and_entities() -> None:
    intents = context.recognised_intents(EVENTS)
    assert intents[0]["ranking"][1] == {"intent": "inform", "confidence": 0.02}
    assert intents[0]["entities"] == [{"entity": "order_number", "value": "10001"}]


def test_what_the_bot_knows_leaves_out_plumbing_and_says_if_the_order_is_verified() -> None:
    known = context.bot_knowledge(
        {
            "order_number": "10001",
            "verified_orders": ["10001"],
            "requested_slot": "verification_value",
            "verification_value": "jane@example.com",
            "customer_identified": False,
            "return_reason": "damaged",
        }
    )
    assert known["order_verified"] is True
    assert known["return_reason"] == "damaged"
    assert "requested_slot" not in known and "verification_value" not in known


def test_conversation_info_has_channel_and_waiting_time() -> None:
    info = context.conversation_info("abc", EVENTS, None, datetime.utcfromtimestamp(1061.0))
    assert info["channel"] == "webchat" and info["channel_user_id"] == "abc"
    assert info["in_conversation_seconds"] == 60


def test_orders_carry_items_totals_state_and_tracking() -> None:
    order = Order(
        id=1,
        number="10001",
        customer_id=1,
        status="shipped",
        placed_at=datetime(2026, 11, 19, 19, 24),
        paid_at=None,
        currency="GBP",
        subtotal=Decimal("49.00"),
        shipping_fee=Decimal("3.95"),
        total=Decimal("52.95"),
        expected_dispatch=None,
        promised_delivery=None,
        cancelled_at=None,
        cancellation_reason=None,
        payment_status="paid",
        refunded_at=None,
        payment_method="Visa ending 4242",
        shipping_address=Address("14 Abbey Road", None, "London", "SW1A 1AA", "GB"),
        email="jane.doe@example.com",
        items=(OrderItem(1, "LAMP", "Stoneware table lamp", "homeware", 1, Decimal("49.00")),),
        shipments=(
            Shipment(
                1,
                "DPD",
                "155",
                "https://track.example/155",
                "in_transit",
                None,
                None,
                None,
                None,
                (TrackingEvent(datetime(2026, 11, 21), "in_transit", "At hub", "Hinckley"),),
            ),
        ),
    )
    section = context.order_section(order)
    assert section["total"] == "£52.95" and section["status"] == "shipped"
    assert section["items"][0]["name"] == "Stoneware table lamp"
    assert section["shipments"][0]["tracking_url"] == "https://track.example/155"
    assert section["shipments"][0]["events"][0]["location"] == "Hinckley"


def test_a_claims_refund_is_listed_with_what_came_back_not_the_orders_total() -> None:
    paid = ClaimRefundPaid(
        "CLM-30001", Decimal("22.00"), "GBP", "Visa ending 4242", datetime(2026, 11, 25, 9, 30)
    )
    delivered = Order(
        1, "10011", 1, "delivered", datetime(2026, 11, 19), datetime(2026, 11, 19), "GBP",
        Decimal("75.99"), Decimal("0.00"), Decimal("75.99"), None, None, None, None,
        "partially_refunded", paid.refunded_at, "Visa ending 4242",
        Address("14 Abbey Road", None, "London", "SW1A 1AA", "GB"), "jane.doe@example.com",
        claim_refunds=(paid,),
    )  # fmt: skip
    expected = {
        "order_number": "10011",
        "amount": "£22.00",
        "status": "refunded",
        "refunded_at": "2026-11-25T09:30:00",
        "method": "Visa ending 4242",
    }
    assert context.refunds_from_orders([delivered]) == [expected]
    # refunded in full by its claims: still what each claim paid back, once
    whole = replace(delivered, payment_status="refunded")
    assert context.refunds_from_orders([whole]) == [expected]
    assert context.refunds_from_orders([replace(whole, claim_refunds=())])[0]["amount"] == "£75.99"


def test_a_customer_profile_lists_every_linked_identity() -> None:
    customer = Customer(1, "Jane", "Doe", "jane.doe@example.com", "+447700900001", "SW1A 1AA")
    section = context.customer_section(customer, "webchat", "abc")
    assert section is not None
    channels = [i["channel"] for i in section["identities"]]
    assert channels == ["webchat", "slack", "whatsapp", "webchat"]
    assert section["identities"][2]["id"] == "whatsapp:+447700900001"
    assert context.customer_section(None, "webchat", "abc") is None


def test_why_we_hand_off() -> None:
    assert handoff_reason("human_handoff", None) == "customer_asked"
    assert handoff_reason("complain", None) == "complaint"
    assert handoff_reason("nlu_fallback", None) == "misunderstood"
    # accepting the offer after a failure keeps the failure as the reason
    assert handoff_reason("human_handoff", "action_failed") == "action_failed"
    # ...but a complaint speaks for itself
    assert handoff_reason("complain", "action_failed") == "complaint"


def test_honest_waiting_messages() -> None:
    queued = waiting_reply(
        {"open_now": True, "agents_online": 2, "position": 3, "estimate_minutes": 6}
    )
    assert queued.response == "utter_handoff_queued"
    assert queued.params == {"queue_place": "number 3 in the queue", "estimate": "about 6 minutes"}
    nobody = waiting_reply({"open_now": True, "agents_online": 0, "business_hours": "9–6"})
    assert nobody.response == "utter_handoff_no_agents"
    assert nobody.params == {"hours_note": " (we're usually here 9–6)"}
    always = waiting_reply(
        {"open_now": True, "agents_online": 0, "business_hours": "around the clock"}
    )
    assert always.params == {"hours_note": ""}
    closed = waiting_reply(
        {"open_now": False, "agents_online": 1, "next_opening": "Monday at 09:00"}
    )
    assert closed.response == "utter_handoff_after_hours"
    assert closed.params["next_opening"] == "Monday at 09:00"
    first = waiting_reply(
        {"open_now": True, "agents_online": 1, "position": 1, "estimate_minutes": 1}
    )
    assert first.params["queue_place"] == "next in line"


def test_ratings_are_read_from_buttons_and_words() -> None:
    assert parse_rating('/rate{"rating": "4"}', [{"entity": "rating", "value": "4"}]) == 4
    for text, expected in [
        ("5", 5),
        ("4/5", 4),
        ("3 out of 5", 3),
        ("four stars", 4),
        ("⭐⭐", 2),
        ("full marks", 5),
        ("I'd give it a 1", 1),
        ("it was fine", None),
        ("order 10001", None),
    ]:
        assert parse_rating(text, []) == expected, text

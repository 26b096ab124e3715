"""The context packet's contract (contracts/packet.py): built once, read typed, checked on
receipt, and every stored packet still readable. No model, no server."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from contracts.packet import (
    PACKET_VERSION,
    Attachment,
    Claim,
    ContextPacket,
    Conversation,
    Customer,
    Language,
    Order,
    PacketError,
    TranscriptLine,
    build_packet,
    fallback_packet,
    parse_packet,
    validate_packet,
)

#: A packet as action_handoff stored it before the packet was typed: no ``version`` key, no
#: ``policy_cases``, a transcript line with null intent and one with buttons.
LEGACY: dict[str, Any] = {
    "reason": {"code": "policy", "text": "A case the policy leaves to a person"},
    "language": {"code": "ko", "name": "한국어 (Korean)"},
    "conversation": {
        "id": "conv-legacy",
        "channel": "webchat",
        "channel_user_id": "visitor-7",
        "display_name": "Jane",
        "started_at": "2026-11-23T10:00:00+00:00",
        "first_message_at": "2026-11-23T10:00:01+00:00",
        "requested_at": "2026-11-23T10:05:00+00:00",
        "in_conversation_seconds": 299,
    },
    "customer": {
        "id": "1",
        "name": "Jane Doe",
        "first_name": "Jane",
        "email": "jane.doe@example.com",
        "phone": None,
        "postal_code": "10115",
        "identities": [
            {"channel": "webchat", "id": "visitor-7", "note": "this conversation", "current": True},
            {"channel": "slack", "id": "jane.doe@example.com", "note": "matched by e-mail"},
        ],
    },
    "customer_identified": True,
    "orders": [
        {
            "number": "LL-10001",
            "verified": True,
            "status": "shipped",
            "total": "49.00 EUR",
            "shipping_address": {"line1": "Main St 1", "city": "Berlin", "country": "DE"},
            "items": [{"sku": "A1", "name": "Lamp", "quantity": 1, "final_sale": False}],
            "shipments": [
                {
                    "carrier": "DHL",
                    "tracking_number": "123",
                    "tracking_url": "https://example.com/t/123",
                    "contents": [{"name": "Lamp", "quantity": 1}],
                    "events": [{"at": "2026-11-22", "status": "in_transit"}],
                }
            ],
        }
    ],
    "returns": [],
    "refunds": [
        {
            "order_number": "LL-9",
            "amount": "5.00 EUR",
            "status": "pending",
            "refunded_at": None,
            "method": "card",
        }
    ],
    "transcript": [
        {"sender": "user", "text": "where is it", "at": None, "intent": None, "confidence": None},
        {"sender": "bot", "text": "Which order?", "at": None, "buttons": ["LL-10001"]},
        {"sender": "agent", "text": "Hi", "at": None, "agent_name": "Sam"},
    ],
    "recent_conversations": [
        {
            "conversation_id": "old",
            "channel": "whatsapp",
            "last_at": 1700000000.5,
            "messages": [{"sender": "user", "text": "hello", "at": 1700000000.5}],
        }
    ],
    "bot_knows": {"order_number": "LL-10001", "order_verified": True},
    "intents": [
        {
            "text": "where is it",
            "intent": "order_status",
            "confidence": 0.91,
            "ranking": [{"intent": "order_status", "confidence": 0.91}],
            "entities": [{"entity": "order_number", "value": "LL-10001"}],
        }
    ],
    "notes": [],
}


def _built(**overrides: Any) -> ContextPacket:
    parts: dict[str, Any] = {
        "reason": "customer_asked",
        "reason_text": "The customer asked for a person",
        "conversation": {"id": "conv-1", "channel": "whatsapp"},
        "language": {"code": "zh", "name": "中文 (Chinese)"},
        "customer": LEGACY["customer"],
        "orders": LEGACY["orders"],
        "transcript": LEGACY["transcript"],
        "intents": LEGACY["intents"],
        "bot_knows": {"order_number": "LL-10001"},
        "policy_cases": [{"id": 3, "topic": "return", "summary": "late", "details": {"d": 40}}],
        **overrides,
    }
    return build_packet(**parts)


def test_the_builder_makes_a_typed_packet_of_the_current_version() -> None:
    packet = _built()
    assert packet.version == PACKET_VERSION == 1
    assert packet.conversation == Conversation(id="conv-1", channel="whatsapp")
    assert packet.language == Language(code="zh", name="中文 (Chinese)")
    assert isinstance(packet.customer, Customer) and packet.customer_identified
    assert packet.orders[0].shipments[0].tracking_number == "123"
    assert packet.transcript[1] == TranscriptLine(
        sender="bot", text="Which order?", buttons=["LL-10001"]
    )
    assert packet.policy_cases[0].details == {"d": 40}
    assert packet.notes == []


def test_a_built_packet_survives_the_wire_and_the_database() -> None:
    packet = _built()
    assert parse_packet(json.loads(packet.to_json())) == packet
    assert ContextPacket.from_json(packet.to_json()) == packet
    assert ContextPacket.from_stored(packet.to_dict()) == packet


def test_a_part_that_does_not_fit_is_left_out_and_named_not_fatal() -> None:
    packet = _built(
        conversation={"id": "conv-2", "channel": "webchat", "channel_user_id": 42},
        orders=[{"number": "LL-1", "total": 49.0}, "not an order"],
    )
    assert packet.conversation.channel_user_id is None
    assert packet.orders == [Order(number="LL-1")]
    [note] = packet.notes
    assert "conversation.channel_user_id" in note and "orders[0].total" in note
    assert "orders[1]" in note
    assert "42" not in note and "49" not in note  # where, never the value
    assert validate_packet(packet.to_dict()) == []  # what the builder makes is accepted


def test_a_packet_needs_a_conversation_id_to_be_built() -> None:
    with pytest.raises(ValueError, match="conversation"):
        _built(conversation={"channel": "webchat"})


def test_the_old_shape_without_a_version_reads_as_version_1() -> None:
    assert validate_packet(LEGACY) == []
    packet = parse_packet(LEGACY)
    assert packet.version == 1
    assert packet.customer is not None and packet.customer.identities[0].current is True
    assert packet.recent_conversations[0].messages[0].at == 1700000000.5
    assert packet.policy_cases == []


def test_the_json_keeps_the_keys_readers_already_use() -> None:
    again = parse_packet(LEGACY).to_dict()
    assert again["version"] == 1
    for key, value in LEGACY.items():
        if key in ("orders", "transcript", "customer"):
            continue
        assert again[key] == value, key
    assert again["customer"]["identities"] == LEGACY["customer"]["identities"]
    assert again["orders"][0]["shipments"][0]["tracking_url"] == "https://example.com/t/123"
    # keys that were only sent when set are still only there when set
    assert again["transcript"][0] == {"sender": "user", "text": "where is it", "at": None}
    assert again["transcript"][2]["agent_name"] == "Sam"
    assert "agent_name" not in again["transcript"][1]


def test_keys_this_version_does_not_know_are_kept() -> None:
    packet = parse_packet({**LEGACY, "loyalty": {"tier": "gold"}})
    assert packet.to_dict()["loyalty"] == {"tier": "gold"}


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        ([1, 2], "send the context packet as JSON"),
        ({**LEGACY, "version": 2}, "context packet version 2 is not supported"),
        ({**LEGACY, "version": "1"}, "version is not a whole number"),
        ({**LEGACY, "version": True}, "version is not a whole number"),
        ({"version": 1, "conversation": {}}, "the context packet has no conversation id"),
        ({"version": 1, "conversation": "conv-1"}, "the context packet has no conversation id"),
        ({**LEGACY, "customer": "Jane"}, "customer: expected an object, got text"),
        ({**LEGACY, "orders": {"number": "x"}}, "orders: expected a list, got an object"),
        (
            {**LEGACY, "transcript": [{"sender": "user", "text": 5}]},
            "transcript[0].text: expected text, got a number",
        ),
        (
            {**LEGACY, "intents": [{"confidence": "high"}]},
            "intents[0].confidence: expected a number, got text",
        ),
    ],
)
def test_a_malformed_or_foreign_packet_is_refused_with_where(data: Any, reason: str) -> None:
    with pytest.raises(PacketError) as refused:
        parse_packet(data)
    assert reason in str(refused.value)
    assert "jane.doe@example.com" not in str(refused.value)


def test_null_where_a_default_exists_is_the_default_not_a_refusal() -> None:
    packet = parse_packet({"conversation": {"id": "c", "channel": None}, "orders": None})
    assert packet.conversation.channel == "unknown" and packet.orders == []


def test_every_stored_packet_renders_whatever_its_age() -> None:
    assert ContextPacket.from_stored({}).conversation.id == ""  # seeded without context
    assert ContextPacket.from_stored(None).orders == []
    broken = ContextPacket.from_stored({**LEGACY, "version": 7, "customer": "Jane"})
    assert broken.customer is None and broken.orders[0].number == "LL-10001"


def test_the_fallback_packet_keeps_what_a_ticket_needs_and_says_why() -> None:
    packet = _built()
    fallback = fallback_packet(packet, "context packet version 2 is not supported")
    assert validate_packet(fallback.to_dict()) == []
    assert fallback.conversation == packet.conversation
    assert fallback.reason == packet.reason and fallback.language == packet.language
    assert fallback.customer == Customer(id="1", name="Jane Doe")
    assert fallback.orders == [] and fallback.transcript == []
    assert "version 2 is not supported" in fallback.notes[-1]


_json = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=5),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner),
    max_leaves=20,
)
_keys = st.sampled_from(
    ["version", "conversation", "id", "customer", "orders", "transcript", "language", "reason"]
)


@settings(max_examples=60, deadline=None)
@given(
    body=st.one_of(
        _json,
        st.dictionaries(_keys, _json),
        st.builds(
            lambda extra: {**LEGACY, **extra},
            st.dictionaries(_keys | st.sampled_from(list(LEGACY)), _json, max_size=3),
        ),
    )
)
def test_any_json_is_accepted_or_refused_with_a_reason_never_an_error(body: Any) -> None:
    try:
        packet = parse_packet(body)
    except PacketError as refused:
        assert str(refused)
    else:
        assert parse_packet(packet.to_dict()) == packet
    ContextPacket.from_stored(body).to_json()  # the database side never fails either


def test_a_customers_photo_stays_on_its_transcript_line_for_the_console() -> None:
    """The console draws a thumbnail from the line's ``attachments``: a packet that dropped
    them showed agents only "[photo]"."""
    photo = {"kind": "image", "content_type": "image/png", "bytes": 812, "path": "uploads/c/a.png"}
    packet = build_packet(
        reason="customer_asked",
        reason_text="The customer asked for a person",
        conversation={"id": "conv-photo", "channel": "webchat"},
        transcript=[{"sender": "user", "text": "[photo]", "attachments": [photo]}],
    )
    assert packet.notes == []
    [line] = packet.to_dict()["transcript"]
    assert line["attachments"] == [photo]
    assert parse_packet(json.loads(packet.to_json())) == packet


def test_an_address_change_travels_on_its_order_and_the_version_stays_1() -> None:
    from actions.services.context import order_section
    from tests.actions.fixtures import order

    changed = order(
        "paid",
        address_changed_at=datetime(2026, 11, 21, 15, 0),
        address_changed_by="customer via chat",
    )
    packet = _built(orders=[order_section(changed), order_section(order("paid"))])
    assert packet.version == 1
    moved, never = packet.orders
    assert (moved.address_changed_at, moved.address_changed_by) == (
        "2026-11-21T15:00:00",
        "customer via chat",
    )
    assert never.address_changed_at is None
    wire = json.loads(packet.to_json())
    assert "address_changed_at" not in wire["orders"][1]  # left out when it never changed
    assert parse_packet(wire) == packet
    # A reader that knew nothing of it (an older stored packet) still reads the order.
    del wire["orders"][0]["address_changed_at"], wire["orders"][0]["address_changed_by"]
    assert parse_packet(wire).orders[0].address_changed_at is None


#: Two claims as action_handoff writes them (actions/services/claims_context.py), newest first:
#: one with its photo, one for a whole parcel (no item, no photo).
CLAIMS: list[dict[str, Any]] = [
    {
        "number": "CLM-30002",
        "order_number": "LL-10001",
        "kind": "damaged",
        "item": "Lamp",
        "quantity": 1,
        "remedy": "replacement",
        "amount": "49.00 EUR",
        "state": "awaiting_return",
        "created_at": "2026-11-23T10:04:00+00:00",
        "photo_attached": True,
        "photo": {"kind": "image", "content_type": "image/jpeg", "path": "uploads/c/a.jpg"},
    },
    {
        "number": "CLM-30001",
        "order_number": "LL-10001",
        "kind": "not_received",
        "item": None,
        "quantity": None,
        "remedy": "refund",
        "amount": "49.00 EUR",
        "state": "settled",
        "created_at": "2026-11-20T09:00:00+00:00",
        "photo_attached": False,
    },
]


def test_claims_survive_the_wire_and_the_database_with_their_photo_reference() -> None:
    packet = _built(claims=CLAIMS)
    assert packet.notes == []
    damaged, parcel = packet.claims
    assert damaged.number == "CLM-30002" and damaged.state == "awaiting_return"
    assert damaged.photo == Attachment(
        kind="image", content_type="image/jpeg", path="uploads/c/a.jpg"
    )
    assert parcel == Claim(**CLAIMS[1])
    wire = json.loads(packet.to_json())
    assert wire["claims"] == CLAIMS  # no photo: the key is left out, as on transcript lines
    assert parse_packet(wire) == packet
    assert ContextPacket.from_stored(packet.to_dict()) == packet


def test_a_packet_from_before_claims_still_parses_with_none_and_the_version_stays_1() -> None:
    assert "claims" not in LEGACY
    assert validate_packet(LEGACY) == []
    packet = parse_packet(LEGACY)
    assert packet.version == 1 and packet.claims == []
    assert ContextPacket.from_stored(LEGACY).claims == []


@pytest.mark.parametrize(
    ("claims", "reason"),
    [
        ({"number": "CLM-30001"}, "claims: expected a list, got an object"),
        (["CLM-30001"], "claims[0]: expected an object, got text"),
        ([{"order_number": "LL-10001"}], "claims[0].number: missing"),
        ([{"number": "CLM-30001"}], "claims[0].order_number: missing"),
        ([{**CLAIMS[1], "amount": 49.0}], "claims[0].amount: expected text, got a number"),
        ([{**CLAIMS[1], "photo_attached": "yes"}], "claims[0].photo_attached: expected true"),
        (
            [CLAIMS[1], {**CLAIMS[0], "photo": "uploads/c/a.jpg"}],
            "claims[1].photo: expected an object, got text",
        ),
    ],
)
def test_a_malformed_claim_is_refused_saying_where(claims: Any, reason: str) -> None:
    with pytest.raises(PacketError) as refused:
        parse_packet({**LEGACY, "claims": claims})
    assert reason in str(refused.value)
    assert "49" not in str(refused.value) and "uploads" not in str(refused.value)


def test_the_builder_notes_a_claim_that_does_not_fit_and_keeps_the_others() -> None:
    packet = _built(claims=[{**CLAIMS[0], "quantity": "one"}, "CLM-9", CLAIMS[1]])
    assert [c.number for c in packet.claims] == ["CLM-30002", "CLM-30001"]
    assert packet.claims[0].quantity is None
    [note] = packet.notes
    assert "claims[0].quantity" in note and "claims[1]" in note
    assert validate_packet(packet.to_dict()) == []

"""The claims an agent sees in the handoff packet (actions/handoff.py with
actions/services/claims_context.py): the claims of the orders the packet shows, newest first,
with the photo only where the order's ownership is proven. The real packet builder on the
in-memory shop and a temp SQLite store for the claims; no server."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from decimal import Decimal
from typing import Any

import pytest

from actions import handoff
from actions.services import claims_context
from actions.services.problems import idempotency_key
from actions.shop.current import use_shop
from actions.store.claims import NewClaim
from actions.store.models import Customer, OrderItem
from actions.store.uow import unit_of_work
from bot import names
from tests.actions.fixtures import order
from tests.support.fake_shop import FakeShop
from tests.support.trackers import tracker

JANE = Customer(41, "Jane", "Doe", "jane.doe@example.com", None, "SW1A 1AA")
DUVET = OrderItem(1, "HW-1", "Linen duvet cover", "bedding", 1, Decimal("79.00"))
MUGS = OrderItem(3, "HW-3", "Stoneware mug", "kitchen", 2, Decimal("8.00"))
PHOTO = "uploads/conv-claims-1/0123456789abcdef0123456789abcdef.jpg"


def claim(number: str, kind: str, at: datetime, **kw: Any) -> NewClaim:
    item = kw.get("order_item_id")
    fields: dict[str, Any] = dict(
        idempotency_key=idempotency_key(number, kind, item),
        order_number=number,
        kind=kind,
        reason="keep_item" if item else "not_received",
        remedy="replacement",
        amount=Decimal("16.00"),
        currency="GBP",
        created_at=at,
        conversation_id="conv-claims-1",
    )
    return NewClaim(**{**fields, **kw})


@pytest.fixture
def shop(baton_records: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeShop]:
    """Jane with two orders (70001 split, 70002 one parcel); 70009 is someone else's."""
    shop = FakeShop()
    shop.add_customer(JANE)
    shop.add_order(order("delivered", id=71, number="70001", customer_id=41, items=(DUVET, MUGS)))
    shop.add_order(order("delivered", id=72, number="70002", customer_id=41))
    shop.add_order(order("delivered", id=79, number="70009", customer_id=7, items=(MUGS,)))

    async def no_earlier_conversations(*args: Any, **kwargs: Any) -> list[Any]:
        return []

    monkeypatch.setattr(handoff, "recent_conversations", no_earlier_conversations)
    with use_shop(shop):
        yield shop


async def record(*new: NewClaim) -> None:
    async with unit_of_work() as repo:
        for one in new:
            await repo.create_claim(one)


async def test_the_handoff_packet_lists_the_customers_claims_newest_first(shop: FakeShop) -> None:
    await record(
        claim("70001", "not_received", datetime(2026, 11, 20, 9, 0), remedy="refund"),
        claim(
            "70001",
            "damaged",
            datetime(2026, 11, 22, 10, 0),
            order_item_id=3,
            quantity=2,
            state="awaiting_return",
            photo_upload_id=PHOTO,
        ),
        claim("70002", "missing_item", datetime(2026, 11, 21, 8, 30), order_item_id=1),
    )
    asked = tracker({names.SLOT_CUSTOMER_ID: "41"}, sender="conv-claims-1")

    packet = await handoff.build_context_packet(asked, "customer_asked")

    assert packet.notes == []
    assert [(c.order_number, c.kind) for c in packet.claims] == [
        ("70001", "damaged"),
        ("70002", "missing_item"),
        ("70001", "not_received"),
    ]
    damaged, missing, parcel = packet.claims
    assert damaged.number.startswith("CLM-") and damaged.state == "awaiting_return"
    assert (damaged.item, damaged.quantity) == ("Stoneware mug", 2)
    assert (damaged.remedy, damaged.amount) == ("replacement", "£16.00")
    assert damaged.created_at == "2026-11-22T10:00:00+00:00"
    assert damaged.photo_attached and damaged.photo is not None
    assert (damaged.photo.kind, damaged.photo.content_type, damaged.photo.path) == (
        "image",
        "image/jpeg",
        PHOTO,
    )
    assert missing.item == "Linen duvet cover" and not missing.photo_attached
    assert parcel.item is None and parcel.remedy == "refund"


async def test_an_order_shown_unproven_shows_its_claims_without_the_photo(shop: FakeShop) -> None:
    """The customer typed someone else's order number: the order is shown marked unproven,
    so its claims are too — but not the claimant's photo."""
    await record(
        claim(
            "70009",
            "wrong_item",
            datetime(2026, 11, 22, 9, 0),
            order_item_id=3,
            photo_upload_id=PHOTO,
        )
    )
    asked = tracker({names.SLOT_ORDER_NUMBER: "70009"}, sender="conv-claims-2")

    packet = await handoff.build_context_packet(asked, "customer_asked")

    assert [(o.number, o.verified) for o in packet.orders] == [("70009", False)]
    [wrong] = packet.claims
    assert (wrong.kind, wrong.item) == ("wrong_item", "Stoneware mug")
    assert wrong.photo_attached and wrong.photo is None
    assert PHOTO not in packet.to_json()


async def test_claims_of_orders_the_packet_does_not_show_are_left_out(shop: FakeShop) -> None:
    await record(claim("70009", "not_received", datetime(2026, 11, 22, 11, 0)))
    asked = tracker({names.SLOT_CUSTOMER_ID: "41"}, sender="conv-claims-3")

    packet = await handoff.build_context_packet(asked, "customer_asked")

    assert "70009" not in {c.order_number for c in packet.claims}
    assert {o.number for o in packet.orders} == {"70001", "70002"}


async def test_claims_that_cannot_be_read_are_a_note_not_a_failed_handoff(
    shop: FakeShop, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def broken(*args: Any) -> list[Any]:
        raise RuntimeError("store down")

    monkeypatch.setattr(claims_context, "read_claims", broken)
    asked = tracker({names.SLOT_CUSTOMER_ID: "41"}, sender="conv-claims-4")

    packet = await handoff.build_context_packet(asked, "customer_asked")

    assert packet.claims == [] and len(packet.orders) == 2
    assert packet.notes == ["Delivery-problem claims could not be read."]


def test_a_stored_photo_value_that_is_no_upload_reference_is_not_passed_on() -> None:
    assert claims_context.photo_reference("../../etc/passwd") == {"kind": "image"}
    assert claims_context.photo_reference(PHOTO)["path"] == PHOTO

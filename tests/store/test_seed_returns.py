"""Seeded returns: one in every state, true to the order they come from, and the repository
that reads and writes them (against real SQLite)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import date, datetime, time, timedelta, timezone
from decimal import Decimal
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine

from actions.store import tables as t
from actions.store.db import create_engine_for
from actions.store.repository import StoreRepository, rma_for
from actions.store.returns_models import HandoffRequest, NewLabel, NewReturn
from actions.store.seed import build_rows, seed_store
from actions.store.seed_returns import build_return_rows

pytestmark = pytest.mark.filterwarnings("ignore:Dialect sqlite\\+aiosqlite does \\*not\\*")

ANCHOR = date(2026, 11, 22)
LONDON = ZoneInfo("Europe/London")

# The table in actions/store/seed_returns.py (and docs/shop.md, "Where is my refund?").
SEEDED = {
    "RMA-20001": ("10002", "jane.doe@example.com", "in_transit", "carrier"),
    "RMA-20002": ("10071", "william.thompson@example.com", "requested", "drop_off"),
    "RMA-20003": ("10070", "aisha.okafor@example.com", "label_created", "carrier"),
    "RMA-20004": ("10067", "harry.morgan@example.com", "received", "carrier"),
    "RMA-20005": ("10063", "george.wilson@example.co.uk", "inspected", "carrier"),
    "RMA-20006": ("10062", "megan.clarke@example.com", "refunded", "carrier"),
    "RMA-20007": ("10059", "william.smith@example.co.uk", "refunded", "drop_off"),
    "RMA-20008": ("10031", "tomasz.hughes@example.com", "rejected", "carrier"),
    "RMA-20009": ("10027", "sinead.byrne@example.ie", "refunded", "carrier"),
}


def local(moment: datetime) -> datetime:
    return moment.replace(tzinfo=timezone.utc).astimezone(LONDON).replace(tzinfo=None)


@pytest.fixture(scope="module")
def shop() -> dict[str, list[dict[str, Any]]]:
    return build_rows(ANCHOR)


@pytest.fixture(scope="module")
def returns(shop: dict[str, list[dict[str, Any]]]) -> dict[str, list[dict[str, Any]]]:
    return build_return_rows(shop)


@pytest.fixture
async def engine(tmp_path: Path) -> AsyncIterator[AsyncEngine]:
    engine = create_engine_for(f"sqlite:///{tmp_path / 's.db'}")
    await seed_store(engine, anchor=ANCHOR)
    yield engine
    await engine.dispose()


def test_the_seed_has_a_return_in_every_state(returns: dict[str, list[dict[str, Any]]]) -> None:
    assert {r["status"] for r in returns["returns"]} == set(t.RETURN_STATES)


def test_seeded_returns_match_the_docs(
    shop: dict[str, list[dict[str, Any]]], returns: dict[str, list[dict[str, Any]]]
) -> None:
    orders = {o["id"]: o for o in shop["orders"]}
    emails = {c["id"]: c["email"] for c in shop["customers"]}
    found = {
        r["rma"]: (
            orders[r["order_id"]]["number"],
            emails[r["customer_id"]],
            r["status"],
            r["method"],
        )
        for r in returns["returns"]
    }
    assert found == SEEDED


def test_seeded_returns_are_true_to_their_orders(
    shop: dict[str, list[dict[str, Any]]], returns: dict[str, list[dict[str, Any]]]
) -> None:
    orders = {o["id"]: o for o in shop["orders"]}
    items = {i["id"]: i for i in shop["order_items"]}
    delivered = {s["order_id"]: s["delivered_at"] for s in shop["shipments"] if s["delivered_at"]}
    lines = returns["return_items"]
    for r in returns["returns"]:
        order = orders[r["order_id"]]
        assert order["customer_id"] == r["customer_id"]
        assert order["currency"] == r["currency"]
        mine = [line for line in lines if line["return_id"] == r["id"]]
        assert mine, r["rma"]
        for line in mine:
            item = items[line["order_item_id"]]
            assert item["order_id"] == order["id"] and 0 < line["quantity"] <= item["quantity"]
            assert not item["final_sale"] and item["category"] not in ("underwear", "gift_cards")
        value = sum(
            (items[x["order_item_id"]]["unit_price"] * x["quantity"] for x in mine), Decimal("0")
        )
        assert r["items_value"] == value
        assert r["refund_amount"] == value - r["return_fee"]
        # created after delivery and within the window (30 days; 14 for electronics)
        window = (
            14 if any(items[x["order_item_id"]]["category"] == "electronics" for x in mine) else 30
        )
        created = local(r["created_at"]).date()
        delivery = local(delivered[order["id"]]).date()
        assert delivery <= created <= delivery + timedelta(days=window), r["rma"]
        steps = [r["created_at"], r["shipped_at"], r["received_at"], r["inspected_at"]]
        present = [s for s in steps if s is not None]
        assert present == sorted(present), r["rma"]


def test_labels_and_refunds_exist_exactly_where_the_state_says(
    returns: dict[str, list[dict[str, Any]]],
) -> None:
    labels = {x["return_id"] for x in returns["return_labels"]}
    refunds = {x["return_id"]: x for x in returns["refunds"]}
    for r in returns["returns"]:
        assert (r["id"] in labels) == (r["method"] == "carrier"), r["rma"]
        assert (r["id"] in refunds) == (r["status"] == "refunded"), r["rma"]
        if r["id"] in refunds:
            assert refunds[r["id"]]["amount"] == r["refund_amount"]
        if r["status"] == "rejected":
            assert r["rejection_reason"] and r["rejected_at"]


def test_nothing_in_the_returns_happens_after_the_demo_morning(
    returns: dict[str, list[dict[str, Any]]],
) -> None:
    morning = datetime.combine(ANCHOR, time(8, 0))
    for rows in returns.values():
        for row in rows:
            for value in row.values():
                if isinstance(value, datetime):
                    assert local(value) <= morning, row


def test_a_later_anchor_moves_every_return_date_and_nothing_else() -> None:
    later = ANCHOR + timedelta(days=200)
    one, two = build_return_rows(build_rows(ANCHOR)), build_return_rows(build_rows(later))
    for table, rows in one.items():
        for row, moved in zip(rows, two[table], strict=True):
            for column, value in row.items():
                if isinstance(value, datetime):
                    assert local(moved[column]) - local(value) == timedelta(days=200)
                elif isinstance(value, date):
                    assert moved[column] - value == timedelta(days=200)
                else:
                    assert moved[column] == value, (table, column)


async def test_the_repository_reads_a_return_with_its_items_label_and_refund(
    engine: AsyncEngine,
) -> None:
    async with engine.connect() as conn:
        repo = StoreRepository(conn)
        refunded = await repo.get_return("RMA-20009")
        dropped = await repo.get_return("RMA-20002")
        by_order = await repo.returns_for_order("10002")
        janes = await repo.returns_for_customer(1)
        quantities = await repo.returned_quantities(2)  # order 10002 has id 2
        label = await repo.label_page("RMA-20001")
        no_label = await repo.label_page("RMA-20002")
    assert refunded is not None and refunded.refund is not None and refunded.label is not None
    assert refunded.refund.destination == "Mastercard ending 5100"
    assert refunded.lines[0].quantity == 2 and refunded.currency == "EUR"
    assert dropped is not None and dropped.store_name == "Lumen & Loom Glasgow"
    assert dropped.lines[0].quantity == 1  # one of the two chinos
    assert [r.rma for r in by_order] == ["RMA-20001"] == [r.rma for r in janes]
    assert quantities == {2: (1, "RMA-20001")}
    assert label is not None and label.sender_name == "Jane Doe"
    assert label.sender_lines == ("14 Abbey Road", "London", "SW1A 1AA")
    assert no_label is None


async def test_a_reused_idempotency_key_is_refused_by_the_database(engine: AsyncEngine) -> None:
    new = NewReturn(
        order_id=11,
        customer_id=1,
        conversation_id="c",
        idempotency_key="k" * 64,
        status="requested",
        reason="other",
        reason_note=None,
        method="drop_off",
        store_id=1,
        refund_method="store_credit",
        currency="GBP",
        items_value=Decimal("22.00"),
        return_fee=Decimal("0.00"),
        refund_amount=Decimal("22.00"),
        created_at=datetime(2026, 11, 22, 9, 0),
        return_by=date(2026, 12, 6),
        lines=((13, 1),),
    )
    async with engine.begin() as conn:
        made = await StoreRepository(conn).create_return(new)
    assert made.rma == rma_for(made.id) == "RMA-20010"
    with pytest.raises(IntegrityError):
        async with engine.begin() as conn:
            await StoreRepository(conn).create_return(replace(new, lines=((14, 1),)))
    async with engine.connect() as conn:
        again = await StoreRepository(conn).return_by_key("k" * 64)
        count = len(await StoreRepository(conn).returns_for_order("10011"))
    assert again is not None and again.rma == "RMA-20010" and count == 1


async def test_a_new_carrier_return_has_its_label(engine: AsyncEngine) -> None:
    new = NewReturn(
        order_id=11,
        customer_id=1,
        conversation_id="c2",
        idempotency_key="x" * 64,
        status="label_created",
        reason="doesnt_fit",
        reason_note="too small",
        method="carrier",
        store_id=None,
        refund_method="original_payment",
        currency="GBP",
        items_value=Decimal("14.50"),
        return_fee=Decimal("3.95"),
        refund_amount=Decimal("10.55"),
        created_at=datetime(2026, 11, 22, 9, 0),
        return_by=date(2026, 12, 6),
        lines=((12, 1),),
    )
    label = NewLabel(
        "Royal Mail",
        "RT000000000GB",
        "https://rm.example/RT000000000GB",
        datetime(2026, 11, 22, 9, 0),
        date(2026, 12, 6),
    )
    async with engine.begin() as conn:
        made = await StoreRepository(conn).create_return(new, label)
    assert made.label is not None and made.label.tracking_number == "RT000000000GB"
    assert made.reason_note == "too small" and made.payment_method == "Visa ending 4242"


async def test_deliveries_per_item_follow_their_parcel(engine: AsyncEngine) -> None:
    async with engine.connect() as conn:
        repo = StoreRepository(conn)
        split = await repo.get_order("10010")
        assert split is not None
        deliveries = await repo.item_deliveries(split.id)
        recent = await repo.recent_delivered_orders(2)
    by_name = {i.product_name: deliveries[i.id] for i in split.items}
    assert by_name["Washed linen duvet cover, double"] is not None
    assert by_name["Stoneware table lamp"] is None  # still on its way
    assert [o.number for o in recent] == ["10010"]


async def test_handoff_requests_are_recorded_open(engine: AsyncEngine) -> None:
    async with engine.begin() as conn:
        request_id = await StoreRepository(conn).record_handoff_request(
            HandoffRequest(
                "conv",
                3,
                "10013",
                "return",
                "late_return",
                "late",
                {"customer_messages": ["hi"]},
                datetime(2026, 11, 22, 9, 0),
            )
        )
    async with engine.connect() as conn:
        row = (
            await conn.execute(
                select(t.handoff_requests).where(t.handoff_requests.c.id == request_id)
            )
        ).one()
    assert (row.status, row.details) == ("open", {"customer_messages": ["hi"]})

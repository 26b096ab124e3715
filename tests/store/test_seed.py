"""The demo shop seed: believable, idempotent, deterministic and true to docs/shop.md."""

from __future__ import annotations

import asyncio
import re
from collections import Counter, defaultdict
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from decimal import Decimal
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from actions.store import tables as t
from actions.store.db import create_engine_for
from actions.store.seed import (
    CATALOGUE,
    SEED_VERSION,
    SeedReport,
    build_rows,
    seed_store,
    seed_store_sync,
)

# SQLite has no DECIMAL type; Numeric(10, 2) round-trips two-decimal money exactly, and
# test_totals_add_up checks that it does.
pytestmark = pytest.mark.filterwarnings("ignore:Dialect sqlite\\+aiosqlite does \\*not\\*")

ANCHOR = date(2026, 11, 22)
LONDON = ZoneInfo("Europe/London")

Rows = dict[str, list[dict[str, Any]]]


def days(n: int) -> date:
    return ANCHOR + timedelta(days=n)


def local(moment: datetime) -> datetime:
    """A stored naive-UTC datetime as naive shop-local time."""
    return moment.replace(tzinfo=timezone.utc).astimezone(LONDON).replace(tzinfo=None)


def demo_morning(anchor: date = ANCHOR) -> datetime:
    return datetime.combine(anchor, time(8, 0))


async def dump(engine: AsyncEngine) -> Rows:
    out: Rows = {}
    async with engine.connect() as conn:
        for table in t.metadata.sorted_tables:
            query = select(table).order_by(*table.primary_key.columns)
            result = await conn.execute(query)
            out[table.name] = [dict(row) for row in result.mappings().all()]
    return out


@dataclass(frozen=True)
class Shop:
    report: SeedReport
    rows: Rows

    def by_id(self, table: str) -> dict[Any, dict[str, Any]]:
        return {row["id"]: row for row in self.rows[table]}

    def order(self, number: str) -> dict[str, Any]:
        return next(o for o in self.rows["orders"] if o["number"] == number)

    def items(self, order_id: int) -> list[dict[str, Any]]:
        return [i for i in self.rows["order_items"] if i["order_id"] == order_id]

    def shipments(self, order_id: int) -> list[dict[str, Any]]:
        return [s for s in self.rows["shipments"] if s["order_id"] == order_id]

    def events(self, shipment_id: int) -> list[dict[str, Any]]:
        return [e for e in self.rows["tracking_events"] if e["shipment_id"] == shipment_id]


@pytest.fixture
async def make_engine(tmp_path: Path) -> AsyncIterator[Callable[[str], AsyncEngine]]:
    engines: list[AsyncEngine] = []

    def make(name: str) -> AsyncEngine:
        engine = create_engine_for(f"sqlite:///{tmp_path / name}")
        engines.append(engine)
        return engine

    yield make
    for engine in engines:
        await engine.dispose()


@pytest.fixture(scope="module")
async def shop(tmp_path_factory: pytest.TempPathFactory) -> Shop:
    engine = create_engine_for(f"sqlite:///{tmp_path_factory.mktemp('seed') / 's.db'}")
    try:
        report = await seed_store(engine, anchor=ANCHOR)
        rows = await dump(engine)
    finally:
        await engine.dispose()
    return Shop(report, rows)


# --------------------------------------------------------------------------------------
# The shop as a whole
# --------------------------------------------------------------------------------------


def test_seed_creates_a_believable_shop(shop: Shop) -> None:
    rows = shop.rows
    assert shop.report == SeedReport(
        created=True,
        customers=len(rows["customers"]),
        orders=len(rows["orders"]),
        anchor=ANCHOR,
    )
    assert len(rows["customers"]) >= 36
    assert len(rows["orders"]) >= 110

    states = Counter(o["status"] for o in rows["orders"])
    assert set(states) == set(t.ORDER_STATES)
    assert min(states.values()) >= 5, states

    parcels = Counter(s["order_id"] for s in rows["shipments"])
    split = [order_id for order_id, n in parcels.items() if n > 1]
    assert len(split) >= 8
    assert all(2 <= parcels[order_id] <= 3 for order_id in split)

    lines = Counter(i["order_id"] for i in rows["order_items"])
    assert sum(1 for n in lines.values() if n > 1) >= 0.4 * len(rows["orders"])
    assert all(lines[o["id"]] >= 1 for o in rows["orders"])

    currencies = Counter(o["currency"] for o in rows["orders"])
    assert set(currencies) == {"GBP", "EUR"}
    assert currencies["EUR"] >= 0.2 * len(rows["orders"])

    irish = sum(1 for a in rows["addresses"] if a["country"] == "IE")
    assert 0.2 <= irish / len(rows["addresses"]) <= 0.3
    cities = {a["city"] for a in rows["addresses"]}
    assert {"London", "Manchester", "Belfast", "Cardiff", "Dublin", "Cork", "Galway"} <= cities

    categories = {i["category"] for i in rows["order_items"]}
    assert {"homeware", "clothing", "electronics", "underwear"} <= categories
    assert {p.category for p in CATALOGUE} == {
        "homeware", "kitchen", "bedding", "clothing", "footwear",
        "electronics", "beauty", "underwear", "gift_cards",
    }  # fmt: skip
    assert all(p.final_sale for p in CATALOGUE if p.category == "gift_cards")

    placed = [local(o["placed_at"]).date() for o in rows["orders"]]
    assert min(placed) >= days(-95)
    assert max(placed) < ANCHOR

    assert {(m["key"], m["value"]) for m in rows["seed_meta"]} == {
        ("version", SEED_VERSION),
        ("anchor", ANCHOR.isoformat()),
    }
    assert rows["verification_attempts"] == []


async def test_seed_is_idempotent(make_engine: Callable[[str], AsyncEngine]) -> None:
    engine = make_engine("s.db")
    first = await seed_store(engine, anchor=ANCHOR)
    before = await dump(engine)

    again = await seed_store(engine, anchor=days(30))

    assert first.created is True
    assert again == SeedReport(
        created=False, customers=first.customers, orders=first.orders, anchor=ANCHOR
    )
    assert await dump(engine) == before


async def test_two_seeders_starting_together_seed_once(
    make_engine: Callable[[str], AsyncEngine],
) -> None:
    # The action server and `make seed` may open the same fresh file at the same moment.
    one, two = make_engine("s.db"), make_engine("s.db")

    reports = await asyncio.gather(seed_store(one, anchor=ANCHOR), seed_store(two, anchor=ANCHOR))

    assert sorted(r.created for r in reports) == [False, True]
    assert reports[0].orders == reports[1].orders == len(build_rows(ANCHOR)["orders"])
    assert reports[0].customers == reports[1].customers


async def test_seed_is_deterministic(make_engine: Callable[[str], AsyncEngine]) -> None:
    one, two = make_engine("one.db"), make_engine("two.db")
    await seed_store(one, anchor=ANCHOR)
    await seed_store(two, anchor=ANCHOR)

    first, second = await dump(one), await dump(two)

    assert first.keys() == second.keys()
    for table in first:
        assert first[table] == second[table], table


def test_a_later_anchor_moves_every_date_and_nothing_else() -> None:
    # Nine months apart, so the two data sets sit on different sides of the clock changes.
    later = ANCHOR + timedelta(days=273)
    delta = later - ANCHOR
    one, two = build_rows(ANCHOR), build_rows(later)

    for table, rows in one.items():
        assert len(rows) == len(two[table]), table
        for row, moved in zip(rows, two[table], strict=True):
            for column, value in row.items():
                shifted = moved[column]
                if column == "value" and row.get("key") == "anchor":
                    assert date.fromisoformat(shifted) - date.fromisoformat(value) == delta
                elif isinstance(value, datetime):
                    assert local(shifted) - local(value) == delta, (table, column)
                elif isinstance(value, date):
                    assert shifted - value == delta, (table, column)
                else:
                    assert shifted == value, (table, column)


async def test_seed_store_sync_seeds_a_file_and_defaults_to_today_in_london(
    tmp_path: Path,
) -> None:
    url = f"sqlite:///{tmp_path / 'var' / 's.db'}"

    # In a worker thread: asyncio.run cannot nest inside the test's running loop.
    report = await asyncio.to_thread(seed_store_sync, url)
    again = await asyncio.to_thread(seed_store_sync, url, anchor=ANCHOR)

    today = datetime.now(LONDON).date()
    assert report.created is True
    assert report.anchor in (today, today - timedelta(days=1))  # the test may cross midnight
    assert again == SeedReport(
        created=False, customers=report.customers, orders=report.orders, anchor=report.anchor
    )


# --------------------------------------------------------------------------------------
# The showcase orders (docs/shop.md, "The demo shop")
# --------------------------------------------------------------------------------------

# number: (customer e-mail, state, currency, parcel statuses, carriers)
SHOWCASE: dict[str, tuple[str, str, str, list[str], list[str]]] = {
    "10001": ("jane.doe@example.com", "shipped", "GBP", ["in_transit"], ["DPD"]),
    "10002": ("jane.doe@example.com", "delivered", "GBP", ["delivered"], ["Royal Mail"]),
    "10003": ("liam.murphy@example.ie", "delayed", "EUR", ["delayed"], ["An Post"]),
    "10004": ("priya.shah@example.com", "placed", "GBP", [], []),
    "10005": ("priya.shah@example.com", "paid", "GBP", [], []),
    "10006": ("ewan.campbell@example.com", "packed", "GBP", [], []),
    "10007": ("jane.doe@example.com", "out_for_delivery", "GBP", ["out_for_delivery"], ["Evri"]),
    "10008": ("liam.murphy@example.ie", "lost_in_transit", "EUR", ["lost"], ["DPD Ireland"]),
    "10009": ("priya.shah@example.com", "cancelled", "GBP", [], []),
    "10010": (
        "liam.murphy@example.ie", "shipped", "EUR",
        ["delivered", "in_transit"], ["An Post", "DPD Ireland"],
    ),
    "10011": ("jane.doe@example.com", "delivered", "GBP", ["delivered"], ["DPD"]),
    "10012": ("ewan.campbell@example.com", "cancelled", "GBP", [], []),
    "10013": ("priya.shah@example.com", "delivered", "GBP", ["delivered"], ["Evri"]),
    "10014": ("ewan.campbell@example.com", "delivered", "GBP", ["delivered"], ["Royal Mail"]),
    "10015": ("ewan.campbell@example.com", "delivered", "GBP", ["delivered"], ["DPD"]),
}  # fmt: skip


def test_showcase_customers_match_the_docs(shop: Shop) -> None:
    customers = shop.by_id("customers")
    addresses = {a["customer_id"]: a for a in shop.rows["addresses"]}
    expected = {
        1: ("Jane", "Doe", "jane.doe@example.com", "+447700900001",
            "SW1A 1AA", "14 Abbey Road", "London", "GB"),
        2: ("Liam", "Murphy", "liam.murphy@example.ie", "+353851234567",
            "D02 X285", "7 Merrion Square", "Dublin", "IE"),
        3: ("Priya", "Shah", "priya.shah@example.com", "+447700900003",
            "M1 1AE", "22 Portland Street", "Manchester", "GB"),
        4: ("Ewan", "Campbell", "ewan.campbell@example.com", "+447700900004",
            "EH1 1YZ", "3 Royal Mile", "Edinburgh", "GB"),
    }  # fmt: skip
    for customer_id, (
        first,
        last,
        email,
        phone,
        postcode,
        line1,
        city,
        country,
    ) in expected.items():
        c, a = customers[customer_id], addresses[customer_id]
        assert (c["first_name"], c["last_name"], c["email"], c["phone"]) == (
            first,
            last,
            email,
            phone,
        )
        assert c["postal_code"] == a["postal_code"] == postcode
        assert (a["line1"], a["city"], a["country"]) == (line1, city, country)
    # The showcase customers have exactly the showcase orders.
    for customer_id in expected:
        numbers = {o["number"] for o in shop.rows["orders"] if o["customer_id"] == customer_id}
        assert numbers == {
            n for n, v in SHOWCASE.items() if v[0] == customers[customer_id]["email"]
        }


def test_showcase_orders_match_the_docs(shop: Shop) -> None:
    customers = shop.by_id("customers")
    for number, (email, state, currency, statuses, carriers) in SHOWCASE.items():
        order = shop.order(number)
        parcels = shop.shipments(order["id"])
        assert customers[order["customer_id"]]["email"] == email, number
        assert order["status"] == state, number
        assert order["currency"] == currency, number
        assert order["shipping_address_id"] == order["customer_id"], number
        assert [p["status"] for p in parcels] == statuses, number
        assert [p["carrier"] for p in parcels] == carriers, number

    def only_parcel(number: str) -> dict[str, Any]:
        (parcel,) = shop.shipments(shop.order(number)["id"])
        return parcel

    def category_of_single_item(number: str) -> str:
        (item,) = shop.items(shop.order(number)["id"])
        return str(item["category"])

    # 10001: one homeware item, shipped yesterday, due in two days, three scans.
    parcel = only_parcel("10001")
    assert category_of_single_item("10001") == "homeware"
    assert local(parcel["shipped_at"]).date() == days(-1)
    assert parcel["estimated_delivery"] == days(2)
    events = shop.events(parcel["id"])
    assert [e["location"] for e in events][:2] == ["London Hub", "Birmingham Hub"]
    assert len(events) == 3
    assert "local depot" in events[-1]["description"]

    # 10002: delivered three days ago at 11:42, handed to the resident.
    parcel = only_parcel("10002")
    assert category_of_single_item("10002") == "clothing"
    assert local(parcel["delivered_at"]) == datetime.combine(days(-3), time(11, 42))
    assert parcel["delivered_to"] == "Handed to resident"
    assert shop.events(parcel["id"])[-1]["description"] == "Delivered"

    # 10003: promised yesterday, new ETA in three days, the last scan explains the delay.
    order, parcel = shop.order("10003"), only_parcel("10003")
    assert category_of_single_item("10003") == "electronics"
    assert order["promised_delivery"] == days(-1)
    assert parcel["estimated_delivery"] == days(3)
    assert shop.events(parcel["id"])[-1]["description"] == (
        "Delayed at Dublin Mail Centre due to high volumes"
    )

    # 10004-10006: not shipped yet.
    order = shop.order("10004")
    assert (order["payment_status"], order["paid_at"]) == ("pending", None)
    assert order["expected_dispatch"] == days(2)
    assert shop.order("10005")["expected_dispatch"] == days(1)
    assert shop.order("10005")["payment_status"] == "paid"
    assert shop.order("10006")["expected_dispatch"] == ANCHOR

    # 10007: out for delivery this morning, from the local depot.
    parcel = only_parcel("10007")
    assert parcel["estimated_delivery"] == ANCHOR
    last = shop.events(parcel["id"])[-1]
    assert last["description"] == "Out for delivery"
    assert "depot" in last["location"]
    assert local(last["occurred_at"]).date() == ANCHOR
    assert local(last["occurred_at"]) <= demo_morning()

    # 10008: lost; no scan for nine days, promised six days ago.
    order, parcel = shop.order("10008"), only_parcel("10008")
    assert order["promised_delivery"] == days(-6)
    assert local(shop.events(parcel["id"])[-1]["occurred_at"]).date() == days(-9)

    # 10009: paid, cancelled and refunded four days ago.
    order = shop.order("10009")
    assert local(order["cancelled_at"]).date() == days(-4)
    assert order["cancellation_reason"] == "An item went out of stock before dispatch"
    assert order["payment_status"] == "refunded"
    assert order["paid_at"] is not None
    assert local(order["refunded_at"]).date() == days(-4)

    # 10010: three items in two parcels: items 1-2 delivered yesterday, item 3 on its way.
    order = shop.order("10010")
    items = shop.items(order["id"])
    assert len({i["sku"] for i in items}) == 3
    first, second = shop.shipments(order["id"])
    contents = defaultdict(set)
    for link in shop.rows["shipment_items"]:
        contents[link["shipment_id"]].add(link["order_item_id"])
    assert contents[first["id"]] == {items[0]["id"], items[1]["id"]}
    assert contents[second["id"]] == {items[2]["id"]}
    assert local(first["delivered_at"]).date() == days(-1)
    assert second["estimated_delivery"] == days(2)

    # 10011: homeware, clothing and electronics (one line of two), delivered ten days ago.
    order = shop.order("10011")
    items = shop.items(order["id"])
    assert {i["category"] for i in items} == {"homeware", "clothing", "electronics"}
    assert sorted(i["quantity"] for i in items) == [1, 1, 2]
    assert local(only_parcel("10011")["delivered_at"]).date() == days(-10)

    # 10012: cancelled before payment was taken.
    order = shop.order("10012")
    assert order["payment_status"] == "voided"
    assert (order["paid_at"], order["refunded_at"]) == (None, None)
    assert order["cancellation_reason"] == "Cancelled at the customer's request"

    # 10013-10015: return-window edges.
    assert category_of_single_item("10013") == "clothing"
    assert local(only_parcel("10013")["delivered_at"]).date() == days(-40)
    assert category_of_single_item("10014") == "electronics"
    assert local(only_parcel("10014")["delivered_at"]) == datetime.combine(days(-14), time(15))
    items = shop.items(shop.order("10015")["id"])
    assert len(items) == 2
    assert [i["final_sale"] for i in items].count(True) == 1
    briefs = next(i for i in items if i["category"] == "underwear")
    assert (briefs["product_name"], briefs["final_sale"]) == ("Merino boxer briefs 3-pack", False)
    assert local(only_parcel("10015")["delivered_at"]).date() == days(-20)


# --------------------------------------------------------------------------------------
# Invariants every order keeps
# --------------------------------------------------------------------------------------


def test_split_shipments_cover_every_item_exactly_once(shop: Shop) -> None:
    items = shop.by_id("order_items")
    shipments = shop.by_id("shipments")
    parcels_of: dict[int, list[int]] = defaultdict(list)
    for s in shop.rows["shipments"]:
        parcels_of[s["order_id"]].append(s["id"])
    links: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for link in shop.rows["shipment_items"]:
        links[link["order_item_id"]].append(link)
        # A parcel only carries items of its own order, in the ordered quantity.
        item = items[link["order_item_id"]]
        assert shipments[link["shipment_id"]]["order_id"] == item["order_id"]
        assert link["quantity"] == item["quantity"]

    for order in shop.rows["orders"]:
        own_items = [i["id"] for i in shop.items(order["id"])]
        if not parcels_of[order["id"]]:
            assert all(not links[i] for i in own_items), order["number"]
            continue
        for item_id in own_items:
            assert len(links[item_id]) == 1, (order["number"], item_id)
        for shipment_id in parcels_of[order["id"]]:
            assert any(
                link["shipment_id"] == shipment_id for i in own_items for link in links[i]
            ), f"empty parcel in {order['number']}"


def test_totals_add_up(shop: Shop) -> None:
    addresses = shop.by_id("addresses")
    fees = {"GBP": Decimal("3.95"), "EUR": Decimal("4.50")}
    for order in shop.rows["orders"]:
        items = shop.items(order["id"])
        subtotal = sum((i["quantity"] * i["unit_price"] for i in items), Decimal("0"))
        assert order["subtotal"] == subtotal, order["number"]
        expected_fee = Decimal("0") if subtotal > 50 else fees[order["currency"]]
        assert order["shipping_fee"] == expected_fee, order["number"]
        assert order["total"] == order["subtotal"] + order["shipping_fee"], order["number"]
        for value in (order["subtotal"], order["shipping_fee"], order["total"]):
            assert value == value.quantize(Decimal("0.01"))
        country = addresses[order["shipping_address_id"]]["country"]
        assert order["currency"] == {"GB": "GBP", "IE": "EUR"}[country]


def test_payment_and_dates_match_each_order_state(shop: Shop) -> None:
    for order in shop.rows["orders"]:
        state, number = order["status"], order["number"]
        placed_at = order["placed_at"]
        if state == "placed":
            assert (order["payment_status"], order["paid_at"]) == ("pending", None), number
        elif state == "cancelled":
            assert order["cancelled_at"] > placed_at, number
            assert order["cancellation_reason"], number
            if order["payment_status"] == "refunded":
                assert placed_at < order["paid_at"] < order["cancelled_at"], number
                assert order["refunded_at"] > order["cancelled_at"], number
            else:
                assert order["payment_status"] == "voided", number
                assert (order["paid_at"], order["refunded_at"]) == (None, None), number
        else:
            assert order["payment_status"] == "paid", number
            assert order["paid_at"] > placed_at, number
        if state != "cancelled":
            assert order["cancelled_at"] is None
            assert order["cancellation_reason"] is None
        if state in ("placed", "paid", "packed"):
            assert order["expected_dispatch"] >= ANCHOR, number
            assert order["promised_delivery"] > order["expected_dispatch"], number
        else:
            assert order["expected_dispatch"] is None, number
        assert order["promised_delivery"] is not None, number
        assert order["payment_method"], number


def parcels_fit(state: str, statuses: set[str]) -> bool:
    """Whether an order's state agrees with the statuses of its parcels."""
    if state == "shipped":  # some parcel still travelling; a split order may be half delivered
        return "in_transit" in statuses and statuses <= {"in_transit", "delivered"}
    if state == "delivered":
        return statuses == {"delivered"}
    needs = {
        "out_for_delivery": "out_for_delivery",
        "delayed": "delayed",
        "lost_in_transit": "lost",
    }
    return needs[state] in statuses


def test_tracking_tells_the_same_story_as_the_order(shop: Shop) -> None:
    latest_event_for = {
        "in_transit": {"in_transit"},
        "out_for_delivery": {"out_for_delivery"},
        "delivered": {"delivered"},
        "delayed": {"delayed"},
        "lost": {"in_transit"},
    }
    for order in shop.rows["orders"]:
        state, number = order["status"], order["number"]
        parcels = shop.shipments(order["id"])
        statuses = {p["status"] for p in parcels}
        if state in ("placed", "paid", "packed", "cancelled"):
            assert not parcels, number
            continue
        assert parcels, number
        assert parcels_fit(state, statuses), (number, statuses)

        for parcel in parcels:
            events = shop.events(parcel["id"])
            times = [e["occurred_at"] for e in events]
            assert len(events) >= 2
            assert times == sorted(times) and len(set(times)) == len(times), number
            assert parcel["shipped_at"] == times[0] > order["paid_at"], number
            assert events[-1]["status"] in latest_event_for[parcel["status"]], number
            assert all(e["description"] and e["location"] for e in events)
            if parcel["status"] == "delivered":
                assert parcel["delivered_at"] == times[-1]
                assert parcel["delivered_to"]
                assert parcel["estimated_delivery"] == local(parcel["delivered_at"]).date()
            else:
                assert (parcel["delivered_at"], parcel["delivered_to"]) == (None, None)
            if parcel["status"] in ("in_transit", "delayed"):
                assert parcel["estimated_delivery"] > ANCHOR, number
            if parcel["status"] == "out_for_delivery":
                assert parcel["estimated_delivery"] == ANCHOR
                assert local(times[-1]).date() == ANCHOR
            if parcel["status"] == "delayed":
                assert parcel["estimated_delivery"] > order["promised_delivery"], number
            if parcel["status"] == "lost":
                assert parcel["estimated_delivery"] is None
                assert local(times[-1]).date() <= days(-7), number
                assert order["promised_delivery"] < ANCHOR, number


def test_nothing_happens_after_the_demo_morning(shop: Shop) -> None:
    for table, rows in shop.rows.items():
        for row in rows:
            for column, value in row.items():
                if isinstance(value, datetime):
                    assert local(value) <= demo_morning(), (table, column, row)


def test_tracking_numbers_are_unique_and_carrier_shaped(shop: Shop) -> None:
    shapes = {
        "Royal Mail": (r"[A-Z]{2}\d{9}GB", "https://www.royalmail.com/track-your-item#/tracking-results/"),
        "DPD": (r"\d{14}", "https://track.dpd.co.uk/parcels/"),
        "Evri": (r"H\d{2}[A-Z]{3}\d{10}", "https://www.evri.com/track/parcel/"),
        "An Post": (r"[A-Z]{2}\d{9}IE", "https://www.anpost.com/Post-Parcels/Track/History?item="),
        "DPD Ireland": (r"\d{14}", "https://dpd.ie/tracking?parcel="),
    }  # fmt: skip
    country_of = {"Royal Mail": "GB", "DPD": "GB", "Evri": "GB", "An Post": "IE"}
    addresses = shop.by_id("addresses")
    orders = shop.by_id("orders")
    numbers = [s["tracking_number"] for s in shop.rows["shipments"]]
    assert len(numbers) == len(set(numbers))
    for parcel in shop.rows["shipments"]:
        pattern, url = shapes[parcel["carrier"]]
        assert re.fullmatch(pattern, parcel["tracking_number"]), parcel
        assert parcel["tracking_url"] == url + parcel["tracking_number"]
        country = addresses[orders[parcel["order_id"]]["shipping_address_id"]]["country"]
        assert country_of.get(parcel["carrier"], "IE") == country


def test_customers_are_unique_and_look_real(shop: Shop) -> None:
    customers = shop.rows["customers"]
    addresses = {a["customer_id"]: a for a in shop.rows["addresses"]}
    emails = [c["email"] for c in customers]
    phones = [c["phone"] for c in customers]
    assert len(set(emails)) == len(emails)
    assert len(set(phones)) == len(phones)
    postcode = {
        "GB": r"[A-Z]{1,2}\d[A-Z\d]? \d[A-Z]{2}",
        "IE": r"[A-Z]\d[\dW] [A-Z\d]{4}",
    }
    first_orders: dict[int, datetime] = {}
    for order in sorted(shop.rows["orders"], key=lambda o: o["placed_at"]):
        first_orders.setdefault(order["customer_id"], order["placed_at"])
        assert order["shipping_address_id"] == addresses[order["customer_id"]]["id"]
    for c in customers:
        address = addresses[c["id"]]
        country = address["country"]
        assert re.fullmatch(r"[a-z0-9.]+@example\.(com|ie|co\.uk)", c["email"]), c
        if country == "GB":
            assert re.fullmatch(r"\+4477009\d{5}", c["phone"]), c
        else:
            assert re.fullmatch(r"\+35385\d{7}", c["phone"]), c
        assert re.fullmatch(postcode[country], c["postal_code"]), c
        assert address["postal_code"] == c["postal_code"]
        assert c["first_name"] and c["last_name"] and address["line1"]
        assert c["created_at"] < first_orders[c["id"]], c


def test_stores_take_returns_and_publish_opening_hours(shop: Shop) -> None:
    stores = shop.rows["stores"]
    assert len(stores) >= 10
    assert sum(1 for s in stores if s["city"] == "London") == 2
    assert {"Dublin", "Cork", "Edinburgh", "Glasgow"} <= {s["city"] for s in stores}
    for store in stores:
        assert store["accepts_returns"] is True
        hours = store["opening_hours"]
        assert list(hours) == ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
        for value in hours.values():
            assert value is None or re.fullmatch(r"\d\d:\d\d-\d\d:\d\d", value), store
        if store["country"] == "GB":
            assert 49.9 < store["latitude"] < 58.7 and -8.2 < store["longitude"] < 1.8
        else:
            assert 51.4 < store["latitude"] < 55.4 and -10.5 < store["longitude"] < -6.0

from datetime import date, datetime
from zoneinfo import ZoneInfo

from actions.services.order_status import describe_order
from actions.store.models import Address
from tests.actions.fixtures import NOW, order, parcel

LONDON = ZoneInfo("Europe/London")


def test_shipped_order_names_carrier_latest_scan_eta_and_tracking_link() -> None:
    [reply] = describe_order(order("shipped", (parcel(),)), NOW, LONDON)
    assert reply.response == "utter_order_shipped"
    assert reply.params["carrier"] == "DPD"
    assert reply.params["tracking_url"] == "https://track.dpd.co.uk/parcels/1550376454"
    assert reply.params["event_description"] == "Arrived at local depot"
    assert reply.params["event_location"] == "London depot"
    assert reply.params["event_time"] == "today at 04:02"
    assert reply.params["eta"] == "Tuesday 24 November"


def test_delayed_order_apologises_with_the_promised_and_the_new_date() -> None:
    late = parcel("delayed", estimated_delivery=date(2026, 11, 25))
    [reply] = describe_order(
        order("delayed", (late,), promised_delivery=date(2026, 11, 21)), NOW, LONDON
    )
    assert reply.response == "utter_order_delayed"
    assert reply.params["promised_date"] == "yesterday"
    assert reply.params["eta"] == "Wednesday 25 November"


def test_delivered_order_says_when_and_where() -> None:
    done = parcel(
        "delivered", delivered_at=datetime(2026, 11, 19, 11, 42), delivered_to="Handed to resident"
    )
    [reply] = describe_order(order("delivered", (done,)), NOW, LONDON)
    assert reply.response == "utter_order_delivered"
    assert reply.params["delivered_time"] == "Thursday 19 November at 11:42"
    assert reply.params["delivered_to"] == "Handed to resident"
    assert reply.params["place"] == "14 Abbey Road, London"


def test_delivery_time_is_shown_in_the_shops_time_zone_in_summer() -> None:
    done = parcel(
        "delivered", delivered_at=datetime(2026, 7, 1, 10, 42), delivered_to="Parcel locker"
    )
    now = datetime(2026, 7, 3, 9, 0)
    [reply] = describe_order(order("delivered", (done,)), now, LONDON)
    assert reply.params["delivered_time"] == "Wednesday 1 July at 11:42"  # BST = UTC+1


def test_orders_not_shipped_yet_give_the_expected_dispatch() -> None:
    for status, response in [
        ("placed", "utter_order_placed"),
        ("paid", "utter_order_paid"),
        ("packed", "utter_order_packed"),
    ]:
        [reply] = describe_order(order(status, expected_dispatch=date(2026, 11, 23)), NOW, LONDON)
        assert reply.response == response
        assert reply.params["dispatch_date"] == "tomorrow"


def test_cancelled_and_refunded_order_says_what_happened_to_the_money() -> None:
    o = order(
        "cancelled",
        cancelled_at=datetime(2026, 11, 18, 9, 0),
        cancellation_reason="An item went out of stock before dispatch",
        payment_status="refunded",
        refunded_at=datetime(2026, 11, 18, 9, 5),
    )
    [reply] = describe_order(o, NOW, LONDON)
    assert reply.response == "utter_order_cancelled_refunded"
    assert reply.params["reason"] == "An item went out of stock before dispatch"
    assert reply.params["total"] == "£79.00"
    assert reply.params["payment_method"] == "Visa ending 4242"


def test_cancelled_before_payment_says_nothing_was_charged() -> None:
    o = order(
        "cancelled",
        cancelled_at=datetime(2026, 11, 20, 9, 0),
        payment_status="voided",
        currency="EUR",
    )
    [reply] = describe_order(o, NOW, LONDON)
    assert reply.response == "utter_order_cancelled_not_charged"
    assert reply.params["total"] == "€79.00"


def test_lost_parcel_gets_an_apology_and_the_last_scan() -> None:
    [reply] = describe_order(order("lost_in_transit", (parcel("lost"),)), NOW, LONDON)
    assert reply.response == "utter_order_lost"
    assert reply.params["event_location"] == "London depot"


def test_split_shipment_gets_one_line_per_parcel() -> None:
    first = parcel(
        "delivered",
        id=1,
        delivered_at=datetime(2026, 11, 21, 13, 20),
        delivered_to="Handed to resident",
        contents=(("Duvet cover", 1), ("Pillowcase pair", 2)),
    )
    second = parcel("in_transit", id=2, carrier="Royal Mail", contents=(("Table lamp", 1),))
    replies = describe_order(order("shipped", (first, second)), NOW, LONDON)
    assert [r.response for r in replies] == [
        "utter_order_split",
        "utter_parcel_delivered",
        "utter_parcel_in_transit",
    ]
    assert replies[0].params["parcel_count"] == "2"
    assert replies[1].params["contents"] == "Duvet cover, 2 × Pillowcase pair"
    assert replies[2].params["carrier"] == "Royal Mail"
    assert replies[2].params["parcel_index"] == "2"


def test_an_order_whose_address_was_changed_says_when_and_where_it_goes_now() -> None:
    moved = order(
        "paid",
        shipping_address=Address("12 High Street", "Flat 2", "Leeds", "LS1 4AB", "GB"),
        address_changed_at=datetime(2026, 11, 21, 15, 0),
        address_changed_by="customer via chat",
    )
    replies = describe_order(moved, NOW, LONDON)
    assert [r.response for r in replies] == ["utter_order_paid", "utter_order_address_changed"]
    assert replies[1].params == {
        "order_number": "10001",
        "changed_date": "yesterday",
        "address": "12 High Street, Flat 2, Leeds, LS1 4AB",
    }


def test_an_order_never_changed_says_nothing_about_its_address() -> None:
    assert [r.response for r in describe_order(order("paid"), NOW, LONDON)] == ["utter_order_paid"]

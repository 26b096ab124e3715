"""The stores nearest a postcode, an Eircode or a town, with their opening hours."""

from datetime import date

import pytest

from actions.services.stores import (
    distance_text,
    locate,
    nearest_stores,
    opening_hours_text,
    today_text,
)
from actions.store.models import Store
from actions.store.seed import STORES

SHOP_STORES = [
    Store(
        i,
        s["name"],
        s["line1"],
        s["city"],
        s["postal_code"],
        s["country"],
        s["phone"],
        s["latitude"],
        s["longitude"],
        s["opening_hours"],
        True,
    )
    for i, s in enumerate(STORES, start=1)
]


def nearest(where: str) -> list[str]:
    place = locate(where)
    assert place is not None, where
    return [n.store.name.removeprefix("Lumen & Loom ") for n in nearest_stores(SHOP_STORES, place)]


@pytest.mark.parametrize(
    "where, expected",
    [
        ("SW1A 1AA", ["Covent Garden", "Shoreditch"]),  # Jane, by Buckingham Palace
        ("E1 6AN", ["Shoreditch", "Covent Garden"]),
        ("EH1 1YZ", ["Edinburgh", "Glasgow"]),  # Ewan
        ("M1 1AE", ["Manchester", "Leeds"]),  # Priya
        ("D02 X285", ["Dublin", "Cork"]),  # Liam
        ("T12 AB34", ["Cork", "Dublin"]),
        ("G12 8QQ", ["Glasgow", "Edinburgh"]),
        ("BS8 1TH", ["Bristol"]),
        ("CF10 1EP", ["Bristol"]),
        ("Birmingham", ["Birmingham"]),
        ("near Newcastle upon Tyne", ["Leeds", "Edinburgh"]),
        ("galway", ["Cork", "Dublin"]),
    ],
)
def test_the_right_stores_for_a_postcode_or_town(where: str, expected: list[str]) -> None:
    assert nearest(where)[: len(expected)] == expected


def test_postcodes_are_read_however_they_are_typed() -> None:
    assert locate("sw1a1aa") is not None
    assert locate("my postcode is m1 1ae") is not None
    assert locate("D02X285") is not None
    label = locate("sw1a 1aa")
    assert label is not None and label.label == "SW1A 1AA"


@pytest.mark.parametrize("text", ["", "hello", "ZZ9 9ZZ", None, "x" * 500])
def test_unknown_places_are_none(text: object) -> None:
    assert locate(text) is None


def test_only_stores_that_take_returns_are_offered() -> None:
    closed = [
        s if s.city != "Edinburgh" else Store(**{**s.__dict__, "accepts_returns": False})
        for s in SHOP_STORES
    ]
    place = locate("EH1 1YZ")
    assert place is not None
    assert nearest_stores(closed, place)[0].store.city == "Glasgow"


def test_opening_hours_read_like_a_shop_door() -> None:
    covent_garden = SHOP_STORES[0].opening_hours
    assert opening_hours_text(covent_garden) == (
        "Mon–Wed 10:00–19:00, Thu–Fri 10:00–20:00, Sat 10:00–19:00, Sun 12:00–18:00"
    )
    shoreditch = SHOP_STORES[1].opening_hours
    assert opening_hours_text(shoreditch).startswith("Mon closed, Tue–Wed 11:00–19:00")
    assert today_text(shoreditch, date(2026, 11, 23)) == "Closed today"  # a Monday
    assert today_text(covent_garden, date(2026, 11, 22)) == "Open today 12:00–18:00"


def test_distances_read_naturally() -> None:
    assert distance_text(0.4) == "under 1 km"
    assert distance_text(3.26) == "3.3 km"
    assert distance_text(266.4) == "266 km"

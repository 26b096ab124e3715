"""Deterministic demo data for "Lumen & Loom", the shop Baton ships with.

``seed_store`` migrates the schema and, if the database has never been seeded, fills it in
one transaction: fifteen hand-written *showcase* orders (10001-10015, documented in
docs/shop.md and pinned by ``tests/store/test_seed.py``), then generated customers and orders
that make the shop look lived-in, and the physical stores that accept returns.

Everything is computed relative to an *anchor* date ("today" for the demo), so a freshly
seeded demo always looks current: order 10001 was shipped yesterday, 10014 was delivered
exactly fourteen days ago, and so on. The anchor is stored in ``seed_meta``.

Determinism: one ``random.Random(RNG_SEED)``, drawn from in a fixed order, and no draw ever
depends on the anchor (dates are planned as whole-day offsets from it and only turned into
datetimes at the end). Two fresh databases seeded with the same anchor are identical; seeding
with another anchor shifts every date and nothing else.

Times are reasoned about in the shop's local time (Europe/London; Ireland keeps the same
clock) and stored as naive UTC. Nothing happens after 08:00 local time on the anchor day,
so the demo never shows an event "from the future" to a morning visitor.
"""

from __future__ import annotations

import asyncio
import logging
import random
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone
from decimal import Decimal
from typing import Any, Optional
from zoneinfo import ZoneInfo

from sqlalchemy import Table, func, insert, select
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from actions.store import tables as t
from actions.store.db import create_engine_for, create_schema
from actions.store.seed_returns import seed_returns

logger = logging.getLogger(__name__)

SEED_VERSION = "1"
RNG_SEED = 20261122
SHOP_TZ = ZoneInfo("Europe/London")
FIRST_ORDER_NUMBER = 10001

CURRENCY_BY_COUNTRY = {"GB": "GBP", "IE": "EUR"}
FREE_SHIPPING_OVER = Decimal("50.00")  # strictly over: a 50.00 basket still pays shipping
SHIPPING_FEE = {"GBP": Decimal("3.95"), "EUR": Decimal("4.50")}
CENT = Decimal("0.01")

# Day offsets are relative to the anchor: 0 is the anchor day, -1 the day before.
# A moment is (day offset, hour, minute) in shop-local time.
_Moment = tuple[int, int, int]


@dataclass(frozen=True)
class SeedReport:
    created: bool
    customers: int
    orders: int
    anchor: date


# --------------------------------------------------------------------------------------
# Catalogue
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Product:
    sku: str
    name: str
    category: str
    gbp: Decimal
    eur: Decimal
    final_sale: bool = False

    def price(self, currency: str) -> Decimal:
        return self.gbp if currency == "GBP" else self.eur


def _p(sku: str, name: str, category: str, gbp: str, eur: str, final: bool = False) -> Product:
    return Product(sku, name, category, Decimal(gbp), Decimal(eur), final)


# Clearance items and gift cards are final sale; underwear is returnable only unopened (a
# policy rule on the category, not a flag on the item).
CATALOGUE: tuple[Product, ...] = (
    _p("HOM-LAMP-STN", "Stoneware table lamp", "homeware", "49.00", "57.00"),
    _p("HOM-CUSH-SGE", "Linen cushion cover, sage", "homeware", "18.00", "21.00"),
    _p("HOM-CNDL-FIG", "Scented soy candle, fig & cedar", "homeware", "14.50", "17.00"),
    _p("HOM-THRW-CHR", "Wool throw, charcoal", "homeware", "65.00", "76.00"),
    _p("HOM-BSKT-RTN", "Rattan storage basket", "homeware", "29.00", "34.00"),
    _p("HOM-VASE-SET", "Ceramic bud vase set", "homeware", "22.00", "26.00"),
    _p("HOM-STOOL-CLR", "Bouclé footstool (clearance)", "homeware", "35.00", "41.00", True),
    _p("KIT-CSRL-24", "Cast iron casserole, 24 cm", "kitchen", "79.00", "92.00"),
    _p("KIT-BORD-OAK", "Oak chopping board", "kitchen", "32.00", "37.00"),
    _p("KIT-MUGS-4", "Stoneware mugs, set of 4", "kitchen", "28.00", "33.00"),
    _p("KIT-COFF-POUR", "Pour-over coffee set", "kitchen", "38.00", "44.00"),
    _p("KIT-TOWL-3", "Linen tea towels, set of 3", "kitchen", "16.00", "19.00"),
    _p("KIT-PIE-CLR", "Enamel pie dish (clearance)", "kitchen", "9.00", "11.00", True),
    _p("BED-DUV-DBL", "Washed linen duvet cover, double", "bedding", "95.00", "110.00"),
    _p("BED-PILL-PR", "Percale pillowcase pair", "bedding", "24.00", "28.00"),
    _p("BED-TOWL-WAF", "Waffle bath towel", "bedding", "19.00", "22.00"),
    _p("BED-TOPR-DBL", "Merino mattress topper, double", "bedding", "139.00", "162.00"),
    _p("CLO-TEE-WHT", "Organic cotton T-shirt, white", "clothing", "22.00", "26.00"),
    _p("CLO-JMP-NVY", "Lambswool crew jumper, navy", "clothing", "68.00", "79.00"),
    _p("CLO-JKT-OLV", "Waxed cotton jacket, olive", "clothing", "149.00", "174.00"),
    _p("CLO-CHN-STN", "Relaxed chinos, stone", "clothing", "55.00", "64.00"),
    _p("CLO-SHRT-SKY", "Linen shirt, sky blue", "clothing", "48.00", "56.00"),
    _p("CLO-SCRF-CLR", "Cable knit scarf (clearance)", "clothing", "15.00", "18.00", True),
    _p("FTW-CHEL-BRN", "Leather Chelsea boots", "footwear", "120.00", "140.00"),
    _p("FTW-TRNR-OWH", "Canvas trainers, off-white", "footwear", "58.00", "68.00"),
    _p("FTW-SLIP-SHP", "Sheepskin slippers", "footwear", "45.00", "52.00"),
    _p("ELE-HDPH-ANC", "Wireless noise-cancelling headphones", "electronics", "179.00", "209.00"),
    _p("ELE-BULB-2PK", "Smart LED bulb, 2-pack", "electronics", "24.99", "29.99"),
    _p("ELE-SPKR-SND", "Bluetooth speaker, sand", "electronics", "69.00", "80.00"),
    _p("ELE-CHRG-65W", "USB-C fast charger, 65 W", "electronics", "34.99", "40.99"),
    _p("ELE-CLCK-SUN", "Sunrise alarm clock", "electronics", "59.00", "69.00"),
    _p("ELE-READ-CLR", "Refurbished e-reader (clearance)", "electronics", "64.00", "75.00", True),
    _p("BEA-HAND-TRIO", "Hand cream trio", "beauty", "21.00", "25.00"),
    _p("BEA-WASH-BRG", "Bergamot body wash", "beauty", "14.00", "16.50"),
    _p("BEA-BRSH-BMB", "Bamboo hairbrush", "beauty", "12.00", "14.00"),
    _p("UND-BOXR-MER", "Merino boxer briefs 3-pack", "underwear", "36.00", "42.00"),
    _p("UND-BRIEF-5", "Organic cotton briefs 5-pack", "underwear", "28.00", "33.00"),
    _p("UND-BRLT-CTN", "Cotton bralette", "underwear", "26.00", "30.00"),
    _p("GFT-CARD-25", "Digital gift card, 25", "gift_cards", "25.00", "25.00", True),
    _p("GFT-CARD-50", "Digital gift card, 50", "gift_cards", "50.00", "50.00", True),
)
PRODUCTS: dict[str, Product] = {p.sku: p for p in CATALOGUE}

PAYMENT_METHODS = (
    "Visa ending 4242",
    "Visa ending 4242",
    "Mastercard ending 5100",
    "Visa ending 1881",
    "Mastercard ending 4444",
    "Amex ending 0005",
    "PayPal",
    "PayPal",
    "Apple Pay",
    "Apple Pay",
    "Google Pay",
)

DELIVERED_TO = (
    "Handed to resident",
    "Handed to resident",
    "Handed to resident",
    "Left in safe place: porch",
    "Left in safe place: behind the bin store",
    "Posted through letterbox",
    "Left in parcel locker",
    "Signed for by reception",
    "Delivered to neighbour",
)

REFUNDED_CANCELLATIONS = (
    "Cancelled at the customer's request",
    "Cancelled at the customer's request",
    "An item went out of stock before dispatch",
    "Ordered the wrong size; customer placed a new order",
)
VOIDED_CANCELLATIONS = (
    "Cancelled at the customer's request",
    "Payment could not be authorised",
    "Duplicate order placed by mistake",
)

# --------------------------------------------------------------------------------------
# Carriers
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Carrier:
    name: str
    country: str
    tracking_url: str  # with {tn}
    origin: str
    hub: str
    collected: str
    at_hub: str
    at_depot: str
    out_for_delivery: str
    depot: str  # with {city}

    def hub_for(self, city: str) -> str:
        if self.name == "An Post":
            return {"Dublin": "Dublin Mail Centre", "Cork": "Cork Mail Centre"}.get(
                city, "Athlone Mail Centre"
            )
        return self.hub


CARRIERS: dict[str, Carrier] = {
    c.name: c
    for c in (
        Carrier(
            "Royal Mail",
            "GB",
            "https://www.royalmail.com/track-your-item#/tracking-results/{tn}",
            "London Central Mail Centre",
            "Midlands Super Hub",
            "We've got it: item received by Royal Mail",
            "Item in transit through the Royal Mail network",
            "Item is at your local delivery office",
            "Out for delivery",
            "{city} Delivery Office",
        ),
        Carrier(
            "DPD",
            "GB",
            "https://track.dpd.co.uk/parcels/{tn}",
            "London Hub",
            "Birmingham Hub",
            "Parcel collected by DPD",
            "In transit at the DPD hub",
            "Arrived at local depot",
            "Out for delivery",
            "{city} depot",
        ),
        Carrier(
            "Evri",
            "GB",
            "https://www.evri.com/track/parcel/{tn}",
            "London Hub",
            "Barnsley National Hub",
            "Parcel received by Evri",
            "In transit at the Evri national hub",
            "Arrived at local depot",
            "Out for delivery",
            "{city} depot",
        ),
        Carrier(
            "An Post",
            "IE",
            "https://www.anpost.com/Post-Parcels/Track/History?item={tn}",
            "Dublin Mail Centre",
            "Athlone Mail Centre",  # see hub_for
            "Item accepted by An Post",
            "Item processed at mail centre",
            "Item at delivery office",
            "Out for delivery",
            "{city} Delivery Service Unit",
        ),
        Carrier(
            "DPD Ireland",
            "IE",
            "https://dpd.ie/tracking?parcel={tn}",
            "Dublin depot",
            "Athlone Hub",
            "Parcel collected by DPD Ireland",
            "In transit at the DPD Ireland hub",
            "Arrived at local depot",
            "Out for delivery",
            "{city} depot",
        ),
    )
}
CARRIER_WEIGHTS = {
    "GB": (("Royal Mail", "DPD", "Evri"), (45, 35, 20)),
    "IE": (("An Post", "DPD Ireland"), (60, 40)),
}

# --------------------------------------------------------------------------------------
# People and places
# --------------------------------------------------------------------------------------

# fmt: off
FIRST_NAMES = {
    "GB": (
        "Oliver", "Amelia", "Harry", "Isla", "George", "Ava", "Noah", "Mia", "Jack", "Freya",
        "Charlie", "Sophie", "Thomas", "Grace", "Oscar", "Chloe", "James", "Emily", "William",
        "Lucy", "Alfie", "Hannah", "Rhys", "Cerys", "Callum", "Eilidh", "Fraser", "Megan",
        "Arjun", "Aisha", "Mohammed", "Zara", "Kwame", "Amara", "Daniel", "Ruby", "Tomasz",
        "Yasmin",
    ),
    "IE": (
        "Aoife", "Ciarán", "Siobhán", "Niamh", "Seán", "Orla", "Cian", "Róisín", "Darragh",
        "Saoirse", "Eoin", "Caoimhe", "Conor", "Sinéad", "Oisín", "Clodagh", "Pádraig",
        "Aisling",
    ),
}
LAST_NAMES = {
    "GB": (
        "Smith", "Jones", "Taylor", "Brown", "Williams", "Wilson", "Evans", "Thomas",
        "Roberts", "Walker", "Wright", "Thompson", "White", "Hughes", "Edwards", "Green",
        "Hall", "Wood", "Harris", "Clarke", "Patel", "Khan", "Ahmed", "Okafor", "MacDonald",
        "Robertson", "Fraser", "Davies", "Morgan", "Price", "Lewis", "Bennett", "Chapman",
        "Begum", "Nowak", "McAllister",
    ),
    "IE": (
        "Kelly", "O'Sullivan", "Walsh", "O'Brien", "Byrne", "Ryan", "O'Connor", "O'Neill",
        "Doyle", "McCarthy", "Gallagher", "Kennedy", "Lynch", "Fitzgerald", "Brennan",
        "Nolan", "Quinn", "Ní Bhriain",
    ),
}
# fmt: on

# (street, outward code or Eircode routing key) per city.
STREETS: dict[str, tuple[tuple[str, str], ...]] = {
    "London": (
        ("Upper Street", "N1"), ("Camden Road", "NW1"), ("Lordship Lane", "SE22"),
        ("Northcote Road", "SW11"), ("Mare Street", "E8"), ("Fulham Palace Road", "W6"),
        ("Stoke Newington Church Street", "N16"), ("Bellenden Road", "SE15"),
        ("Westferry Road", "E14"), ("Brixton Hill", "SW2"),
    ),
    "Manchester": (
        ("Wilmslow Road", "M14"), ("Burton Road", "M20"), ("Oldham Street", "M1"),
        ("Beech Road", "M21"), ("Great Ancoats Street", "M4"),
    ),
    "Birmingham": (
        ("Harborne Road", "B15"), ("Moseley Road", "B12"), ("Bristol Road", "B29"),
        ("Alcester Road", "B13"), ("Broad Street", "B1"),
    ),
    "Leeds": (
        ("Otley Road", "LS6"), ("Roundhay Road", "LS8"), ("Call Lane", "LS1"),
        ("Harrogate Road", "LS7"),
    ),
    "Glasgow": (
        ("Byres Road", "G12"), ("Great Western Road", "G12"), ("Argyle Street", "G3"),
        ("Pollokshaws Road", "G41"), ("Dumbarton Road", "G11"),
    ),
    "Edinburgh": (
        ("Leith Walk", "EH6"), ("Bruntsfield Place", "EH10"), ("Marchmont Road", "EH9"),
        ("Broughton Street", "EH1"), ("Raeburn Place", "EH4"),
    ),
    "Bristol": (
        ("Gloucester Road", "BS7"), ("North Street", "BS3"), ("Whiteladies Road", "BS8"),
        ("Cheltenham Road", "BS6"), ("Stokes Croft", "BS1"),
    ),
    "Cardiff": (
        ("City Road", "CF24"), ("Cowbridge Road East", "CF11"), ("Whitchurch Road", "CF14"),
        ("Albany Road", "CF24"), ("Cathedral Road", "CF11"),
    ),
    "Belfast": (
        ("Lisburn Road", "BT9"), ("Ormeau Road", "BT7"), ("Botanic Avenue", "BT7"),
        ("Antrim Road", "BT15"), ("Upper Newtownards Road", "BT4"),
    ),
    "Liverpool": (
        ("Lark Lane", "L17"), ("Allerton Road", "L18"), ("Smithdown Road", "L15"),
        ("Bold Street", "L1"), ("Lodge Lane", "L8"),
    ),
    "Newcastle upon Tyne": (
        ("Osborne Road", "NE2"), ("Shields Road", "NE6"), ("Westgate Road", "NE4"),
        ("Grey Street", "NE1"), ("Chillingham Road", "NE6"),
    ),
    "Dublin": (
        ("Ranelagh Road", "D06"), ("Rathmines Road Lower", "D06"),
        ("Drumcondra Road Upper", "D09"), ("Clontarf Road", "D03"), ("Thomas Street", "D08"),
        ("Baggot Street Lower", "D02"), ("Sandymount Road", "D04"),
    ),
    "Cork": (
        ("MacCurtain Street", "T23"), ("Douglas Road", "T12"), ("Washington Street", "T12"),
        ("Blackrock Road", "T12"),
    ),
    "Galway": (
        ("Shop Street", "H91"), ("Dominick Street Upper", "H91"), ("Salthill Promenade", "H91"),
    ),
    "Limerick": (("O'Connell Avenue", "V94"), ("Henry Street", "V94"), ("Ennis Road", "V94")),
}  # fmt: skip
CITY_COUNTRY = {city: "IE" for city in ("Dublin", "Cork", "Galway", "Limerick")}

# How many generated customers live where: 30 in the UK, 10 in Ireland. With Liam that is
# 11 of 44 customers (25%) in Ireland.
_CITY_PLAN = (
    ("London", 5), ("Manchester", 3), ("Birmingham", 3), ("Glasgow", 3), ("Bristol", 3),
    ("Liverpool", 3), ("Leeds", 2), ("Edinburgh", 2), ("Cardiff", 2), ("Belfast", 2),
    ("Newcastle upon Tyne", 2), ("Dublin", 5), ("Cork", 2), ("Galway", 2), ("Limerick", 1),
)  # fmt: skip

# How many generated orders are in each state, and how many of those ship in 2-3 parcels.
_STATE_PLAN: tuple[tuple[str, int, int], ...] = (
    ("delivered", 40, 6),
    ("shipped", 14, 4),
    ("out_for_delivery", 7, 0),
    ("delayed", 7, 0),
    ("lost_in_transit", 5, 0),
    ("placed", 7, 0),
    ("paid", 7, 0),
    ("packed", 7, 0),
    ("cancelled", 11, 0),
)

_POSTCODE_LETTERS = "ABDEFGHJLNPQRSTUWXYZ"  # letters used in the inward code
_EIRCODE_CHARS = "0123456789ACDEFHKNPRTVWXY"

# Physical shops that take returns. Phone numbers are in Ofcom's drama ranges (UK) or
# otherwise made up.
STORES: tuple[dict[str, Any], ...] = (
    {
        "name": "Lumen & Loom Covent Garden",
        "line1": "41 Floral Street",
        "city": "London",
        "postal_code": "WC2E 9DG",
        "country": "GB",
        "phone": "+442079460101",
        "latitude": 51.5124,
        "longitude": -0.1244,
        "opening_hours": {
            "mon": "10:00-19:00", "tue": "10:00-19:00", "wed": "10:00-19:00",
            "thu": "10:00-20:00", "fri": "10:00-20:00", "sat": "10:00-19:00",
            "sun": "12:00-18:00",
        },
    },
    {
        "name": "Lumen & Loom Shoreditch",
        "line1": "118 Commercial Street",
        "city": "London",
        "postal_code": "E1 6NF",
        "country": "GB",
        "phone": "+442079460102",
        "latitude": 51.5206,
        "longitude": -0.0751,
        "opening_hours": {
            "mon": None, "tue": "11:00-19:00", "wed": "11:00-19:00", "thu": "11:00-20:00",
            "fri": "11:00-20:00", "sat": "10:00-19:00", "sun": "11:00-17:00",
        },
    },
    {
        "name": "Lumen & Loom Manchester",
        "line1": "45 King Street",
        "city": "Manchester",
        "postal_code": "M2 4LQ",
        "country": "GB",
        "phone": "+441614960103",
        "latitude": 53.4810,
        "longitude": -2.2452,
        "opening_hours": {
            "mon": "09:30-18:00", "tue": "09:30-18:00", "wed": "09:30-18:00",
            "thu": "09:30-20:00", "fri": "09:30-18:00", "sat": "09:30-18:00",
            "sun": "11:00-17:00",
        },
    },
    {
        "name": "Lumen & Loom Birmingham",
        "line1": "12 New Street",
        "city": "Birmingham",
        "postal_code": "B2 4RH",
        "country": "GB",
        "phone": "+441214960104",
        "latitude": 52.4794,
        "longitude": -1.8986,
        "opening_hours": {
            "mon": "09:00-18:00", "tue": "09:00-18:00", "wed": "09:00-18:00",
            "thu": "09:00-19:00", "fri": "09:00-18:00", "sat": "09:00-18:00",
            "sun": "11:00-17:00",
        },
    },
    {
        "name": "Lumen & Loom Leeds",
        "line1": "27 Briggate",
        "city": "Leeds",
        "postal_code": "LS1 6HD",
        "country": "GB",
        "phone": "+441134960105",
        "latitude": 53.7980,
        "longitude": -1.5419,
        "opening_hours": {
            "mon": "09:00-17:30", "tue": "09:00-17:30", "wed": "09:00-17:30",
            "thu": "09:00-19:00", "fri": "09:00-17:30", "sat": "09:00-18:00",
            "sun": "10:30-16:30",
        },
    },
    {
        "name": "Lumen & Loom Edinburgh",
        "line1": "88 George Street",
        "city": "Edinburgh",
        "postal_code": "EH2 3BU",
        "country": "GB",
        "phone": "+441314960106",
        "latitude": 55.9531,
        "longitude": -3.2010,
        "opening_hours": {
            "mon": "09:30-18:00", "tue": "09:30-18:00", "wed": "09:30-18:00",
            "thu": "09:30-19:30", "fri": "09:30-18:00", "sat": "09:00-18:00",
            "sun": "11:00-17:00",
        },
    },
    {
        "name": "Lumen & Loom Glasgow",
        "line1": "154 Buchanan Street",
        "city": "Glasgow",
        "postal_code": "G1 2LW",
        "country": "GB",
        "phone": "+441414960107",
        "latitude": 55.8624,
        "longitude": -4.2534,
        "opening_hours": {
            "mon": "09:00-18:00", "tue": "09:00-18:00", "wed": "09:00-18:00",
            "thu": "09:00-20:00", "fri": "09:00-18:00", "sat": "09:00-18:00",
            "sun": "10:00-17:00",
        },
    },
    {
        "name": "Lumen & Loom Bristol",
        "line1": "19 Park Street",
        "city": "Bristol",
        "postal_code": "BS1 5NH",
        "country": "GB",
        "phone": "+441174960108",
        "latitude": 51.4541,
        "longitude": -2.6031,
        "opening_hours": {
            "mon": "10:00-18:00", "tue": "10:00-18:00", "wed": "10:00-18:00",
            "thu": "10:00-18:00", "fri": "10:00-18:00", "sat": "09:30-18:00",
            "sun": None,
        },
    },
    {
        "name": "Lumen & Loom Dublin",
        "line1": "61 Grafton Street",
        "city": "Dublin",
        "postal_code": "D02 VK65",
        "country": "IE",
        "phone": "+35315550109",
        "latitude": 53.3410,
        "longitude": -6.2603,
        "opening_hours": {
            "mon": "09:30-18:30", "tue": "09:30-18:30", "wed": "09:30-18:30",
            "thu": "09:30-20:00", "fri": "09:30-19:00", "sat": "09:30-19:00",
            "sun": "12:00-18:00",
        },
    },
    {
        "name": "Lumen & Loom Cork",
        "line1": "34 Oliver Plunkett Street",
        "city": "Cork",
        "postal_code": "T12 X8P2",
        "country": "IE",
        "phone": "+353215550110",
        "latitude": 51.8983,
        "longitude": -8.4712,
        "opening_hours": {
            "mon": "09:30-18:00", "tue": "09:30-18:00", "wed": "09:30-18:00",
            "thu": "09:30-19:00", "fri": "09:30-19:00", "sat": "09:30-18:00",
            "sun": None,
        },
    },
)  # fmt: skip

# Insert order (parents before children).
_TABLES: tuple[Table, ...] = (
    t.customers,
    t.addresses,
    t.orders,
    t.order_items,
    t.shipments,
    t.shipment_items,
    t.tracking_events,
    t.stores,
    t.seed_meta,
)

# --------------------------------------------------------------------------------------
# Plans: what happens to an order, in whole-day offsets from the anchor
# --------------------------------------------------------------------------------------


@dataclass
class _Customer:
    id: int
    first_name: str
    last_name: str
    email: str
    phone: str
    line1: str
    line2: Optional[str]
    city: str
    postal_code: str
    country: str
    created: Optional[_Moment] = None
    created_minutes_before: int = 0  # with created == first order's moment

    @property
    def currency(self) -> str:
        return CURRENCY_BY_COUNTRY[self.country]


@dataclass
class _Parcel:
    carrier: str
    lines: list[int]  # indexes into the order's lines
    status: str  # in_transit, out_for_delivery, delivered, delayed, lost
    shipped_day: int
    eta_day: Optional[int] = None
    depot_day: Optional[int] = None  # in_transit only: reached the local depot that day
    delivered: Optional[_Moment] = None
    delivered_to: Optional[str] = None
    delay_day: Optional[int] = None
    delay_reason: Optional[str] = None
    last_scan_day: Optional[int] = None  # lost only


@dataclass
class _Order:
    customer: _Customer
    status: str
    placed: _Moment
    lines: list[tuple[Product, int]]
    payment_method: str
    payment_status: str  # pending, paid, refunded, voided
    paid_after_minutes: Optional[int]
    expected_dispatch: Optional[int] = None
    promised: Optional[int] = None
    parcels: list[_Parcel] = field(default_factory=list)
    cancelled: Optional[_Moment] = None
    cancellation_reason: Optional[str] = None
    refunded_after_minutes: Optional[int] = None


# --------------------------------------------------------------------------------------
# The builder
# --------------------------------------------------------------------------------------


def _ascii_slug(text: str) -> str:
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return "".join(ch for ch in folded.lower() if ch.isalnum())


def _s10_check_digit(digits: Sequence[int]) -> int:
    """UPU S10 check digit (Royal Mail and An Post tracked items)."""
    total = sum(d * w for d, w in zip(digits, (8, 6, 4, 2, 3, 5, 9, 7), strict=True))
    check = 11 - total % 11
    return {10: 0, 11: 5}.get(check, check)


class _ShopBuilder:
    def __init__(self, anchor: date) -> None:
        self.anchor = anchor
        self.rng = random.Random(RNG_SEED)
        self.rows: dict[str, list[dict[str, Any]]] = {tbl.name: [] for tbl in _TABLES}
        self._emails: set[str] = set()
        self._phones: set[str] = set()
        self._names: set[tuple[str, str]] = set()
        self._tracking: set[str] = set()

    # -- time ---------------------------------------------------------------------------

    def at(self, moment: _Moment) -> datetime:
        """Shop-local (day offset, hour, minute) as naive UTC."""
        day, hour, minute = moment
        local = datetime.combine(
            self.anchor + timedelta(days=day), time(hour, minute), tzinfo=SHOP_TZ
        )
        return local.astimezone(timezone.utc).replace(tzinfo=None)

    def day(self, offset: Optional[int]) -> Optional[date]:
        return None if offset is None else self.anchor + timedelta(days=offset)

    def moment(self, day: int, first_hour: int, last_hour: int) -> _Moment:
        """A random minute between first_hour:00 and last_hour:59 on ``day``."""
        return (day, self.rng.randint(first_hour, last_hour), self.rng.randint(0, 59))

    # -- the whole shop -----------------------------------------------------------------

    def build(self) -> dict[str, list[dict[str, Any]]]:
        showcase_customers = self._showcase_customers()
        showcase_orders = self._showcase_orders(showcase_customers)
        customers = self._generated_customers(first_id=len(showcase_customers) + 1)
        orders = self._generated_orders(customers)
        self._set_signup_moments(customers, orders)

        for customer in showcase_customers + customers:
            self._emit_customer(customer)
        for number, order in enumerate(showcase_orders + orders, start=FIRST_ORDER_NUMBER):
            self._emit_order(order, number)
        for store_id, store in enumerate(STORES, start=1):
            hours = dict(store["opening_hours"])
            self.rows["stores"].append(
                {"id": store_id, **store, "opening_hours": hours, "accepts_returns": True}
            )
        self.rows["seed_meta"].extend(
            [
                {"key": "version", "value": SEED_VERSION},
                {"key": "anchor", "value": self.anchor.isoformat()},
            ]
        )
        return self.rows

    # -- showcase (docs/shop.md) -----------------------------------------------------------

    def _showcase_customers(self) -> list[_Customer]:
        people = [
            _Customer(1, "Jane", "Doe", "jane.doe@example.com", "+447700900001",
                      "14 Abbey Road", None, "London", "SW1A 1AA", "GB", (-412, 19, 5)),
            _Customer(2, "Liam", "Murphy", "liam.murphy@example.ie", "+353851234567",
                      "7 Merrion Square", None, "Dublin", "D02 X285", "IE", (-230, 12, 30)),
            _Customer(3, "Priya", "Shah", "priya.shah@example.com", "+447700900003",
                      "22 Portland Street", None, "Manchester", "M1 1AE", "GB", (-150, 9, 15)),
            _Customer(4, "Ewan", "Campbell", "ewan.campbell@example.com", "+447700900004",
                      "3 Royal Mile", None, "Edinburgh", "EH1 1YZ", "GB", (-61, 20, 40)),
        ]  # fmt: skip
        for person in people:
            self._emails.add(person.email)
            self._phones.add(person.phone)
            self._names.add((person.first_name, person.last_name))
        return people

    def _showcase_orders(self, people: list[_Customer]) -> list[_Order]:
        jane, liam, priya, ewan = people
        rng = self.rng

        def order(
            customer: _Customer,
            status: str,
            placed: _Moment,
            lines: list[tuple[str, int]],
            method: str,
            **kwargs: Any,
        ) -> _Order:
            kwargs.setdefault("payment_status", "paid")
            kwargs.setdefault("paid_after_minutes", rng.randint(1, 4))
            return _Order(
                customer,
                status,
                placed,
                [(PRODUCTS[sku], qty) for sku, qty in lines],
                method,
                **kwargs,
            )

        return [
            # 10001: in transit with DPD, due in two days.
            order(jane, "shipped", (-3, 19, 24), [("HOM-LAMP-STN", 1)], "Visa ending 4242",
                  promised=2,
                  parcels=[_Parcel("DPD", [0], "in_transit", -1, eta_day=2, depot_day=0)]),
            # 10002: delivered three days ago at 11:42.
            order(jane, "delivered", (-7, 12, 5), [("CLO-JMP-NVY", 1)], "Visa ending 4242",
                  promised=-3,
                  parcels=[_Parcel("Royal Mail", [0], "delivered", -5, eta_day=-3,
                                   delivered=(-3, 11, 42), delivered_to="Handed to resident")]),
            # 10003: promised yesterday, stuck at the mail centre, new ETA in three days.
            order(liam, "delayed", (-6, 20, 15), [("ELE-HDPH-ANC", 1)], "Mastercard ending 5100",
                  promised=-1,
                  parcels=[_Parcel("An Post", [0], "delayed", -4, eta_day=3, delay_day=-1,
                                   delay_reason="Delayed at Dublin Mail Centre due to high "
                                   "volumes")]),
            # 10004: placed last night, payment still pending.
            order(priya, "placed", (-1, 21, 48), [("HOM-THRW-CHR", 1)], "PayPal",
                  payment_status="pending", paid_after_minutes=None,
                  expected_dispatch=2, promised=4),
            # 10005: paid, leaves the warehouse tomorrow.
            order(priya, "paid", (-1, 13, 10), [("BED-PILL-PR", 2)], "Apple Pay",
                  expected_dispatch=1, promised=3),
            # 10006: packed, leaves the warehouse today.
            order(ewan, "packed", (-2, 10, 30), [("FTW-CHEL-BRN", 1)], "Visa ending 1881",
                  expected_dispatch=0, promised=2),
            # 10007: out for delivery this morning.
            order(jane, "out_for_delivery", (-3, 8, 40), [("ELE-SPKR-SND", 1)], "Apple Pay",
                  promised=0,
                  parcels=[_Parcel("Evri", [0], "out_for_delivery", -1, eta_day=0)]),
            # 10008: lost: no scan for nine days, promised six days ago.
            order(liam, "lost_in_transit", (-11, 14, 22), [("ELE-CLCK-SUN", 1)], "PayPal",
                  promised=-6,
                  parcels=[_Parcel("DPD Ireland", [0], "lost", -10, last_scan_day=-9)]),
            # 10009: paid, then cancelled and refunded four days ago.
            order(priya, "cancelled", (-5, 9, 12), [("KIT-CSRL-24", 1)], "Mastercard ending 5100",
                  payment_status="refunded", promised=-1, cancelled=(-4, 10, 5),
                  cancellation_reason="An item went out of stock before dispatch",
                  refunded_after_minutes=15),
            # 10010: split: parcel 1 delivered yesterday, parcel 2 on its way.
            order(liam, "shipped", (-5, 19, 2),
                  [("BED-DUV-DBL", 1), ("BED-PILL-PR", 1), ("HOM-LAMP-STN", 1)], "Google Pay",
                  promised=2,
                  parcels=[
                      _Parcel("An Post", [0, 1], "delivered", -3, eta_day=-1,
                              delivered=(-1, 13, 20), delivered_to="Handed to resident"),
                      _Parcel("DPD Ireland", [2], "in_transit", -1, eta_day=2),
                  ]),
            # 10011: three items, delivered ten days ago.
            order(jane, "delivered", (-14, 18, 33),
                  [("HOM-CNDL-FIG", 2), ("CLO-TEE-WHT", 1), ("ELE-BULB-2PK", 1)],
                  "Visa ending 4242", promised=-10,
                  parcels=[_Parcel("DPD", [0, 1, 2], "delivered", -12, eta_day=-10,
                                   delivered=(-10, 14, 10),
                                   delivered_to="Left in safe place: porch")]),
            # 10012: cancelled before payment was taken.
            order(ewan, "cancelled", (-8, 22, 30), [("FTW-TRNR-OWH", 1)], "Visa ending 1881",
                  payment_status="voided", paid_after_minutes=None, promised=-5,
                  cancelled=(-8, 22, 41),
                  cancellation_reason="Cancelled at the customer's request"),
            # 10013: delivered 40 days ago, outside a 30-day return window.
            order(priya, "delivered", (-44, 11, 7), [("CLO-SHRT-SKY", 1)], "Apple Pay",
                  promised=-40,
                  parcels=[_Parcel("Evri", [0], "delivered", -42, eta_day=-40,
                                   delivered=(-40, 12, 31),
                                   delivered_to="Delivered to neighbour")]),
            # 10014: delivered exactly 14 days ago at 15:00, the edge of a 14-day window.
            order(ewan, "delivered", (-17, 9, 55), [("ELE-CLCK-SUN", 1)], "Visa ending 1881",
                  promised=-14,
                  parcels=[_Parcel("Royal Mail", [0], "delivered", -16, eta_day=-14,
                                   delivered=(-14, 15, 0), delivered_to="Handed to resident")]),
            # 10015: a final-sale clearance item and underwear.
            order(ewan, "delivered", (-23, 20, 18),
                  [("CLO-SCRF-CLR", 1), ("UND-BOXR-MER", 1)], "Visa ending 1881", promised=-20,
                  parcels=[_Parcel("DPD", [0, 1], "delivered", -21, eta_day=-20,
                                   delivered=(-20, 10, 47), delivered_to="Handed to resident")]),
        ]  # fmt: skip

    # -- generated customers ----------------------------------------------------------------

    def _generated_customers(self, first_id: int) -> list[_Customer]:
        rng = self.rng
        cities = [city for city, count in _CITY_PLAN for _ in range(count)]
        rng.shuffle(cities)
        people = []
        for customer_id, city in enumerate(cities, start=first_id):
            country = CITY_COUNTRY.get(city, "GB")
            first, last = self._unique_name(country)
            street, outward = rng.choice(STREETS[city])
            line1 = f"{rng.randint(2, 180)} {street}"
            line2 = None
            if rng.random() < 0.2:
                line2 = f"{'Apartment' if country == 'IE' else 'Flat'} {rng.randint(1, 24)}"
            if country == "IE":
                ident = rng.choice("ACDEFHKNPRTVWXY") + "".join(
                    rng.choice(_EIRCODE_CHARS) for _ in range(3)
                )
                postcode = f"{outward} {ident}"
            else:
                inward = f"{rng.randint(1, 9)}{rng.choice(_POSTCODE_LETTERS)}"
                postcode = f"{outward} {inward}{rng.choice(_POSTCODE_LETTERS)}"
            people.append(
                _Customer(
                    customer_id,
                    first,
                    last,
                    self._unique_email(first, last, country),
                    self._unique_phone(country),
                    line1,
                    line2,
                    city,
                    postcode,
                    country,
                )
            )
        return people

    def _unique_name(self, country: str) -> tuple[str, str]:
        while True:
            name = (self.rng.choice(FIRST_NAMES[country]), self.rng.choice(LAST_NAMES[country]))
            if name not in self._names:
                self._names.add(name)
                return name

    def _unique_email(self, first: str, last: str, country: str) -> str:
        if country == "IE":
            domain = self.rng.choice(("example.ie", "example.ie", "example.com"))
        else:
            domain = self.rng.choice(("example.com", "example.co.uk"))
        local = f"{_ascii_slug(first)}.{_ascii_slug(last)}"
        email, n = f"{local}@{domain}", 1
        while email in self._emails:
            n += 1
            email = f"{local}{n}@{domain}"
        self._emails.add(email)
        return email

    def _unique_phone(self, country: str) -> str:
        while True:
            if country == "IE":
                phone = f"+35385{self.rng.randint(1_000_000, 9_999_999)}"
            else:  # Ofcom's drama range 07700 900000-900999
                phone = f"+447700900{self.rng.randint(100, 999)}"
            if phone not in self._phones:
                self._phones.add(phone)
                return phone

    def _set_signup_moments(self, customers: list[_Customer], orders: list[_Order]) -> None:
        first_order: dict[int, _Moment] = {}
        for order in orders:
            cid = order.customer.id
            if cid not in first_order or order.placed < first_order[cid]:
                first_order[cid] = order.placed
        for customer in customers:
            first = first_order[customer.id]
            if self.rng.random() < 0.3:  # signed up while placing the first order
                customer.created = first
                customer.created_minutes_before = self.rng.randint(2, 25)
            else:
                customer.created = self.moment(first[0] - self.rng.randint(20, 900), 7, 22)

    # -- generated orders -------------------------------------------------------------------

    def _generated_orders(self, customers: list[_Customer]) -> list[_Order]:
        rng = self.rng
        plan = [
            (state, index < splits)
            for state, count, splits in _STATE_PLAN
            for index in range(count)
        ]
        rng.shuffle(plan)
        # Every generated customer orders at least once; some order often.
        buyers = list(customers)
        rng.shuffle(buyers)
        buyers += [rng.choice(customers) for _ in range(len(plan) - len(buyers))]
        orders = [
            self._plan_order(buyer, state, split)
            for buyer, (state, split) in zip(buyers, plan, strict=True)
        ]
        # Order numbers follow the order in which orders were placed.
        orders.sort(key=lambda o: o.placed)
        return orders

    def _pick_lines(self, count: int) -> list[tuple[Product, int]]:
        products = self.rng.sample(CATALOGUE, count)
        lines = []
        for product in products:
            qty = 1
            if product.category != "gift_cards":
                qty = self.rng.choices((1, 2, 3), weights=(80, 16, 4))[0]
            lines.append((product, qty))
        return lines

    def _carrier(self, country: str) -> str:
        names, weights = CARRIER_WEIGHTS[country]
        return self.rng.choices(names, weights=weights)[0]

    def _transit_days(self, country: str) -> int:
        return self.rng.randint(1, 2) if country == "GB" else self.rng.randint(2, 3)

    def _plan_order(self, customer: _Customer, state: str, split: bool) -> _Order:
        rng = self.rng
        country = customer.country
        parcel_count = rng.choice((2, 2, 3)) if split else 1
        if split:
            line_count = rng.randint(parcel_count, 4)
        else:
            line_count = rng.choices((1, 2, 3, 4), weights=(40, 33, 20, 7))[0]
        lines = self._pick_lines(line_count)
        method = rng.choice(PAYMENT_METHODS)
        paid_after = rng.randint(1, 12)

        def make(placed_day: int, **kwargs: Any) -> _Order:
            kwargs.setdefault("payment_status", "paid")
            kwargs.setdefault("paid_after_minutes", paid_after)
            return _Order(customer, state, self.moment(placed_day, 7, 22), lines, method, **kwargs)

        if state in ("placed", "paid", "packed"):
            placed_day = rng.randint(-3 if state == "packed" else -2, -1)
            dispatch = rng.randint(0, 1) if state == "packed" else rng.randint(0, 2)
            if state == "placed":
                dispatch = max(dispatch, 1)
                return make(
                    placed_day,
                    payment_status="pending",
                    paid_after_minutes=None,
                    expected_dispatch=dispatch,
                    promised=dispatch + self._transit_days(country) + 1,
                )
            return make(
                placed_day,
                expected_dispatch=dispatch,
                promised=dispatch + self._transit_days(country) + 1,
            )

        if state == "cancelled":
            return self._plan_cancelled(make)

        groups = self._split_lines(len(lines), parcel_count)
        if state == "delivered":
            placed_day = rng.randint(-90, -7)
            parcels = []
            for group in groups:
                shipped = placed_day + rng.randint(1, 2)
                delivered_day = shipped + self._transit_days(country) + rng.randint(0, 1)
                parcels.append(
                    _Parcel(
                        self._carrier(country),
                        group,
                        "delivered",
                        shipped,
                        eta_day=delivered_day,
                        delivered=self.moment(delivered_day, 9, 17),
                        delivered_to=rng.choice(DELIVERED_TO),
                    )
                )
            last = max(p.delivered[0] for p in parcels if p.delivered)
            return make(placed_day, promised=last + rng.choice((0, 0, 1)), parcels=parcels)

        if state == "shipped":
            placed_day = rng.randint(-6, -3) if split else rng.randint(-5, -2)
            parcels = []
            for index, group in enumerate(groups):
                if split and index == 0 and rng.random() < 0.6:
                    shipped = placed_day + 1
                    delivered_day = rng.randint(shipped + 1, -1)
                    parcels.append(
                        _Parcel(
                            self._carrier(country),
                            group,
                            "delivered",
                            shipped,
                            eta_day=delivered_day,
                            delivered=self.moment(delivered_day, 9, 17),
                            delivered_to=rng.choice(DELIVERED_TO),
                        )
                    )
                    continue
                shipped = rng.randint(placed_day + 1, -1)
                eta = max(shipped + self._transit_days(country) + 1, 1)
                parcels.append(
                    _Parcel(
                        self._carrier(country),
                        group,
                        "in_transit",
                        shipped,
                        eta_day=eta,
                        depot_day=0 if eta == 1 else None,
                    )
                )
            last = max(p.eta_day for p in parcels if p.eta_day is not None)
            return make(placed_day, promised=last + rng.choice((0, 0, 1)), parcels=parcels)

        carrier = self._carrier(country)
        if state == "out_for_delivery":
            shipped = rng.randint(-2, -1)
            placed_day = shipped - rng.randint(1, 2)
            parcel = _Parcel(carrier, groups[0], "out_for_delivery", shipped, eta_day=0)
            return make(placed_day, promised=rng.choice((0, 0, 1)), parcels=[parcel])

        if state == "delayed":
            promised = rng.randint(-2, 0)
            placed_day = promised - rng.randint(4, 5)
            shipped = placed_day + rng.randint(1, 2)
            delay_day = rng.randint(shipped + 1, -1)
            hub = CARRIERS[carrier].hub_for(customer.city)
            reason = rng.choice(
                (
                    f"Delayed at {hub} due to high volumes",
                    "Delayed by severe weather in the area",
                    "Delayed: the parcel missed its connection to your local depot",
                    f"Delayed at {hub}: the parcel needs a new label and will move shortly",
                )
            )
            parcel = _Parcel(
                carrier,
                groups[0],
                "delayed",
                shipped,
                eta_day=rng.randint(1, 4),
                delay_day=delay_day,
                delay_reason=reason,
            )
            return make(placed_day, promised=promised, parcels=[parcel])

        if state == "lost_in_transit":
            placed_day = rng.randint(-25, -15)
            shipped = placed_day + rng.randint(1, 2)
            parcel = _Parcel(
                carrier, groups[0], "lost", shipped, last_scan_day=shipped + rng.randint(1, 3)
            )
            promised = shipped + self._transit_days(country) + 1
            return make(placed_day, promised=promised, parcels=[parcel])

        raise ValueError(f"unknown order state {state!r}")

    def _plan_cancelled(self, make: Callable[..., _Order]) -> _Order:
        rng = self.rng
        placed_day = rng.randint(-60, -2)
        refunded = rng.random() < 0.6
        order = make(placed_day, promised=placed_day + rng.randint(3, 5))
        placed_hour = order.placed[1]
        if rng.random() < 0.5 or placed_hour >= 22:
            order.cancelled = self.moment(placed_day + 1, 7, 21)
        else:
            order.cancelled = self.moment(placed_day, placed_hour + 1, 22)
        if refunded:
            order.payment_status = "refunded"
            order.refunded_after_minutes = rng.randint(2, 90)
            order.cancellation_reason = rng.choice(REFUNDED_CANCELLATIONS)
        else:
            order.payment_status = "voided"
            order.paid_after_minutes = None
            order.cancellation_reason = rng.choice(VOIDED_CANCELLATIONS)
        return order

    def _split_lines(self, line_count: int, parcel_count: int) -> list[list[int]]:
        """Assign each line to exactly one parcel; every parcel gets at least one line."""
        indexes = list(range(line_count))
        self.rng.shuffle(indexes)
        groups: list[list[int]] = [[i] for i in indexes[:parcel_count]]
        for i in indexes[parcel_count:]:
            groups[self.rng.randrange(parcel_count)].append(i)
        for group in groups:
            group.sort()
        groups.sort()
        return groups

    # -- rows -----------------------------------------------------------------------------

    def _emit_customer(self, c: _Customer) -> None:
        if c.created is None:  # pragma: no cover - every customer has one by now
            raise ValueError(f"customer {c.id} has no sign-up moment")
        created = self.at(c.created) - timedelta(minutes=c.created_minutes_before)
        self.rows["customers"].append(
            {
                "id": c.id,
                "first_name": c.first_name,
                "last_name": c.last_name,
                "email": c.email,
                "phone": c.phone,
                "postal_code": c.postal_code,
                "created_at": created,
            }
        )
        self.rows["addresses"].append(
            {
                "id": c.id,
                "customer_id": c.id,
                "line1": c.line1,
                "line2": c.line2,
                "city": c.city,
                "postal_code": c.postal_code,
                "country": c.country,
            }
        )

    def _emit_order(self, o: _Order, number: int) -> None:
        order_id = number - FIRST_ORDER_NUMBER + 1
        currency = o.customer.currency
        item_ids: list[int] = []
        subtotal = Decimal("0.00")
        items = self.rows["order_items"]
        for product, qty in o.lines:
            unit_price = product.price(currency)
            subtotal += unit_price * qty
            item_ids.append(len(items) + 1)
            items.append(
                {
                    "id": len(items) + 1,
                    "order_id": order_id,
                    "sku": product.sku,
                    "product_name": product.name,
                    "category": product.category,
                    "quantity": qty,
                    "unit_price": unit_price,
                    "final_sale": product.final_sale,
                }
            )
        subtotal = subtotal.quantize(CENT)
        fee = Decimal("0.00") if subtotal > FREE_SHIPPING_OVER else SHIPPING_FEE[currency]
        placed_at = self.at(o.placed)
        cancelled_at = self.at(o.cancelled) if o.cancelled else None
        refunded_at = None
        if cancelled_at is not None and o.refunded_after_minutes is not None:
            refunded_at = cancelled_at + timedelta(minutes=o.refunded_after_minutes)
        paid_at = None
        if o.paid_after_minutes is not None:
            paid_at = placed_at + timedelta(minutes=o.paid_after_minutes)
        self.rows["orders"].append(
            {
                "id": order_id,
                "number": str(number),
                "customer_id": o.customer.id,
                "shipping_address_id": o.customer.id,
                "status": o.status,
                "placed_at": placed_at,
                "paid_at": paid_at,
                "currency": currency,
                "subtotal": subtotal,
                "shipping_fee": fee,
                "total": subtotal + fee,
                "expected_dispatch": self.day(o.expected_dispatch),
                "promised_delivery": self.day(o.promised),
                "cancelled_at": cancelled_at,
                "cancellation_reason": o.cancellation_reason,
                "payment_status": o.payment_status,
                "refunded_at": refunded_at,
                "payment_method": o.payment_method,
            }
        )
        for parcel in o.parcels:
            self._emit_parcel(order_id, o, parcel, item_ids)

    def _emit_parcel(self, order_id: int, o: _Order, p: _Parcel, item_ids: list[int]) -> None:
        carrier = CARRIERS[p.carrier]
        shipment_id = len(self.rows["shipments"]) + 1
        tracking_number = self._tracking_number(p.carrier)
        events = self._journey(carrier, p, o.customer)
        delivered_at = self.at(p.delivered) if p.delivered else None
        self.rows["shipments"].append(
            {
                "id": shipment_id,
                "order_id": order_id,
                "carrier": p.carrier,
                "tracking_number": tracking_number,
                "tracking_url": carrier.tracking_url.format(tn=tracking_number),
                "status": p.status,
                "shipped_at": self.at(events[0][0]),
                "estimated_delivery": self.day(p.eta_day),
                "delivered_at": delivered_at,
                "delivered_to": p.delivered_to,
            }
        )
        for line in p.lines:
            self.rows["shipment_items"].append(
                {
                    "shipment_id": shipment_id,
                    "order_item_id": item_ids[line],
                    "quantity": o.lines[line][1],
                }
            )
        tracking = self.rows["tracking_events"]
        for moment, status, description, location in events:
            tracking.append(
                {
                    "id": len(tracking) + 1,
                    "shipment_id": shipment_id,
                    "occurred_at": self.at(moment),
                    "status": status,
                    "description": description,
                    "location": location,
                }
            )

    def _journey(
        self, carrier: Carrier, p: _Parcel, customer: _Customer
    ) -> list[tuple[_Moment, str, str, str]]:
        """Tracking events, oldest first; event statuses use the shipment vocabulary."""
        city = customer.city
        hub = carrier.hub_for(city)
        depot = carrier.depot.format(city=city)
        doorstep = f"{city} {customer.postal_code.split()[0]}"
        s = p.shipped_day
        events = [
            (self.moment(s, 16, 18), "in_transit", carrier.collected, carrier.origin),
            (self.moment(s, 21, 23), "in_transit", carrier.at_hub, hub),
        ]
        if p.status == "in_transit" and p.depot_day is not None:
            events.append((self.moment(p.depot_day, 4, 5), "in_transit", carrier.at_depot, depot))
        elif p.status in ("out_for_delivery", "delivered"):
            day = p.delivered[0] if p.delivered else 0
            events.append((self.moment(day, 4, 5), "in_transit", carrier.at_depot, depot))
            round_start = (day, 6, self.rng.randint(30, 59))
            if self.rng.random() < 0.5:
                round_start = (day, 7, self.rng.randint(0, 50))
            events.append((round_start, "out_for_delivery", carrier.out_for_delivery, depot))
            if p.delivered:
                events.append((p.delivered, "delivered", "Delivered", doorstep))
        elif p.status == "delayed" and p.delay_day is not None and p.delay_reason:
            events.append((self.moment(p.delay_day, 8, 11), "delayed", p.delay_reason, hub))
        elif p.status == "lost" and p.last_scan_day is not None:
            description = f"Sorted at {hub}: on its way to your local depot"
            events.append((self.moment(p.last_scan_day, 2, 5), "in_transit", description, hub))
        return events

    def _tracking_number(self, carrier: str) -> str:
        rng = self.rng
        while True:
            if carrier in ("Royal Mail", "An Post"):
                prefixes = ("JV", "JX", "TT", "LJ") if carrier == "Royal Mail" else ("CE", "LX")
                digits = [rng.randint(0, 9) for _ in range(8)]
                suffix = "GB" if carrier == "Royal Mail" else "IE"
                serial = "".join(map(str, digits))
                number = f"{rng.choice(prefixes)}{serial}{_s10_check_digit(digits)}{suffix}"
            elif carrier == "DPD":
                number = f"1550{rng.randint(0, 10**10 - 1):010d}"
            elif carrier == "DPD Ireland":
                number = f"1855{rng.randint(0, 10**10 - 1):010d}"
            else:  # Evri: H + 2 digits + 3 letters + 10 digits
                letters = "".join(rng.choice("ABCDEFGHJKLMNPRSTUVWXYZ") for _ in range(3))
                number = f"H{rng.randint(0, 99):02d}{letters}{rng.randint(0, 10**10 - 1):010d}"
            if number not in self._tracking:
                self._tracking.add(number)
                return number


def build_rows(anchor: date) -> dict[str, list[dict[str, Any]]]:
    """Every row of the demo shop, by table name, for ``anchor`` (pure; no database)."""
    return _ShopBuilder(anchor).build()


# --------------------------------------------------------------------------------------
# Seeding
# --------------------------------------------------------------------------------------


def shop_today() -> date:
    return datetime.now(SHOP_TZ).date()


async def _meta(conn: AsyncConnection, key: str) -> Optional[str]:
    result = await conn.execute(select(t.seed_meta.c.value).where(t.seed_meta.c.key == key))
    value = result.scalar_one_or_none()
    return None if value is None else str(value)


async def _report(engine: AsyncEngine, created: bool) -> SeedReport:
    async with engine.connect() as conn:
        customers = (await conn.execute(select(func.count()).select_from(t.customers))).scalar()
        orders = (await conn.execute(select(func.count()).select_from(t.orders))).scalar()
        anchor = await _meta(conn, "anchor")
    return SeedReport(
        created=created,
        customers=int(customers or 0),
        orders=int(orders or 0),
        anchor=date.fromisoformat(anchor) if anchor else shop_today(),
    )


async def _advance_sequences(conn: AsyncConnection) -> None:
    """PostgreSQL: move SERIAL sequences past the explicit ids the seed inserted."""
    if conn.dialect.name != "postgresql":
        return
    for table in _TABLES:
        if "id" not in table.c:
            continue
        sequence = func.pg_get_serial_sequence(table.name, "id")
        await conn.execute(select(func.setval(sequence, func.coalesce(func.max(table.c.id), 1))))


async def seed_store(engine: AsyncEngine, *, anchor: Optional[date] = None) -> SeedReport:
    """Migrate the schema and seed the demo shop once; later calls change nothing.

    Migrating is safe with another process doing the same right now (the action server and
    ``make seed``): :func:`actions.store.db.create_schema` serialises and retries it."""
    await create_schema(engine)
    async with engine.connect() as conn:
        seeded = await _meta(conn, "version") is not None
    if seeded:
        return await _report(engine, created=False)

    rows = build_rows(anchor or shop_today())
    created = False
    try:
        async with engine.begin() as conn:
            # Checked again inside the transaction in case another process got there first.
            if await _meta(conn, "version") is None:
                for table in _TABLES:
                    await conn.execute(insert(table), rows[table.name])
                await seed_returns(conn, rows)  # returns in every state (seed_returns.py)
                await _advance_sequences(conn)
                created = True
    except (IntegrityError, OperationalError):
        # A concurrent seeder (the action server and `make seed`, say) won the race.
        async with engine.connect() as conn:
            if await _meta(conn, "version") is None:
                raise
    report = await _report(engine, created=created)
    if not created:
        return report
    logger.info(
        "Seeded the demo shop: %d customers, %d orders, anchor %s",
        report.customers,
        report.orders,
        report.anchor,
    )
    return report


def seed_store_sync(url: str, *, anchor: Optional[date] = None) -> SeedReport:
    """``seed_store`` for the command line: own engine, own event loop."""

    async def run() -> SeedReport:
        engine = create_engine_for(url)
        try:
            return await seed_store(engine, anchor=anchor)
        finally:
            await engine.dispose()

    return asyncio.run(run())

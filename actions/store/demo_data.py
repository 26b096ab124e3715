"""The demo shop's data, "Lumen & Loom": read from ``actions/store/demo/shop.json``.

The file holds what a shop would have (its catalogue, carriers, the names and streets of its
customers, its physical stores, and the fifteen showcase orders of docs/shop.md); the seed
(:mod:`actions.store.seed`) turns it into rows. It is read the first time it is needed, not
when the module is imported: the action server imports every module under ``actions/``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import Any

DEMO_FILE = Path(__file__).resolve().parent / "demo" / "shop.json"


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
    hub_by_city: tuple[tuple[str, str], ...] = ()  # where the hub is not ``hub``

    def hub_for(self, city: str) -> str:
        return dict(self.hub_by_city).get(city, self.hub)


@dataclass(frozen=True)
class DemoShop:
    catalogue: tuple[Product, ...]
    payment_methods: tuple[str, ...]
    delivered_to: tuple[str, ...]
    refunded_cancellations: tuple[str, ...]
    voided_cancellations: tuple[str, ...]
    carriers: dict[str, Carrier]
    # per country: the carriers and how often each is used
    carrier_weights: dict[str, tuple[tuple[str, ...], tuple[int, ...]]]
    first_names: dict[str, tuple[str, ...]]
    last_names: dict[str, tuple[str, ...]]
    streets: dict[str, tuple[tuple[str, str], ...]]  # (street, outward code) per city
    city_country: dict[str, str]  # the cities outside GB
    city_plan: tuple[tuple[str, int], ...]  # how many generated customers live where
    # per order state: how many generated orders, and how many of those ship in parcels
    state_plan: tuple[tuple[str, int, int], ...]
    stores: tuple[dict[str, Any], ...]
    showcase_customers: tuple[dict[str, Any], ...]
    showcase_orders: tuple[dict[str, Any], ...]
    # units in stock by SKU (stock_levels); a SKU not here is not tracked
    stock: tuple[tuple[str, int], ...] = ()

    @property
    def products(self) -> dict[str, Product]:
        return {p.sku: p for p in self.catalogue}


def _product(entry: dict[str, Any]) -> Product:
    return Product(
        entry["sku"],
        entry["name"],
        entry["category"],
        Decimal(entry["gbp"]),
        Decimal(entry["eur"]),
        bool(entry.get("final_sale", False)),
    )


def _carrier(entry: dict[str, Any]) -> Carrier:
    fields = {k: v for k, v in entry.items() if k != "hub_by_city"}
    return Carrier(**fields, hub_by_city=tuple(entry.get("hub_by_city", {}).items()))


def parse_demo_shop(data: dict[str, Any]) -> DemoShop:
    """The demo shop from the file's JSON (lists become tuples, prices Decimals)."""
    carriers = tuple(_carrier(c) for c in data["carriers"])
    return DemoShop(
        catalogue=tuple(_product(p) for p in data["catalogue"]),
        payment_methods=tuple(data["payment_methods"]),
        delivered_to=tuple(data["delivered_to"]),
        refunded_cancellations=tuple(data["cancellation_reasons"]["refunded"]),
        voided_cancellations=tuple(data["cancellation_reasons"]["voided"]),
        carriers={c.name: c for c in carriers},
        carrier_weights={
            country: (tuple(n for n, _ in pairs), tuple(int(w) for _, w in pairs))
            for country, pairs in data["carrier_weights"].items()
        },
        first_names={k: tuple(v) for k, v in data["first_names"].items()},
        last_names={k: tuple(v) for k, v in data["last_names"].items()},
        streets={
            city: tuple((street, code) for street, code in pairs)
            for city, pairs in data["streets"].items()
        },
        city_country={city: "IE" for city in data["irish_cities"]},
        city_plan=tuple((city, int(n)) for city, n in data["city_plan"]),
        state_plan=tuple((state, int(n), int(split)) for state, n, split in data["state_plan"]),
        stores=tuple(data["stores"]),
        showcase_customers=tuple(data["showcase"]["customers"]),
        showcase_orders=tuple(data["showcase"]["orders"]),
        stock=tuple((sku, int(n)) for sku, n in data.get("stock", {}).get("levels", {}).items()),
    )


@lru_cache(maxsize=1)
def demo_shop() -> DemoShop:
    """The demo shop in ``DEMO_FILE``, read once."""
    with DEMO_FILE.open(encoding="utf-8") as f:
        return parse_demo_shop(json.load(f))

"""A return policy and orders for the returns tests, built by hand: no database, no files.

The policy matches the shipped policy/returns.yml, written out here so a shop editing its
policy does not change what these tests mean.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import yaml

from actions.services.returns_policy import ReturnPolicy, parse_policy
from actions.store.models import Order, OrderItem
from tests.actions.fixtures import order, parcel

LONDON = ZoneInfo("Europe/London")

POLICY_YAML = """
version: 1
window:
  default_days: 30
  by_category: {electronics: 14}
non_returnable:
  final_sale_categories: [gift_cards]
  hygiene_categories: [underwear]
reasons:
  damaged: {free_return_shipping: true, needs_person: true}
  wrong_item: {free_return_shipping: true, needs_person: false}
  doesnt_fit: {free_return_shipping: false, needs_person: false}
  changed_mind: {free_return_shipping: false, needs_person: false}
  other: {free_return_shipping: false, needs_person: false}
return_shipping:
  carrier_fee: {GBP: 3.95, EUR: 4.50}
  drop_off_free: true
  drop_off_days: 14
  label_valid_days: 14
  nearest_stores: 3
  carriers:
    GB:
      name: Royal Mail
      tracking_url: "https://www.royalmail.com/track-your-item#/tracking-results/{tracking_number}"
      return_address: [Lumen & Loom Returns, Unit 7, Northampton, NN4 7PB]
    IE:
      name: An Post
      tracking_url: "https://www.anpost.com/Post-Parcels/Track/History?item={tracking_number}"
      return_address: [Lumen & Loom Returns, Dublin 12, D12 XK73]
refund_methods:
  original_payment: {working_days: 5}
  store_credit: {working_days: 1}
needs_person:
  days_past_window: 7
  order_value_over: {GBP: 250.00, EUR: 290.00}
"""


def policy_data() -> dict[str, Any]:
    return dict(yaml.safe_load(POLICY_YAML))


def policy(**changes: Any) -> ReturnPolicy:
    data = policy_data()
    data.update(changes)
    return parse_policy(data, "test policy")


CANDLE = OrderItem(
    11, "HOM-CNDL-FIG", "Scented soy candle, fig & cedar", "homeware", 2, Decimal("14.50")
)
TEE = OrderItem(12, "CLO-TEE-WHT", "Organic cotton T-shirt, white", "clothing", 1, Decimal("22.00"))
BULBS = OrderItem(13, "ELE-BULB-2PK", "Smart LED bulb, 2-pack", "electronics", 1, Decimal("24.99"))
SCARF = OrderItem(
    14,
    "CLO-SCRF-CLR",
    "Cable knit scarf (clearance)",
    "clothing",
    1,
    Decimal("15.00"),
    final_sale=True,
)
BRIEFS = OrderItem(
    15, "UND-BOXR-MER", "Merino boxer briefs 3-pack", "underwear", 1, Decimal("36.00")
)
GIFT_CARD = OrderItem(16, "GFT-CARD-25", "Digital gift card, 25", "gift_cards", 1, Decimal("25.00"))


def delivered_order(
    *items: OrderItem, delivered_at: datetime, total: str = "75.99", **kw: Any
) -> Order:
    done = parcel("delivered", delivered_at=delivered_at, delivered_to="Handed to resident")
    return order(
        "delivered",
        (done,),
        items=items or (CANDLE, TEE, BULBS),
        total=Decimal(total),
        subtotal=Decimal(total),
        **kw,
    )


def all_delivered(o: Order) -> dict[int, datetime]:
    return {item.id: o.shipments[0].delivered_at for item in o.items}  # type: ignore[misc]


def days_before(now: datetime, days: int) -> datetime:
    return now - timedelta(days=days)

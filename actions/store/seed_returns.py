"""Demo returns for the seeded shop: one in every state, so "where is my refund?" has answers.

Called by :func:`actions.store.seed.seed_store` in the same transaction as the rest of the
shop, with the rows it just inserted. Like the shop seed it is deterministic and anchored:
every date is a whole-day offset from the anchor at a fixed shop-local time, nothing happens
after 08:00 on the anchor day, and a separate ``random.Random`` makes the label tracking
numbers, so the shop's own random draws are untouched.

| RMA       | order | customer (e-mail)              | state         | how                         |
| --------- | ----- | ------------------------------ | ------------- | --------------------------- |
| RMA-20001 | 10002 | jane.doe@example.com           | in_transit    | Royal Mail label            |
| RMA-20002 | 10071 | william.thompson@example.com   | requested     | drop-off, 1 of 2 chinos     |
| RMA-20003 | 10070 | aisha.okafor@example.com       | label_created | Royal Mail, store credit    |
| RMA-20004 | 10067 | harry.morgan@example.com       | received      | Royal Mail label            |
| RMA-20005 | 10063 | george.wilson@example.co.uk    | inspected     | Royal Mail label            |
| RMA-20006 | 10062 | megan.clarke@example.com       | refunded      | wrong item, free, card      |
| RMA-20007 | 10059 | william.smith@example.co.uk    | refunded      | drop-off, store credit      |
| RMA-20008 | 10031 | tomasz.hughes@example.com      | rejected      | the lamp had been used      |
| RMA-20009 | 10027 | sinead.byrne@example.ie        | refunded      | An Post, EUR                |

(tests/store/test_seed_returns.py pins this table.)
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from decimal import Decimal
from typing import Any, Optional
from zoneinfo import ZoneInfo

from sqlalchemy import Table, func, insert, select
from sqlalchemy.ext.asyncio import AsyncConnection

from actions.services.returns import label_tracking_number
from actions.store import tables as t
from actions.store.repository import rma_for

SHOP_TZ = ZoneInfo("Europe/London")
RETURNS_RNG_SEED = 20261123
CARRIER_FEE = {"GBP": Decimal("3.95"), "EUR": Decimal("4.50")}
CARRIERS = {
    "GB": ("Royal Mail", "https://www.royalmail.com/track-your-item#/tracking-results/{tn}"),
    "IE": ("An Post", "https://www.anpost.com/Post-Parcels/Track/History?item={tn}"),
}
LABEL_VALID_DAYS = 14
DROP_OFF_DAYS = 14

_Moment = tuple[int, int, int]  # (day offset from the anchor, hour, minute), shop-local


@dataclass(frozen=True)
class _Plan:
    order: str
    status: str
    reason: str
    method: str  # drop_off, carrier
    refund_method: str
    created: _Moment
    items: Optional[dict[str, int]] = None  # sku -> quantity; None = everything
    store_city: Optional[str] = None
    shipped: Optional[_Moment] = None
    received: Optional[_Moment] = None
    inspected: Optional[_Moment] = None
    refunded: Optional[_Moment] = None
    rejected: Optional[_Moment] = None
    rejection_reason: Optional[str] = None
    reason_note: Optional[str] = None


# fmt: off
PLANS: tuple[_Plan, ...] = (
    _Plan("10002", "in_transit", "doesnt_fit", "carrier", "original_payment", (-2, 19, 40),
          shipped=(-1, 12, 15), reason_note="Too tight across the shoulders"),
    _Plan("10071", "requested", "doesnt_fit", "drop_off", "original_payment", (-1, 18, 5),
          items={"CLO-CHN-STN": 1}, store_city="Glasgow"),
    _Plan("10070", "label_created", "changed_mind", "carrier", "store_credit", (-1, 20, 30)),
    _Plan("10067", "received", "doesnt_fit", "carrier", "original_payment", (-8, 9, 10),
          shipped=(-7, 16, 40), received=(-2, 10, 20)),
    _Plan("10063", "inspected", "changed_mind", "carrier", "original_payment", (-12, 21, 0),
          shipped=(-11, 17, 5), received=(-8, 11, 30), inspected=(-1, 16, 0)),
    _Plan("10062", "refunded", "wrong_item", "carrier", "original_payment", (-15, 8, 45),
          shipped=(-14, 15, 30), received=(-12, 10, 5), inspected=(-11, 14, 20),
          refunded=(-11, 14, 35), reason_note="Sent the grey lamp, I ordered the stoneware one"),
    _Plan("10059", "refunded", "changed_mind", "drop_off", "store_credit", (-20, 12, 0),
          store_city="Glasgow", shipped=(-19, 13, 10), received=(-17, 9, 40),
          inspected=(-16, 11, 0), refunded=(-16, 11, 5)),
    _Plan("10031", "rejected", "changed_mind", "carrier", "original_payment", (-40, 19, 15),
          items={"HOM-LAMP-STN": 1}, shipped=(-39, 16, 0), received=(-36, 10, 45),
          inspected=(-35, 15, 30), rejected=(-35, 15, 30),
          rejection_reason="the lamp had been used: the shade was marked and the bulb fitting "
          "was scratched, so we can't resell it"),
    _Plan("10027", "refunded", "doesnt_fit", "carrier", "original_payment", (-50, 18, 20),
          reason_note="Too big for our worktop", shipped=(-49, 11, 0), received=(-46, 10, 30),
          inspected=(-45, 9, 15), refunded=(-45, 9, 30)),
)
# fmt: on

RETURN_TABLES: tuple[Table, ...] = (t.returns, t.return_items, t.return_labels, t.refunds)


def _at(anchor: date, moment: Optional[_Moment]) -> Optional[datetime]:
    if moment is None:
        return None
    day, hour, minute = moment
    local = datetime.combine(anchor + timedelta(days=day), time(hour, minute), tzinfo=SHOP_TZ)
    return local.astimezone(timezone.utc).replace(tzinfo=None)


def build_return_rows(shop: dict[str, list[dict[str, Any]]]) -> dict[str, list[dict[str, Any]]]:
    """The returns rows for a shop built by ``build_rows`` (pure; no database)."""
    anchor = date.fromisoformat(next(m["value"] for m in shop["seed_meta"] if m["key"] == "anchor"))
    rng = random.Random(RETURNS_RNG_SEED)
    orders = {o["number"]: o for o in shop["orders"]}
    addresses = {a["id"]: a for a in shop["addresses"]}
    stores = {s["city"]: s for s in shop["stores"]}
    out: dict[str, list[dict[str, Any]]] = {table.name: [] for table in RETURN_TABLES}
    for return_id, plan in enumerate(PLANS, start=1):
        order = orders[plan.order]
        country = addresses[order["shipping_address_id"]]["country"]
        lines = [i for i in shop["order_items"] if i["order_id"] == order["id"]]
        picked = [
            (line, (plan.items or {}).get(line["sku"], 0) if plan.items else line["quantity"])
            for line in lines
        ]
        picked = [(line, qty) for line, qty in picked if qty > 0]
        value = sum((line["unit_price"] * qty for line, qty in picked), Decimal("0.00"))
        free = plan.method == "drop_off" or plan.reason in ("damaged", "wrong_item")
        fee = Decimal("0.00") if free else CARRIER_FEE[order["currency"]]
        created = _at(anchor, plan.created)
        assert created is not None
        days = DROP_OFF_DAYS if plan.method == "drop_off" else LABEL_VALID_DAYS
        return_by = anchor + timedelta(days=plan.created[0] + days)
        rma = rma_for(return_id)
        out["returns"].append(
            {
                "id": return_id,
                "rma": rma,
                "order_id": order["id"],
                "customer_id": order["customer_id"],
                "conversation_id": None,
                "idempotency_key": f"seed:{rma}",
                "status": plan.status,
                "reason": plan.reason,
                "reason_note": plan.reason_note,
                "method": plan.method,
                "store_id": stores[plan.store_city]["id"] if plan.store_city else None,
                "refund_method": plan.refund_method,
                "currency": order["currency"],
                "items_value": value,
                "return_fee": fee,
                "refund_amount": value - fee,
                "created_at": created,
                "return_by": return_by,
                "shipped_at": _at(anchor, plan.shipped),
                "received_at": _at(anchor, plan.received),
                "inspected_at": _at(anchor, plan.inspected),
                "rejected_at": _at(anchor, plan.rejected),
                "rejection_reason": plan.rejection_reason,
            }
        )
        for line, qty in picked:
            out["return_items"].append(
                {"return_id": return_id, "order_item_id": line["id"], "quantity": qty}
            )
        if plan.method == "carrier":
            carrier, url = CARRIERS[country]
            tracking = label_tracking_number(country, rng)
            out["return_labels"].append(
                {
                    "id": len(out["return_labels"]) + 1,
                    "return_id": return_id,
                    "carrier": carrier,
                    "tracking_number": tracking,
                    "tracking_url": url.format(tn=tracking),
                    "created_at": created,
                    "valid_until": return_by,
                }
            )
        refunded = _at(anchor, plan.refunded)
        if refunded is not None:
            out["refunds"].append(
                {
                    "id": len(out["refunds"]) + 1,
                    "return_id": return_id,
                    "amount": value - fee,
                    "currency": order["currency"],
                    "method": plan.refund_method,
                    "destination": "store credit"
                    if plan.refund_method == "store_credit"
                    else order["payment_method"],
                    "refunded_at": refunded,
                }
            )
    return out


async def seed_returns(conn: AsyncConnection, shop: dict[str, list[dict[str, Any]]]) -> None:
    """Insert the demo returns for the shop rows just inserted (same transaction)."""
    rows = build_return_rows(shop)
    for table in RETURN_TABLES:
        if rows[table.name]:
            await conn.execute(insert(table), rows[table.name])
    if conn.dialect.name == "postgresql":  # move SERIAL sequences past the explicit ids
        for table in (t.returns, t.return_labels, t.refunds):
            sequence = func.pg_get_serial_sequence(table.name, "id")
            await conn.execute(
                select(func.setval(sequence, func.coalesce(func.max(table.c.id), 1)))
            )

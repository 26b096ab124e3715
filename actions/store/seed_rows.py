"""The demo shop's rows: customers and addresses, orders and their items, parcels and their
tracking events (carrier-shaped tracking numbers), the stores, and the seed's own metadata."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta
from decimal import Decimal

from actions.store.demo_data import Carrier
from actions.store.seed_plans import (
    FIRST_ORDER_NUMBER,
    SEED_VERSION,
    CustomerPlan,
    Draws,
    Moment,
    OrderPlan,
    ParcelPlan,
)

FREE_SHIPPING_OVER = Decimal("50.00")  # strictly over: a 50.00 basket still pays shipping
SHIPPING_FEE = {"GBP": Decimal("3.95"), "EUR": Decimal("4.50")}
CENT = Decimal("0.01")


def _s10_check_digit(digits: Sequence[int]) -> int:
    """UPU S10 check digit (Royal Mail and An Post tracked items)."""
    total = sum(d * w for d, w in zip(digits, (8, 6, 4, 2, 3, 5, 9, 7), strict=True))
    check = 11 - total % 11
    return {10: 0, 11: 5}.get(check, check)


class RowWriter(Draws):
    """Turns the plans into rows, by table name, in ``self.rows``."""

    def _emit_stores_and_meta(self) -> None:
        for store_id, store in enumerate(self.shop.stores, start=1):
            hours = dict(store["opening_hours"])
            self.rows["stores"].append(
                {"id": store_id, **store, "opening_hours": hours, "accepts_returns": True}
            )
        counted = self.at((0, 6, 0))  # the anchor day's morning stock count
        self.rows["stock_levels"].extend(
            {"sku": sku, "available": n, "updated_at": counted} for sku, n in self.shop.stock
        )
        self.rows["seed_meta"].extend(
            [
                {"key": "version", "value": SEED_VERSION},
                {"key": "anchor", "value": self.anchor.isoformat()},
            ]
        )

    # -- rows -----------------------------------------------------------------------------

    def _emit_customer(self, c: CustomerPlan) -> None:
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

    def _emit_order(self, o: OrderPlan, number: int) -> None:
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

    def _emit_parcel(self, order_id: int, o: OrderPlan, p: ParcelPlan, item_ids: list[int]) -> None:
        carrier = self.shop.carriers[p.carrier]
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
        self, carrier: Carrier, p: ParcelPlan, customer: CustomerPlan
    ) -> list[tuple[Moment, str, str, str]]:
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

"""The demo shop's orders: the fifteen showcase orders of docs/shop.md, then generated ones in
every state (placed to delivered, delayed, lost, cancelled), some split into parcels."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from actions.store.demo_data import Product
from actions.store.seed_plans import (
    FIRST_ORDER_NUMBER,
    CustomerPlan,
    Draws,
    OrderPlan,
    ParcelPlan,
    moment_of,
)


def _parcel(entry: dict[str, Any]) -> ParcelPlan:
    delivered = entry.get("delivered")
    return ParcelPlan(
        **{k: v for k, v in entry.items() if k != "delivered"},
        delivered=moment_of(delivered) if delivered is not None else None,
    )


class OrderPlanner(Draws):
    """Plans the orders and their parcels (rows: :mod:`actions.store.seed_rows`)."""

    # -- showcase (docs/shop.md) -----------------------------------------------------------

    def _showcase_orders(self, people: list[CustomerPlan]) -> list[OrderPlan]:
        """Orders 10001-10015 as the demo file describes them."""
        by_id = {person.id: person for person in people}
        products = self.shop.products
        orders = []
        for index, entry in enumerate(self.shop.showcase_orders):
            if entry["number"] != FIRST_ORDER_NUMBER + index:
                raise ValueError(f"showcase order {entry['number']} is out of place")
            # Drawn for every showcase order, given or not, so the sequence stays the same.
            paid_after = self.rng.randint(1, 4)
            orders.append(
                OrderPlan(
                    by_id[entry["customer"]],
                    entry["status"],
                    moment_of(entry["placed"]),
                    [(products[sku], qty) for sku, qty in entry["lines"]],
                    entry["payment_method"],
                    payment_status=entry.get("payment_status", "paid"),
                    paid_after_minutes=entry.get("paid_after_minutes", paid_after),
                    expected_dispatch=entry.get("expected_dispatch"),
                    promised=entry.get("promised"),
                    parcels=[_parcel(p) for p in entry.get("parcels", ())],
                    cancelled=moment_of(entry["cancelled"]) if "cancelled" in entry else None,
                    cancellation_reason=entry.get("cancellation_reason"),
                    refunded_after_minutes=entry.get("refunded_after_minutes"),
                )
            )
        return orders

    # -- generated orders -------------------------------------------------------------------

    def _generated_orders(self, customers: list[CustomerPlan]) -> list[OrderPlan]:
        rng = self.rng
        plan = [
            (state, index < splits)
            for state, count, splits in self.shop.state_plan
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
        products = self.rng.sample(self.shop.catalogue, count)
        lines = []
        for product in products:
            qty = 1
            if product.category != "gift_cards":
                qty = self.rng.choices((1, 2, 3), weights=(80, 16, 4))[0]
            lines.append((product, qty))
        return lines

    def _carrier(self, country: str) -> str:
        names, weights = self.shop.carrier_weights[country]
        return self.rng.choices(names, weights=weights)[0]

    def _transit_days(self, country: str) -> int:
        return self.rng.randint(1, 2) if country == "GB" else self.rng.randint(2, 3)

    def _plan_order(self, customer: CustomerPlan, state: str, split: bool) -> OrderPlan:
        rng = self.rng
        country = customer.country
        parcel_count = rng.choice((2, 2, 3)) if split else 1
        if split:
            line_count = rng.randint(parcel_count, 4)
        else:
            line_count = rng.choices((1, 2, 3, 4), weights=(40, 33, 20, 7))[0]
        lines = self._pick_lines(line_count)
        method = rng.choice(self.shop.payment_methods)
        paid_after = rng.randint(1, 12)

        def make(placed_day: int, **kwargs: Any) -> OrderPlan:
            kwargs.setdefault("payment_status", "paid")
            kwargs.setdefault("paid_after_minutes", paid_after)
            return OrderPlan(
                customer, state, self.moment(placed_day, 7, 22), lines, method, **kwargs
            )

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
                    ParcelPlan(
                        self._carrier(country),
                        group,
                        "delivered",
                        shipped,
                        eta_day=delivered_day,
                        delivered=self.moment(delivered_day, 9, 17),
                        delivered_to=rng.choice(self.shop.delivered_to),
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
                        ParcelPlan(
                            self._carrier(country),
                            group,
                            "delivered",
                            shipped,
                            eta_day=delivered_day,
                            delivered=self.moment(delivered_day, 9, 17),
                            delivered_to=rng.choice(self.shop.delivered_to),
                        )
                    )
                    continue
                shipped = rng.randint(placed_day + 1, -1)
                eta = max(shipped + self._transit_days(country) + 1, 1)
                parcels.append(
                    ParcelPlan(
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
            parcel = ParcelPlan(carrier, groups[0], "out_for_delivery", shipped, eta_day=0)
            return make(placed_day, promised=rng.choice((0, 0, 1)), parcels=[parcel])

        if state == "delayed":
            promised = rng.randint(-2, 0)
            placed_day = promised - rng.randint(4, 5)
            shipped = placed_day + rng.randint(1, 2)
            delay_day = rng.randint(shipped + 1, -1)
            hub = self.shop.carriers[carrier].hub_for(customer.city)
            reason = rng.choice(
                (
                    f"Delayed at {hub} due to high volumes",
                    "Delayed by severe weather in the area",
                    "Delayed: the parcel missed its connection to your local depot",
                    f"Delayed at {hub}: the parcel needs a new label and will move shortly",
                )
            )
            parcel = ParcelPlan(
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
            parcel = ParcelPlan(
                carrier, groups[0], "lost", shipped, last_scan_day=shipped + rng.randint(1, 3)
            )
            promised = shipped + self._transit_days(country) + 1
            return make(placed_day, promised=promised, parcels=[parcel])

        raise ValueError(f"unknown order state {state!r}")

    def _plan_cancelled(self, make: Callable[..., OrderPlan]) -> OrderPlan:
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
            order.cancellation_reason = rng.choice(self.shop.refunded_cancellations)
        else:
            order.payment_status = "voided"
            order.paid_after_minutes = None
            order.cancellation_reason = rng.choice(self.shop.voided_cancellations)
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

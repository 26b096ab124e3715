"""What comes back when some items of an order are cancelled (pure rules).

A multi-item order can be cancelled whole or item by item (whole lines: all of an item's
quantity). The refund for the chosen items is their price less their share of an order-level
discount; the shipping fee comes back only when the whole order ends up cancelled — the
chosen items are all that was left — because the rest of the order still ships
(``policy/cancellation.yml`` says so for the shop).

The store keeps prices and totals as they were at checkout (``subtotal + shipping_fee -
discount = total``): the discount is what the total is short of the rest. Each item's share of
it is in proportion to its price, to the penny; the last items cancelled get what is left of
the total, so the refunds of an order cancelled in several goes add up to what was paid.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from actions.services.formatting import money
from actions.services.i18n import join
from actions.services.replies import Reply
from actions.store.models import Order, OrderItem

CENT = Decimal("0.01")


@dataclass(frozen=True)
class ItemsRefund:
    """``items``: the chosen items still open; ``amount``: what comes back for them (0 for an
    order never charged); ``whole``: they are all that was left, so the order is cancelled
    and ``shipping`` (part of ``amount``) comes back too."""

    items: tuple[OrderItem, ...]
    amount: Decimal
    whole: bool
    shipping: Decimal = Decimal("0.00")


def open_items(order: Order) -> tuple[OrderItem, ...]:
    """The items not cancelled yet."""
    return tuple(i for i in order.items if i.cancelled_at is None)


def discount(order: Order) -> Decimal:
    """The order-level discount: what the total is short of the items and the shipping."""
    return max(Decimal("0.00"), order.subtotal + order.shipping_fee - order.total)


def item_refund(order: Order, item: OrderItem) -> Decimal:
    """One item's price less its share of the discount, to the penny."""
    value = item.unit_price * item.quantity
    if order.subtotal <= 0:
        return value.quantize(CENT)
    share = (discount(order) * value / order.subtotal).quantize(CENT, ROUND_HALF_UP)
    return max(Decimal("0.00"), value - share).quantize(CENT)


def already_refunded(order: Order) -> Decimal:
    return sum((i.refunded or Decimal("0.00") for i in order.items), Decimal("0.00"))


def items_refund(order: Order, item_ids: Collection[int]) -> ItemsRefund:
    """The refund for cancelling the open items among ``item_ids`` (others are ignored)."""
    still = open_items(order)
    chosen = tuple(i for i in still if i.id in set(item_ids))
    whole = bool(chosen) and len(chosen) == len(still)
    paid = order.payment_status == "paid"
    if not paid or not chosen:
        return ItemsRefund(chosen, Decimal("0.00"), whole)
    if whole:
        amount = max(Decimal("0.00"), order.total - already_refunded(order))
        return ItemsRefund(chosen, amount.quantize(CENT), True, order.shipping_fee)
    amount = sum((item_refund(order, i) for i in chosen), Decimal("0.00"))
    return ItemsRefund(chosen, amount.quantize(CENT), False)


def cancelled_items_refund(order: Order, lang: str) -> Reply:
    """ "Where is my refund?" for an order some of whose items were cancelled: which, how
    much came back and to where."""
    gone = [i for i in order.items if i.cancelled_at is not None]
    facts = {
        "order_number": order.number,
        "items": join([i.product_name for i in gone], lang),
        "amount": money(already_refunded(order), order.currency, lang),
        "payment_method": order.payment_method,
    }
    return Reply("utter_order_items_refunded", facts)

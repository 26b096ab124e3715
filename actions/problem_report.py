"""What a customer has told about a delivery problem so far (the problem form's slots and the
messages of this report), read the same way by the form and by the action that opens the
claim: the kind, the item, the photo the channel kept, and the claim already made for it.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any, Optional

from rasa_sdk import Tracker

from actions.common import utc_now
from actions.services import problems, problems_choice
from actions.services.cancel_items import open_items
from actions.services.order_numbers import normalize_order_number
from actions.services.problems_decision import Decision
from actions.services.problems_policy import load_policy
from actions.shop.current import get_shop
from actions.shop.platform import ShopUnavailable
from actions.store import claims
from actions.store.claims import Claim
from actions.store.models import Order, OrderItem
from actions.store.uow import unit_of_work
from bot import names
from infra.uploads import is_reference

logger = logging.getLogger(__name__)

# A policy file Baton cannot apply stops the action server as it starts, naming the key.
load_policy()


def stock_lookup(levels: Mapping[str, Optional[int]]) -> problems.StockLookup:
    """The rules' ``in_stock(sku, quantity)`` over the units the shop reported: None when the
    shop does not track the SKU (or was not asked), False when fewer are left than claimed."""

    def in_stock(sku: str, quantity: int) -> Optional[bool]:
        available = levels.get(sku)
        return None if available is None else available >= quantity

    return in_stock


async def stock_for(order: Order) -> dict[str, Optional[int]]:
    """The shop's stock of the order's open items, asked once per answer (the rules ask line by
    line, synchronously). A shop that cannot be reached tells nothing: the claim is a refund."""
    skus = sorted({item.sku for item in open_items(order)})
    if not skus:
        return {}
    try:
        return await get_shop().stock(skus)
    except ShopUnavailable as down:
        logger.warning("stock not read", extra={"order": order.number, "reason": down.kind})
        return {}


@dataclass(frozen=True)
class Report:
    """What the customer has told so far about one order."""

    order: Order
    kind: str
    item: Optional[OrderItem]
    photo: Optional[str]
    #: units in stock of the order's items (:func:`stock_for`); empty: not read, unknown
    stock: Mapping[str, Optional[int]] = field(default_factory=dict)

    @property
    def key(self) -> str:
        return problems.idempotency_key(
            self.order.number, self.kind, self.item.id if self.item else None
        )

    def decide(self) -> Decision:
        return problems.decide(
            self.kind,  # type: ignore[arg-type]
            self.order,
            load_policy(),
            utc_now(),
            stock_lookup(self.stock),
            self.item,
            photo=self.photo,
        )


def item_of(order: Order, value: Any) -> Optional[OrderItem]:
    if not isinstance(value, str) or not value.isdigit():
        return None
    return next((i for i in open_items(order) if i.id == int(value)), None)


def report_in(order: Order, tracker: Tracker) -> Optional[Report]:
    """The report in the slots, once it names a kind (and an item, where one is needed)."""
    kind = tracker.get_slot(names.SLOT_PROBLEM_KIND)
    if kind not in problems.KINDS:
        return None
    item = None
    if problems_choice.needs_item(kind):
        item = item_of(order, tracker.get_slot(names.SLOT_PROBLEM_ITEM))
        if item is None:
            return None
    photo = tracker.get_slot(names.SLOT_PROBLEM_PHOTO)
    return Report(order, str(kind), item, photo if is_reference(photo) else None)


async def stocked_report(order: Order, tracker: Tracker) -> Optional[Report]:
    """:func:`report_in` with the shop's stock of the order's items, for the answers whose words
    depend on it (a replacement or a refund): the confirm question and opening the claim."""
    report = report_in(order, tracker)
    if report is None:
        return None
    return replace(report, stock=await stock_for(order))


def this_report(tracker: Tracker) -> list[dict[str, Any]]:
    """The customer's messages of this report, newest first, back to the one that started it
    (just the latest when the form's start cannot be found)."""
    found: list[dict[str, Any]] = []
    started = False
    for event in reversed(tracker.events):
        if event.get("event") == "active_loop" and event.get("name") == names.FORM_PROBLEM:
            started = True
        elif event.get("event") == "user":
            found.append(event)
            if started:
                return found
    return found[:1]


def texts_of(tracker: Tracker) -> list[str]:
    return [str(e.get("text") or "") for e in this_report(tracker)]


def photo_of(tracker: Tracker) -> Optional[str]:
    """The newest photo the customer sent in this report (a photo sent before it was asked for
    is kept in the transcript without a turn, and counts too)."""
    for event in this_report(tracker):
        found = problems_choice.photo_in(event.get("metadata"))
        if found is not None:
            return found
    return problems_choice.photo_in((tracker.latest_message or {}).get("metadata"))


async def item_named(tracker: Tracker) -> Optional[OrderItem]:
    """The item this report is about without asking: the order's only one, or the one its
    messages name ("the mugs came smashed")."""
    number = normalize_order_number(tracker.get_slot(names.SLOT_ORDER_NUMBER))
    order = await get_shop().order(number or "")
    if order is None:
        return None
    items = open_items(order)
    if len(items) == 1:
        return items[0]
    for message in texts_of(tracker):
        found = problems_choice.item_in(message, items, by_position=False)
        if found is not None:
            return found
    return None


async def claimed_by_key(key: str) -> Optional[Claim]:
    async with unit_of_work() as repo:
        return await claims.by_key(repo.conn, key)

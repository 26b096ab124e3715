"""What a customer has told about a delivery problem so far (the problem form's slots and the
messages of this report), read the same way by the form and by the action that opens the
claim: the kind, the item, the photo the channel kept, and the claim already made for it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Optional

from rasa_sdk import Tracker

from actions.common import utc_now
from actions.services import problems, problems_choice
from actions.services.cancel_items import open_items
from actions.services.order_numbers import normalize_order_number
from actions.services.problems_decision import Decision
from actions.services.problems_policy import load_policy
from actions.shop.current import get_shop
from actions.store import claims
from actions.store.claims import Claim
from actions.store.models import Order, OrderItem
from actions.store.uow import unit_of_work
from bot import names
from infra.uploads import is_reference

# A policy file Baton cannot apply stops the action server as it starts, naming the key.
load_policy()


def in_stock(sku: str, quantity: int) -> Optional[bool]:
    """Whether a replacement can be sent: no shop backend reports stock yet, so it cannot be
    told (the rules then settle with a refund)."""
    return None


@dataclass(frozen=True)
class Report:
    """What the customer has told so far about one order."""

    order: Order
    kind: str
    item: Optional[OrderItem]
    photo: Optional[str]

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
            in_stock,
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

"""What the delivery-problem action tests share: the form's slots as a tracker carries them,
a proven order, a report so far, the form's next question, and the claims an order has."""

from __future__ import annotations

from typing import Any

from rasa_sdk.executor import CollectingDispatcher

from actions.problem_form import ValidateProblemForm
from actions.store import claims
from actions.store.uow import unit_of_work
from bot import names
from tests.support.trackers import tracker

FORM = names.FORM_PROBLEM
DOMAIN_SLOTS = [
    names.SLOT_ORDER_NUMBER,
    names.SLOT_VERIFICATION,
    names.SLOT_PROBLEM_KIND,
    names.SLOT_PROBLEM_ITEM,
    names.SLOT_PROBLEM_PHOTO,
    names.SLOT_PROBLEM_CONFIRMED,
]
PHOTO = "uploads/conv-problem/0123456789abcdef0123456789abcdef.png"
SENT_PHOTO = {"attachments": [{"kind": "image", "content_type": "image/png", "path": PHOTO}]}


def proven(number: str, **slots: Any) -> dict[str, Any]:
    return {names.SLOT_ORDER_NUMBER: number, names.SLOT_VERIFIED_ORDERS: [number], **slots}


def report(number: str, kind: str, item: str | None = None, **slots: Any) -> dict[str, Any]:
    found = proven(number, **{names.SLOT_PROBLEM_KIND: kind}, **slots)
    if item is not None:
        found[names.SLOT_PROBLEM_ITEM] = item
    return found


async def asked(slots: dict[str, Any], **kw: Any) -> list[str]:
    return await ValidateProblemForm().required_slots(
        DOMAIN_SLOTS, CollectingDispatcher(), tracker(slots, form=FORM, **kw), {}
    )


async def claims_for(number: str) -> list[claims.Claim]:
    async with unit_of_work() as repo:
        return await repo.claims_for_order(number)

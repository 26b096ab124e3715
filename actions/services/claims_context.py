"""The context packet's ``claims``: the delivery problems claimed for the orders it shows.

Kept apart from :mod:`actions.handoff` so that module does not grow, and from
:mod:`actions.services.context` because it reads Baton's own store (the claims table), not the
shop. :func:`claims_section` is pure — stored claims and the shown orders in, the packet's
dicts out — and :func:`read_claims` is the one read ``action_handoff`` makes.

What an agent may see follows the order section (:func:`actions.services.context.order_section`):

* only the claims of orders the packet already shows, so a claim never brings in an order
  the conversation did not;
* an order shown without proof of ownership (``verified`` false: a number the customer typed)
  shows its claims as it shows its items, totals and refunds, but not the claim's photo: the
  photo is the claimant's, taken in their conversation, and the person asking has not proven
  they are that claimant. ``photo_attached`` still tells the agent a photo exists.

The photo travels as the reference the connectors wrote (``uploads/<folder>/<file>``), which
the console opens through the handoff service's attachment route; the file itself never
enters the packet.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import timezone
from typing import Any, Optional

from actions.services.formatting import money
from actions.store.claims import Claim
from actions.store.models import Order
from actions.store.repository import StoreRepository
from infra.uploads import CONTENT_TYPES, is_reference, kind_of

#: More than this many claims in one handoff is a case for the shop's records, not the packet.
MAX_CLAIMS = 20


def photo_reference(path: str) -> dict[str, Any]:
    """The attachment reference for a claim's photo, as a transcript line carries one.

    A stored value that is not a reference the connectors write is not passed on: the entry
    then has no ``path``, which the console shows as a photo not kept on this server."""
    if not is_reference(path):
        return {"kind": "image"}
    content_type = CONTENT_TYPES.get("." + path.rsplit(".", 1)[-1])
    if content_type is None:
        return {"kind": "file", "path": path}
    return {"kind": kind_of(content_type), "content_type": content_type, "path": path}


def claim_entry(claim: Claim, order: Order, verified: bool) -> dict[str, Any]:
    """One claim for the packet: its number, what was claimed and where the shop is with it."""
    item = next((i for i in order.items if i.id == claim.order_item_id), None)
    entry: dict[str, Any] = {
        "number": claim.number,
        "order_number": claim.order_number,
        "kind": claim.kind,
        "item": item.product_name if item is not None else None,
        "quantity": claim.quantity,
        "remedy": claim.remedy,
        "amount": money(claim.amount, claim.currency),
        "state": claim.state,
        # stored naive UTC: said so, or the console would read it as the agent's local time
        "created_at": claim.created_at.replace(tzinfo=timezone.utc).isoformat(timespec="seconds"),
        "photo_attached": bool(claim.photo_upload_id),
    }
    if claim.photo_upload_id and verified:
        entry["photo"] = photo_reference(claim.photo_upload_id)
    return entry


def claims_section(
    claims: Iterable[Claim], shown: Mapping[str, tuple[Order, bool]]
) -> list[dict[str, Any]]:
    """The claims of the orders the packet shows (``number -> (order, verified)``), newest
    first; a claim of any other order is left out."""
    newest_first = sorted(claims, key=lambda c: (c.created_at, c.id), reverse=True)
    entries = []
    for claim in newest_first:
        found: Optional[tuple[Order, bool]] = shown.get(claim.order_number)
        if found is not None:
            entries.append(claim_entry(claim, *found))
    return entries[:MAX_CLAIMS]


async def read_claims(
    repo: StoreRepository, orders: Sequence[tuple[Order, bool]]
) -> list[dict[str, Any]]:
    """The packet's ``claims`` for the orders it shows, as ``(order, verified)`` pairs."""
    shown = {order.number: (order, verified) for order, verified in orders}
    claims: list[Claim] = []
    for number in shown:
        claims.extend(await repo.claims_for_order(number))
    return claims_section(claims, shown)

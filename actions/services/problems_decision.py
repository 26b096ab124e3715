"""What :func:`actions.services.problems.decide` answers: an outcome, a reason code and the
facts the replies will phrase it with (kept apart from the rules so each module stays short;
the dialogue and the replies import these names too)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Literal, Optional, get_args

from actions.store.models import OrderItem, Shipment

Kind = Literal["not_received", "missing_item", "damaged", "wrong_item"]
KINDS: tuple[str, ...] = get_args(Kind)
Outcome = Literal[
    "wait",  # delivered recently: look with the neighbours and in a safe place first
    "not_delivered_yet",  # the carrier has not delivered it: nothing to claim yet
    "other_parcel_on_its_way",  # the item travels in a parcel that has not arrived yet
    "photo_needed",  # damaged or wrong: a photo before anything is settled
    "claim_replacement",  # a claim settled with a replacement
    "claim_refund",  # a claim settled with a refund
    "return",  # damaged or wrong and worth too much to keep: sent back first
    "person",  # a person settles it
    "too_late",  # past the claims window
    "nothing_to_claim",  # cancelled, refunded, or not this order's
]
Remedy = Literal["replacement", "refund"]
#: Why, in a word the replies turn into plain language (one response each, later).
REASONS = (
    "order_cancelled",  # nothing_to_claim
    "already_refunded",  # nothing_to_claim: the order's money came back already
    "not_in_order",  # nothing_to_claim: the item is another order's
    "item_cancelled",  # nothing_to_claim: cancelled (and refunded) before it left
    "not_shipped",  # not_delivered_yet: no parcel has left
    "on_its_way",  # not_delivered_yet: the carrier has not delivered it (parcel)
    "delivered_recently",  # wait: hours_left, claim_from, suggestions, parcel
    "other_parcel",  # other_parcel_on_its_way: the parcel holding the item
    "past_window",  # too_late: deadline, parcel
    "photo_needed",  # photo_needed
    "high_value",  # person: the order's total is above the policy's limit
    "contents_unknown",  # person: what was in the parcel cannot be told from the order
    "carrier_lost",  # claim_*: the carrier reported the parcel lost
    "not_received",  # claim_*: delivered, waited, still not there
    "missing_from_parcel",  # claim_*
    "keep_item",  # claim_*: damaged or wrong, kept: worth less than the policy's value
    "send_back",  # return
)
#: Why a claim gets what it gets: a replacement in stock; a refund when out of stock, when
#: stock could not be checked, or when the policy offers refunds only.
REMEDY_REASONS = ("in_stock", "out_of_stock", "stock_unknown", "refund_only")

#: (sku, quantity) -> in stock? None when it cannot be told (treated as not in stock).
StockLookup = Callable[[str, int], Optional[bool]]
Lines = tuple[tuple[OrderItem, int], ...]  # (item, quantity) a claim is for


@dataclass(frozen=True)
class Decision:
    """What happens next, why (:data:`REASONS`), and what to say it with."""

    outcome: Outcome
    reason: str
    parcel: Optional[Shipment] = None  # carrier, status, tracking, ETA, delivery, last scan
    lines: Lines = ()
    remedy: Optional[Remedy] = None  # claims and returns
    remedy_reason: Optional[str] = None  # REMEDY_REASONS
    amount: Optional[Decimal] = None  # a claim's value (what a refund pays); person: the total
    currency: str = ""
    hours_left: Optional[int] = None  # wait
    claim_from: Optional[datetime] = None  # wait: when a claim can be opened (naive UTC)
    deadline: Optional[datetime] = None  # too_late: the end of the window that has passed
    suggestions: tuple[str, ...] = ()  # wait: where to look (problems_policy.SUGGESTIONS)

    def facts(self) -> dict[str, object]:
        """The facts set, flat, as the replies will fill them in (raw values: they format)."""
        found: dict[str, object] = {
            "remedy": self.remedy,
            "remedy_reason": self.remedy_reason,
            "amount": self.amount,
            "currency": self.currency or None,
            "hours_left": self.hours_left,
            "claim_from": self.claim_from,
            "deadline": self.deadline,
            "suggestions": self.suggestions or None,
            "items": tuple((item.product_name, qty) for item, qty in self.lines) or None,
        }
        if self.parcel is not None:
            p, scan = self.parcel, self.parcel.latest_event
            found.update(
                carrier=p.carrier,
                parcel_status=p.status,
                tracking_number=p.tracking_number,
                tracking_url=p.tracking_url,
                eta=p.estimated_delivery,
                delivered_at=p.delivered_at,
                delivered_to=p.delivered_to,
                last_scan=scan.description if scan else None,
                last_scan_at=scan.occurred_at if scan else None,
            )
        return {key: value for key, value in found.items() if value is not None}

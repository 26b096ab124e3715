"""Baton's record of the delivery problems claimed in the chat (table ``claims``).

What to claim is decided by :mod:`actions.services.problems`; this records the claim, for the
shop to settle (a replacement sent, a refund paid, or first the item back), under the claim's
idempotency key (:func:`actions.services.problems.idempotency_key`: order, kind, item). The
same claim submitted twice — a double tap, a retried message, two replicas at once, again
after a restart — finds the first one and makes nothing new: the unique key is what
guarantees it, on SQLite and PostgreSQL alike.

    async with unit_of_work() as repo:
        claim, made = await repo.create_claim(new)
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any, Optional

from sqlalchemy import insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection

from actions.store import tables as t
from actions.store.address_changes import BY_CUSTOMER_IN_CHAT

#: Claim numbers start here: id 1 is "CLM-30001" (returns are RMA-2xxxx).
CLAIM_BASE = 30000
_CENT = Decimal("0.01")
_NUMBER = re.compile(r"CLM-(\d+)")


def claim_number(claim_id: int) -> str:
    """The number the customer and the shop quote for a claim id: 1 → "CLM-30001"."""
    return f"CLM-{CLAIM_BASE + claim_id}"


def claim_id(number: str) -> Optional[int]:
    """The id a claim number stands for: "CLM-30001" → 1 (None: not a claim number)."""
    found = _NUMBER.fullmatch(number.strip())
    return int(found.group(1)) - CLAIM_BASE if found and int(found.group(1)) > CLAIM_BASE else None


@dataclass(frozen=True)
class NewClaim:
    """A claim to record: what :func:`actions.services.problems.decide` settled on."""

    idempotency_key: str
    order_number: str
    kind: str  # not_received, missing_item, damaged, wrong_item
    reason: str  # the decision's reason code (problems_decision.REASONS)
    remedy: str  # replacement, refund
    amount: Decimal
    currency: str
    created_at: datetime  # naive UTC
    order_item_id: Optional[int] = None  # None: a whole parcel not received
    quantity: Optional[int] = None
    state: str = "open"  # tables.CLAIM_STATES; awaiting_return when sent back first
    photo_upload_id: Optional[str] = None  # uploads/<folder>/<file> (infra/uploads.py)
    conversation_id: Optional[str] = None
    created_by: str = BY_CUSTOMER_IN_CHAT


@dataclass(frozen=True)
class Claim:
    id: int
    idempotency_key: str
    order_number: str
    kind: str
    reason: str
    order_item_id: Optional[int]
    quantity: Optional[int]
    remedy: str
    amount: Decimal
    currency: str
    state: str
    photo_upload_id: Optional[str]
    conversation_id: Optional[str]
    created_by: str
    created_at: datetime

    @property
    def number(self) -> str:
        return claim_number(self.id)


async def create(conn: AsyncConnection, new: NewClaim) -> tuple[Claim, bool]:
    """Record ``new``; the claim and True, or the one already under its key and False."""
    if new.state not in t.CLAIM_STATES:
        raise ValueError(f"not a claim state: {new.state!r}")
    found = await by_key(conn, new.idempotency_key)
    if found is not None:
        return found, False
    c = t.claims
    try:
        async with conn.begin_nested():
            result = await conn.execute(
                insert(c).values(
                    idempotency_key=new.idempotency_key,
                    order_number=new.order_number,
                    kind=new.kind,
                    reason=new.reason,
                    order_item_id=new.order_item_id,
                    quantity=new.quantity,
                    remedy=new.remedy,
                    amount=new.amount.quantize(_CENT),
                    currency=new.currency,
                    state=new.state,
                    photo_upload_id=new.photo_upload_id,
                    conversation_id=new.conversation_id[:120] if new.conversation_id else None,
                    created_by=new.created_by[:40],
                    created_at=new.created_at,
                )
            )
    except IntegrityError:
        # the same claim, submitted at the same moment (another tap, another replica), got
        # there first: that one is the claim
        found = await by_key(conn, new.idempotency_key)
        if found is None:
            raise
        return found, False
    made = await _claims(conn, c.c.id == int(result.inserted_primary_key[0]))
    return made[0], True


async def by_key(conn: AsyncConnection, key: str) -> Optional[Claim]:
    found = await _claims(conn, t.claims.c.idempotency_key == key)
    return found[0] if found else None


async def by_number(conn: AsyncConnection, number: str) -> Optional[Claim]:
    """The claim the customer and the shop quote as ``CLM-30001``."""
    found = claim_id(number)
    claims = await _claims(conn, t.claims.c.id == found) if found is not None else []
    return claims[0] if claims else None


async def for_order(conn: AsyncConnection, number: str) -> list[Claim]:
    """An order's claims, oldest first."""
    return await _claims(conn, t.claims.c.order_number == number)


async def _claims(conn: AsyncConnection, where: Any) -> list[Claim]:
    c = t.claims
    rows = await conn.execute(select(c).where(where).order_by(c.c.created_at, c.c.id))
    return [
        Claim(
            id=row.id,
            idempotency_key=row.idempotency_key,
            order_number=row.order_number,
            kind=row.kind,
            reason=row.reason,
            order_item_id=row.order_item_id,
            quantity=row.quantity,
            remedy=row.remedy,
            amount=Decimal(row.amount).quantize(_CENT),  # SQLite keeps no decimals
            currency=row.currency,
            state=row.state,
            photo_upload_id=row.photo_upload_id,
            conversation_id=row.conversation_id,
            created_by=row.created_by,
            created_at=row.created_at,
        )
        for row in rows.all()
    ]


async def change_remedy(conn: AsyncConnection, number: str, remedy: str) -> None:
    """Record what a claim was settled with after all (a replacement sold out between the
    question and the yes, so its refund was paid instead)."""
    found = claim_id(number)
    if found is not None:
        await conn.execute(update(t.claims).where(t.claims.c.id == found).values(remedy=remedy))

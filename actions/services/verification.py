"""Proof that an anonymous customer owns an order (DESIGN.md, "One customer across channels").

The customer gives the order's e-mail address or its delivery postal code. The comparison is
constant-time and the answer never says which part was wrong, so the bot cannot be used to
learn a stranger's e-mail or postcode one guess at a time. Failures are counted per order and
per conversation; enough of them within the window lock the order for self-service.
"""

from __future__ import annotations

import hmac
import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import Enum

from actions.store.models import Order
from actions.store.repository import StoreRepository

_SPACE = re.compile(r"\s+")


class Outcome(str, Enum):
    VERIFIED = "verified"
    MISMATCH = "mismatch"
    LOCKED = "locked"


@dataclass(frozen=True)
class VerificationResult:
    outcome: Outcome
    failures_left: int


def _norm_email(value: str) -> str:
    return value.strip().lower()


def _norm_postcode(value: str) -> str:
    return _SPACE.sub("", value).upper()


def _equal(a: str, b: str) -> bool:
    return hmac.compare_digest(a.encode("utf-8"), b.encode("utf-8"))


#: Erasure (infra/erasure.py) replaces a customer's e-mail with ``erased-<id>@erased.invalid``
#: and their postcodes with "": neither may prove anything, or the placeholder would open
#: the erased customer's orders to whoever guesses it.
ERASED_EMAIL_DOMAIN = "@erased.invalid"


def proof_matches(order: Order, proof: str) -> bool:
    """Whether ``proof`` is the order's e-mail or its delivery postcode.

    Both comparisons always run so the time taken does not reveal which one was tried.
    """
    proof = proof.strip()[:254]
    email = _norm_email(order.email or "")
    postcode = _norm_postcode(order.shipping_address.postal_code or "")
    by_email = _equal(_norm_email(proof), email)
    by_postcode = _equal(_norm_postcode(proof), postcode)
    email_usable = bool(email) and not email.endswith(ERASED_EMAIL_DOMAIN)
    postcode_usable = len(postcode) >= 2
    return bool(proof) & ((by_email & email_usable) | (by_postcode & postcode_usable))


async def is_locked(
    repo: StoreRepository,
    order_number: str,
    conversation_id: str,
    now: datetime,
    max_failures: int,
    window: timedelta,
) -> bool:
    since = now - window
    by_order = await repo.failures_since(since, order_number=order_number)
    by_conversation = await repo.failures_since(since, conversation_id=conversation_id)
    return by_order >= max_failures or by_conversation >= max_failures


async def verify_ownership(
    repo: StoreRepository,
    order: Order,
    proof: str,
    conversation_id: str,
    now: datetime,
    max_failures: int = 5,
    window: timedelta = timedelta(hours=1),
) -> VerificationResult:
    """Check a proof, record the attempt, and say whether the order is now locked."""
    if await is_locked(repo, order.number, conversation_id, now, max_failures, window):
        return VerificationResult(Outcome.LOCKED, 0)
    ok = proof_matches(order, proof)
    await repo.record_verification(order.number, conversation_id, now, ok)
    if ok:
        return VerificationResult(Outcome.VERIFIED, max_failures)
    since = now - window
    failures = max(
        await repo.failures_since(since, order_number=order.number),
        await repo.failures_since(since, conversation_id=conversation_id),
    )
    if failures >= max_failures:
        return VerificationResult(Outcome.LOCKED, 0)
    return VerificationResult(Outcome.MISMATCH, max_failures - failures)


def needs_proof(
    owner_id: int, customer_id: int | None, order_number: str, verified: list[str]
) -> bool:
    """Whether the customer must prove ownership before seeing this order.

    An identified customer sees their own orders at once; everyone else (including an
    identified customer asking about someone else's order) proves ownership per order.
    """
    if customer_id is not None and owner_id == customer_id:
        return False
    return order_number not in verified

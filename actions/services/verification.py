"""Proof that an anonymous customer owns an order.

The customer gives the order's e-mail address or its delivery postal code (docs/architecture.md,
"Identity: who may see an order"). The comparison is constant-time and the answer never says which
part was wrong, so the bot cannot be used to learn a stranger's e-mail or postcode one guess at a
time.

Failures within the window are counted three ways, and what they lock is chosen so that the
lockout cannot be aimed at somebody else:

* per **conversation**, across every order: ``max_failures`` stop that conversation;
* per **client** (a keyed hash of the web visitor's address behind our proxy: ``client_key``),
  across every order: ``CLIENT_SPREAD`` times as many stop that address — a new conversation
  from the same browser does not start afresh, while customers who share an address (an
  office, a mobile network) are not locked out by one another's typos;
* per **order**, from everyone: only ``ORDER_SPREAD`` times as many (guessing spread over many
  addresses) close the order's self-service for all. One stranger is stopped long before that,
  so they cannot lock a customer out of their own order by typing wrong answers; and a
  customer the channel identifies (logged in, their own WhatsApp number) needs no proof at all.

Check and record are one step: the attempt is written (as a failure) before the counts are
read, under locks on the order, conversation and client (:meth:`StoreRepository.lock_verification`),
so parallel conversations cannot each get ``max_failures`` guesses.
"""

from __future__ import annotations

import hmac
import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import Enum
from typing import Optional

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


#: Failures from one client (× max_failures) that stop it, across its conversations.
CLIENT_SPREAD = 4
#: Failures on one order, from everyone, that close it for self-service (× max_failures):
#: more than one client may make, so one stranger cannot lock the owner out.
ORDER_SPREAD = 10


@dataclass(frozen=True)
class Failures:
    conversation: int
    client: int
    order: int

    def locked(self, max_failures: int) -> bool:
        return (
            self.conversation >= max_failures
            or self.client >= max_failures * CLIENT_SPREAD
            or self.order >= max_failures * ORDER_SPREAD
        )

    def left(self, max_failures: int) -> int:
        return max(
            0,
            min(
                max_failures - self.conversation,
                max_failures * CLIENT_SPREAD - self.client,
                max_failures * ORDER_SPREAD - self.order,
            ),
        )


async def failures(
    repo: StoreRepository,
    order_number: str,
    conversation_id: str,
    client_key: Optional[str],
    since: datetime,
    exclude: Optional[int] = None,
) -> Failures:
    return Failures(
        conversation=await repo.failures_since(
            since, conversation_id=conversation_id, exclude=exclude
        ),
        client=(
            await repo.failures_since(since, client_key=client_key, exclude=exclude)
            if client_key
            else 0
        ),
        order=await repo.failures_since(since, order_number=order_number, exclude=exclude),
    )


async def is_locked(
    repo: StoreRepository,
    order_number: str,
    conversation_id: str,
    now: datetime,
    max_failures: int,
    window: timedelta,
    client_key: Optional[str] = None,
) -> bool:
    found = await failures(repo, order_number, conversation_id, client_key, now - window)
    return found.locked(max_failures)


async def verify_ownership(
    repo: StoreRepository,
    order: Order,
    proof: str,
    conversation_id: str,
    now: datetime,
    max_failures: int = 5,
    window: timedelta = timedelta(hours=1),
    client_key: Optional[str] = None,
) -> VerificationResult:
    """Check a proof, record the attempt, and say whether the order is now locked."""
    keys = [f"order:{order.number}", f"conversation:{conversation_id}"]
    if client_key:
        keys.append(f"client:{client_key}")
    await repo.lock_verification(keys)
    # Written first, as a failure: on SQLite this takes the write lock, so a parallel check
    # waits here and then counts this attempt.
    attempt = await repo.record_verification(
        order.number, conversation_id, now, False, client_key=client_key
    )
    before = await failures(
        repo, order.number, conversation_id, client_key, now - window, exclude=attempt
    )
    if before.locked(max_failures):
        await repo.forget_verification(attempt)  # refused unseen: not a guess
        return VerificationResult(Outcome.LOCKED, 0)
    if proof_matches(order, proof):
        await repo.settle_verification(attempt, True)
        return VerificationResult(Outcome.VERIFIED, max_failures)
    after = Failures(
        before.conversation + 1, before.client + (1 if client_key else 0), before.order + 1
    )
    if after.locked(max_failures):
        return VerificationResult(Outcome.LOCKED, 0)
    return VerificationResult(Outcome.MISMATCH, after.left(max_failures))


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

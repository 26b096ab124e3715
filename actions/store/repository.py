"""Reads and writes of the shop's data, returning the frozen models business rules use.

One repository per unit of work: it wraps an ``AsyncConnection`` so a caller decides the
transaction (``async with engine.begin() as conn: repo = StoreRepository(conn)``). Its reads
and writes are in :mod:`actions.store.orders_repository` (customers, orders, ownership proofs,
stores), :mod:`actions.store.returns_repository` (returns, labels, refunds, cases for a
person) and :mod:`actions.store.claims` (claims for delivery problems).
"""

from __future__ import annotations

from actions.store import claims
from actions.store.claims import Claim, NewClaim
from actions.store.returns_repository import RMA_BASE, ReturnsRepository, rma_for

__all__ = ["RMA_BASE", "StoreRepository", "rma_for"]


class StoreRepository(ReturnsRepository):
    """Every read and write of the store, on one connection."""

    async def create_claim(self, new: NewClaim) -> tuple[Claim, bool]:
        """Record a claim once: ``(claim, True)`` when made now, ``(the first one, False)``
        when its idempotency key was claimed before (:func:`actions.store.claims.create`)."""
        return await claims.create(self.conn, new)

    async def claims_for_order(self, number: str) -> list[Claim]:
        """An order's claims, oldest first."""
        return await claims.for_order(self.conn, number)

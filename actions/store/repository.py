"""Reads and writes of the shop's data, returning the frozen models business rules use.

One repository per unit of work: it wraps an ``AsyncConnection`` so a caller decides the
transaction (``async with engine.begin() as conn: repo = StoreRepository(conn)``). Its reads
and writes are in :mod:`actions.store.orders_repository` (customers, orders, ownership proofs,
stores) and :mod:`actions.store.returns_repository` (returns, labels, refunds, cases for a
person).
"""

from __future__ import annotations

from actions.store.returns_repository import RMA_BASE, ReturnsRepository, rma_for

__all__ = ["RMA_BASE", "StoreRepository", "rma_for"]


class StoreRepository(ReturnsRepository):
    """Every read and write of the store, on one connection."""

"""Taking a claim's settlement — its refund (:mod:`actions.store.claim_refunds`) or its
replacement (:mod:`actions.store.claim_replacements`) — so that one sender at a time works on
it, across taps, replicas and restarts.

Each has one row per claim number (unique). The first sender inserts it *started* (no
``done`` time); a second finds it started and backs off; a row left started by a crash is taken
over after :data:`LEASE`, by one sender only (the update names the start it saw).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any, Literal

from sqlalchemy import Table, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection

#: How long a started settlement keeps others off it: longer than any platform call takes (5 s
#: timeouts, a few retries), short enough that a crash does not block the claim for long.
LEASE = timedelta(seconds=60)

Taken = Literal["mine", "busy", "done"]


async def take(
    conn: AsyncConnection,
    table: Table,
    done_column: str,
    claim: str,
    now: datetime,
    values: dict[str, Any],
) -> Taken:
    """ "mine" (go ahead: the row is started now, with ``values``), "busy" (another sender
    started it less than :data:`LEASE` ago) or "done" (``done_column`` is set: settled before)."""
    row = (await conn.execute(select(table).where(table.c.claim == claim))).first()
    if row is None:
        try:
            async with conn.begin_nested():
                await conn.execute(insert(table).values(claim=claim, started_at=now, **values))
            return "mine"
        except IntegrityError:  # another sender, at the same moment
            return "busy"
    if getattr(row, done_column) is not None:
        return "done"
    if now - row.started_at < LEASE:
        return "busy"
    done = table.c[done_column]
    taken = await conn.execute(
        update(table)
        .where(table.c.id == row.id, done.is_(None), table.c.started_at == row.started_at)
        .values(started_at=now, **values)
    )
    return "mine" if taken.rowcount == 1 else "busy"

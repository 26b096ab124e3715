"""Retention: how long Baton keeps what it records, as the shop decides.

Erasure (infra/erasure.py) forgets one customer on request; retention forgets everyone's old
records on a schedule, so personal data is not kept longer than the shop needs it. Each period
is a number of days from the environment; unset (or 0) keeps that kind of record forever,
except the two that only exist for security and have a default:

=============================== =========== =====================================================
``RETENTION_EVENTS_DAYS``       (keep)      a conversation idle this long: its transcript, its
                                            outbox rows and the files the customer sent
``RETENTION_TICKETS_DAYS``      (keep)      handoff tickets closed this long ago, with their
                                            messages, relay calls and ratings
``RETENTION_VERIFICATION_DAYS`` 90          ownership proofs and failed guesses (the lockout
                                            looks back an hour; a proof older than this must be
                                            given again)
``RETENTION_RELAY_KEYS_DAYS``   30          keys of relay calls already carried out (the handoff
                                            service retries for minutes, not weeks)
=============================== =========== =====================================================

``python -m bot retention`` (``make retention``) applies them once; the handoff service applies
them every ``RETENTION_INTERVAL_HOURS`` (default 24) while it runs.
"""

from __future__ import annotations

import asyncio
import os
import time
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Optional

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncEngine

from infra import tracker_events
from infra.erasure import Targets, _Engines, _table, erase_uploads

#: Conversations deleted per transaction, so the tracker store is never locked for long.
BATCH = 200


def _days(env: Mapping[str, str], name: str, default: Optional[int]) -> Optional[int]:
    raw = (env.get(name) or "").strip()
    if not raw:
        return default
    value = int(raw)
    if value < 0:
        raise ValueError(f"{name} must be a number of days, not {raw!r}")
    return value or None


@dataclass(frozen=True)
class Retention:
    events_days: Optional[int] = None
    tickets_days: Optional[int] = None
    verification_days: Optional[int] = 90
    relay_keys_days: Optional[int] = 30

    @classmethod
    def from_env(cls, env: Optional[Mapping[str, str]] = None) -> Retention:
        e = os.environ if env is None else env
        return cls(
            events_days=_days(e, "RETENTION_EVENTS_DAYS", None),
            tickets_days=_days(e, "RETENTION_TICKETS_DAYS", None),
            verification_days=_days(e, "RETENTION_VERIFICATION_DAYS", 90),
            relay_keys_days=_days(e, "RETENTION_RELAY_KEYS_DAYS", 30),
        )


def _naive_utc(now: float) -> datetime:
    return datetime.fromtimestamp(now, timezone.utc).replace(tzinfo=None)


async def apply_retention(
    targets: Targets, retention: Retention, now: Optional[float] = None
) -> dict[str, int]:
    """Delete what is older than ``retention`` allows; how many rows (or files) went where."""
    now = time.time() if now is None else now
    counts: dict[str, int] = {}
    engines = _Engines()
    try:
        if retention.events_days:
            cutoff = now - retention.events_days * 86_400
            counts.update(await _old_conversations(engines, targets, cutoff))
        if retention.tickets_days:
            cutoff_at = _naive_utc(now) - timedelta(days=retention.tickets_days)
            counts.update(await _old_tickets(engines(targets.handoff_url), cutoff_at))
        if retention.verification_days:
            cutoff_at = _naive_utc(now) - timedelta(days=retention.verification_days)
            async with engines(targets.store_url).begin() as conn:
                attempts = await _table(conn, "verification_attempts")
                if attempts is not None:
                    result = await conn.execute(
                        delete(attempts).where(attempts.c.attempted_at < cutoff_at)
                    )
                    counts["verification_attempts"] = result.rowcount or 0
        if retention.relay_keys_days:
            cutoff_at = _naive_utc(now) - timedelta(days=retention.relay_keys_days)
            async with engines(targets.outbox_url).begin() as conn:
                keys = await _table(conn, "baton_relay_deliveries")
                if keys is not None:
                    result = await conn.execute(delete(keys).where(keys.c.delivered_at < cutoff_at))
                    counts["relay_keys"] = result.rowcount or 0
        return counts
    finally:
        await engines.dispose()


async def _old_conversations(engines: _Engines, targets: Targets, cutoff: float) -> dict[str, int]:
    counts = {"conversations": 0, "tracker_events": 0, "outbox_messages": 0, "uploaded_files": 0}
    tracker = engines(targets.tracker_url)
    async with tracker.connect() as conn:
        if not await tracker_events.exists(conn):
            return counts
        idle = await tracker_events.idle_since(conn, cutoff)
    for start in range(0, len(idle), BATCH):
        batch = idle[start : start + BATCH]
        async with tracker.begin() as conn:
            # Only if still idle: a customer may have written since the list was read.
            counts["tracker_events"] += await tracker_events.delete_idle(conn, batch, cutoff)
        async with engines(targets.outbox_url).begin() as conn:
            for name, counted in (
                ("baton_handoff_outbox", True),
                ("baton_handoff_outbox_dead", True),
                ("baton_handoff_outbox_attachments", False),  # the messages' photo references
            ):
                table = await _table(conn, name)
                if table is not None:
                    result = await conn.execute(
                        delete(table).where(table.c.conversation_id.in_(batch))
                    )
                    if counted:
                        counts["outbox_messages"] += result.rowcount or 0
        counts["uploaded_files"] += await asyncio.to_thread(
            erase_uploads, targets.uploads_dir, batch
        )
    counts["conversations"] = len(idle)
    return counts


async def _old_tickets(engine: AsyncEngine, cutoff_at: datetime) -> dict[str, int]:
    counts = {"handoff_tickets": 0, "handoff_messages": 0}
    async with engine.begin() as conn:
        tickets = await _table(conn, "tickets")
        if tickets is None:
            return counts
        ids = [
            row_id
            for (row_id,) in await conn.execute(
                select(tickets.c.id).where(
                    tickets.c.status == "closed", tickets.c.closed_at < cutoff_at
                )
            )
        ]
        if not ids:
            return counts
        for name, key in (("outbound", None), ("messages", "handoff_messages")):
            table = await _table(conn, name)
            if table is not None:
                result = await conn.execute(delete(table).where(table.c.ticket_id.in_(ids)))
                if key:
                    counts[key] = result.rowcount or 0
        result = await conn.execute(delete(tickets).where(tickets.c.id.in_(ids)))
        counts["handoff_tickets"] = result.rowcount or 0
    return counts

"""A durable inbox for webhooks acknowledged before their turn has run.

WhatsApp's webhook is answered at once and the dialogue runs in the background
(:mod:`connectors.background`), because Twilio gives up on a slow webhook. Held only in
memory, a turn dies with its replica: the platform got its 200 and never resends, so the
customer's message is lost. With several replicas (the production profile) each accepted
webhook is therefore written here **before** it is acknowledged, and deleted when its turn has
ended (answered, or apologised for). Each row carries the replica that took it and a lease
that replica renews while it works. When a replica dies, its rows' leases run out, and another
replica claims them (atomically: one conditional UPDATE) and runs those turns.

At least once, not exactly once: a turn cut off after the bot answered but before the row was
deleted runs again. Order: a replayed message can come after a newer one of the same
conversation that reached the surviving replica meanwhile (rare: the customer wrote again
within the lease, ``lease_seconds``).

The rows live in the tracker store's database (like :mod:`connectors.outbox`).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import time
import uuid
from collections.abc import Awaitable, Callable
from typing import Any, Optional

from sqlalchemy import Column, Float, MetaData, String, Table, Text, delete, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine

from infra.sql import create_async_engine_for

logger = logging.getLogger(__name__)

metadata = MetaData()

inbound = Table(
    "baton_inbound",
    metadata,
    Column("key", String(120), primary_key=True),
    Column("channel", String(40), nullable=False),
    Column("conversation_id", String(255), nullable=False),
    Column("payload", Text, nullable=False),
    Column("owner", String(40), nullable=False),
    Column("lease_until", Float, nullable=False),
    Column("received_at", Float, nullable=False),
)

Replay = Callable[[str, str, dict[str, Any]], Awaitable[None]]  # key, conversation, payload
Answered = Callable[[str], Awaitable[bool]]  # key -> its turn has already ended


class InboundLog:
    """Accepted-but-unfinished webhooks of one channel, shared by every replica."""

    def __init__(
        self,
        url: str,
        channel: str,
        lease_seconds: float = 10.0,
        poll_seconds: float = 2.0,
    ) -> None:
        self.url = url
        self.channel = channel
        self.owner = uuid.uuid4().hex
        self._lease = lease_seconds
        self._poll = poll_seconds
        self._engine: Optional[AsyncEngine] = None
        self._mine: set[str] = set()
        self._worker: Optional[asyncio.Task[None]] = None

    @property
    def engine(self) -> AsyncEngine:
        if self._engine is None:
            self._engine = create_async_engine_for(
                self.url, pool_size=2, max_overflow=4, foreign_keys=False
            )
        return self._engine

    async def start(self, replay: Replay, answered: Optional[Answered] = None) -> None:
        """Create the table and start claiming orphaned rows. ``answered`` tells whether a
        key's turn has already ended (the channel's dedupe key): see :meth:`_run`."""
        for attempt in range(5):  # replicas starting together may race to create the table
            try:
                async with self.engine.begin() as conn:
                    await conn.run_sync(metadata.create_all)
                break
            except Exception:
                if attempt == 4:
                    raise
                await asyncio.sleep(0.2 * (attempt + 1))
        self._worker = asyncio.ensure_future(self._run(replay, answered))

    async def stop(self) -> None:
        if self._worker is not None:
            self._worker.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._worker
            self._worker = None
        if self._engine is not None:
            await self._engine.dispose()
            self._engine = None

    # --- the webhook's side ------------------------------------------------------------

    async def accept(self, key: str, conversation_id: str, payload: dict[str, Any]) -> bool:
        """Write the webhook down before it is acknowledged. False if it already is: a
        platform's (or nginx's) retry of a message some replica is working on, or will."""
        now = time.time()
        try:
            async with self.engine.begin() as conn:
                await conn.execute(
                    insert(inbound).values(
                        key=key,
                        channel=self.channel,
                        conversation_id=conversation_id,
                        payload=json.dumps(payload),
                        owner=self.owner,
                        lease_until=now + self._lease,
                        received_at=now,
                    )
                )
        except IntegrityError:
            return False
        self._mine.add(key)
        return True

    async def done(self, key: str) -> None:
        """The turn has ended: forget the webhook."""
        self._mine.discard(key)
        async with self.engine.begin() as conn:
            await conn.execute(delete(inbound).where(inbound.c.key == key))

    # --- the worker --------------------------------------------------------------------

    async def _run(self, replay: Replay, answered: Optional[Answered] = None) -> None:
        while True:
            try:
                await self.renew()
                for key, conversation_id, payload in await self.claim_orphans():
                    # A lease also runs out when the turn was answered (dedupe key set) but
                    # deleting its row failed, e.g. with the database down: forget the row
                    # instead of answering the customer twice (soak benchmark, PostgreSQL kill).
                    if answered is not None and await answered(key):
                        logger.info(
                            "%s: forgetting a claimed message already answered", self.channel
                        )
                        await self.done(key)
                        continue
                    logger.warning(
                        "%s: running a message whose replica stopped before answering it",
                        self.channel,
                        extra={"conversation": conversation_id},
                    )
                    self._mine.add(key)
                    await replay(key, conversation_id, payload)
            except asyncio.CancelledError:
                raise
            except Exception:
                logger.exception("%s: the durable inbox round failed", self.channel)
            await asyncio.sleep(self._poll)

    async def renew(self) -> None:
        """Extend the leases of this replica's turns in flight."""
        if not self._mine:
            return
        async with self.engine.begin() as conn:
            await conn.execute(
                update(inbound)
                .where(inbound.c.owner == self.owner, inbound.c.key.in_(list(self._mine)))
                .values(lease_until=time.time() + self._lease)
            )

    async def claim_orphans(self, limit: int = 50) -> list[tuple[str, str, dict[str, Any]]]:
        """Rows whose replica's lease ran out, now this replica's, oldest first."""
        now = time.time()
        async with self.engine.connect() as conn:
            rows = (
                await conn.execute(
                    select(inbound.c.key, inbound.c.conversation_id, inbound.c.payload)
                    .where(inbound.c.channel == self.channel, inbound.c.lease_until < now)
                    .order_by(inbound.c.received_at)
                    .limit(limit)
                )
            ).all()
        claimed = []
        for row in rows:
            async with self.engine.begin() as conn:
                taken = await conn.execute(
                    update(inbound)
                    .where(inbound.c.key == row.key, inbound.c.lease_until < now)
                    .values(owner=self.owner, lease_until=time.time() + self._lease)
                )
            if taken.rowcount == 1:
                claimed.append((row.key, row.conversation_id, json.loads(row.payload)))
        return claimed


def durable_inbox(channel: str) -> Optional[InboundLog]:
    """An inbox for ``channel`` when replicas share the work (``REDIS_URL`` set), else None:
    one process (``make run``) keeps its turns in memory, as before."""
    import os

    if not os.environ.get("REDIS_URL", "").strip():
        return None
    url = os.environ.get("HANDOFF_OUTBOX_DATABASE_URL") or os.environ.get("TRACKER_DATABASE_URL")
    if not url:
        logger.warning("%s: no TRACKER_DATABASE_URL, so no durable inbox", channel)
        return None
    return InboundLog(url, channel)

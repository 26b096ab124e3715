"""The outbox: customer messages written while a conversation is with an agent.

While a conversation is paused Rasa logs every customer message and predicts nothing
(docs/architecture.md, "Handoff: to a person and back", step 4). Each of those messages is also
written here — in the Rasa server's own database (a table in the tracker store's database by
default) — and a background worker forwards them to the handoff service:

* **in order**: per conversation, oldest first; a message is sent only after the one before
  it was acknowledged;
* **until acknowledged**: a failed forward (handoff service down, timeout) is retried with a
  capped backoff, across restarts of either server, because the row stays until then;
* **exactly once** at the handoff service: each row has a unique key the service stores with
  the message, so a retry after a lost acknowledgement is recognised, acknowledged and not
  stored twice.

**Several Rasa replicas** share the table (the production profile keeps it in PostgreSQL) and
each runs a worker. A worker forwards a conversation's messages only while it holds that
conversation's *lease* (a row in ``baton_outbox_leases``, taken atomically, expiring after
``lease_seconds`` and renewed while it works), so two replicas never forward one
conversation's messages side by side, which could reorder them. A replica that dies holding a
lease loses it when it expires, and another replica carries on from the oldest undelivered
message: at worst that message is forwarded again, and the handoff service recognises its key.

**What can never be delivered** is not retried forever in front of the messages behind it: a
row the handoff service refuses for good (a 4xx other than 401/403/408/429), or one still
failing ``dead_after_seconds`` (a day) after it was written, moves to
``baton_handoff_outbox_dead`` with the reason, is logged as an error and counted in
``baton_outbox_dead_letters_total``, and the conversation's next message goes on. Text is
normalised before it is written (:func:`connectors.text.clean_text`), so a NUL or a lone
surrogate no longer makes the write itself fail and the message vanish.

**Photos and files** sent while paused travel with their message: the references the
connector kept (``uploads/<folder>/<file>``, never the channel's own media URL) are queued
in ``baton_handoff_outbox_attachments`` with the message and forwarded with it.

The hook that writes to the outbox is channel-independent: it wraps Rasa's
``MessageProcessor.log_message``, so web chat, WhatsApp and Slack messages are forwarded the
same way without each connector knowing about handoffs (:func:`activate`, in
:mod:`connectors.outbox_hook`). The tables are :mod:`connectors.outbox_tables`.
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

from sqlalchemy import (
    delete,
    func,
    insert,
    or_,
    select,
    update,
)
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.ext.asyncio import AsyncEngine

from connectors.outbox_hook import activate, patched
from connectors.outbox_tables import (
    dead_letters,
    leases,
    metadata,
    outbox,
    outbox_attachments,
    relay_deliveries,
)
from infra.sql import create_async_engine_for

# Importable from here as before.
__all__ = [
    "BATCH",
    "LOCKED_RETRIES",
    "RETRYABLE_4XX",
    "Outbox",
    "activate",
    "dead_letters",
    "leases",
    "metadata",
    "outbox",
    "outbox_attachments",
    "patched",
    "permanent_failure",
    "relay_deliveries",
]

logger = logging.getLogger(__name__)

#: ``forward(conversation_id, key, text, sent_at)``; for a message that brought photos or
#: files, also ``attachments=[reference, …]`` (:func:`infra.handoff_client.HandoffClient.forward`).
Forward = Callable[..., Awaitable[Any]]


#: How often a customer message is written again when SQLite says the file is busy.
LOCKED_RETRIES = 5
#: Statuses that say "try again later", not "never": auth being fixed, timeouts, rate limits.
RETRYABLE_4XX = frozenset({401, 403, 408, 429})
#: Rows read per round.
BATCH = 500


def permanent_failure(exc: BaseException) -> Optional[str]:
    """Why ``exc`` means the row will never be accepted (``None``: worth retrying)."""
    status = getattr(exc, "status", None)
    if isinstance(status, int) and 400 <= status < 500 and status not in RETRYABLE_4XX:
        return f"refused with HTTP {status}"
    if isinstance(exc, (UnicodeError, ValueError, TypeError)):
        return f"cannot be sent: {type(exc).__name__}"
    return None


def _engine(url: str) -> AsyncEngine:
    return create_async_engine_for(url, pool_size=2, max_overflow=2, foreign_keys=False)


class Outbox:
    """Durable, ordered, retried forwarding of paused conversations' messages."""

    def __init__(
        self,
        url: str,
        forward: Forward,
        max_backoff: float = 5.0,
        lease_seconds: float = 15.0,
        poll_seconds: float = 5.0,
        dead_after_seconds: float = 86_400.0,
    ) -> None:
        self.url = url
        self._forward = forward
        self._max_backoff = max_backoff
        self._lease_seconds = lease_seconds
        # How often to look for rows nobody is working on (another replica's, left behind when
        # it died). A replica's own messages wake its worker at once.
        self._poll_seconds = poll_seconds
        self._dead_after = dead_after_seconds
        self.owner = uuid.uuid4().hex
        self._engine: Optional[AsyncEngine] = None
        self._wake = asyncio.Event()
        self._worker: Optional[asyncio.Task[None]] = None

    @property
    def engine(self) -> AsyncEngine:
        if self._engine is None:
            self._engine = _engine(self.url)
        return self._engine

    async def start(self) -> None:
        for attempt in range(5):  # replicas starting together may race to create the tables
            try:
                async with self.engine.begin() as conn:
                    await conn.run_sync(metadata.create_all)
                break
            except Exception:
                if attempt == 4:
                    raise
                await asyncio.sleep(0.2 * (attempt + 1))
        self._wake = asyncio.Event()
        self._worker = asyncio.ensure_future(self._run())

    async def stop(self) -> None:
        if self._worker is not None:
            self._worker.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._worker
            self._worker = None
        if self._engine is not None:
            await self._engine.dispose()
            self._engine = None

    # --- writing ----------------------------------------------------------------------

    async def enqueue(
        self,
        conversation_id: str,
        text: str,
        sent_at: Optional[float] = None,
        attachments: Optional[list[dict[str, Any]]] = None,
    ) -> str:
        """Queue one message (and the references of its photos or files) for the agent."""
        from connectors.text import clean_text

        key = uuid.uuid4().hex
        row = {
            "conversation_id": conversation_id,
            "key": key,
            "text": clean_text(text),
            "sent_at": sent_at or time.time(),
            "attempts": 0,
        }
        # The customer's message must not be lost to a moment of SQLite contention (the tracker
        # store, this worker and another replica share the file): SQLite can answer "database
        # is locked" without waiting out its busy timeout, and the rolled-back insert is safe to
        # try again.
        for attempt in range(LOCKED_RETRIES):
            try:
                async with self.engine.begin() as conn:
                    await conn.execute(insert(outbox).values(**row))
                    if attachments:
                        await conn.execute(
                            insert(outbox_attachments).values(
                                key=key,
                                conversation_id=conversation_id,
                                attachments=json.dumps(attachments),
                            )
                        )
                break
            except OperationalError as exc:
                if "database is locked" not in str(exc) or attempt == LOCKED_RETRIES - 1:
                    raise
                await asyncio.sleep(0.05 * (attempt + 1))
        self._wake.set()
        return key

    async def pending(self) -> int:
        async with self.engine.connect() as conn:
            return int((await conn.execute(select(func.count()).select_from(outbox))).scalar_one())

    # --- relay idempotency ------------------------------------------------------------

    async def already_delivered(self, key: str) -> bool:
        async with self.engine.connect() as conn:
            row = (
                await conn.execute(
                    select(relay_deliveries.c.key).where(relay_deliveries.c.key == key)
                )
            ).first()
        return row is not None

    async def remember_delivery(self, key: str) -> None:
        try:
            async with self.engine.begin() as conn:
                await conn.execute(insert(relay_deliveries).values(key=key))
        except IntegrityError:
            pass  # remembered already (by this replica or another)

    # --- leases -----------------------------------------------------------------------

    async def claim(self, conversation_id: str) -> bool:
        """Take (or renew) this worker's lease on a conversation; False if another holds it.

        Atomic on PostgreSQL and SQLite alike: the conditional UPDATE takes an expired or own
        lease, and the INSERT of a missing one fails on the primary key if another worker
        inserted it first."""
        now = time.time()
        async with self.engine.begin() as conn:
            taken = await conn.execute(
                update(leases)
                .where(
                    leases.c.conversation_id == conversation_id,
                    or_(leases.c.owner == self.owner, leases.c.expires_at < now),
                )
                .values(owner=self.owner, expires_at=now + self._lease_seconds)
            )
        if taken.rowcount == 1:
            return True
        try:
            async with self.engine.begin() as conn:
                await conn.execute(
                    insert(leases).values(
                        conversation_id=conversation_id,
                        owner=self.owner,
                        expires_at=now + self._lease_seconds,
                    )
                )
        except IntegrityError:
            return False
        return True

    async def release(self, conversation_id: str) -> None:
        async with self.engine.begin() as conn:
            await conn.execute(
                delete(leases).where(
                    leases.c.conversation_id == conversation_id, leases.c.owner == self.owner
                )
            )

    # --- the worker -------------------------------------------------------------------

    async def _run(self) -> None:
        while True:
            self._wake.clear()
            try:
                delay = await self.deliver_due()
            except asyncio.CancelledError:
                raise
            except Exception:
                logger.exception("outbox round failed")
                delay = 1.0
            if delay is None:
                delay = self._poll_seconds
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(self._wake.wait(), delay)

    async def deliver_due(self) -> Optional[float]:
        """Forward what is due; the seconds until the next retry (``None``: nothing waits)."""
        now = time.time()
        waiting = select(outbox.c.conversation_id).where(outbox.c.next_attempt_at > now)
        async with self.engine.connect() as conn:
            # Conversations whose oldest message waits for a retry are left out here, so a
            # backlog of them cannot fill every round (the worker then spun without sleeping).
            rows = (
                await conn.execute(
                    select(outbox)
                    .where(outbox.c.conversation_id.not_in(waiting))
                    .order_by(outbox.c.id)
                    .limit(BATCH)
                )
            ).all()
            soonest = (
                await conn.execute(
                    select(func.min(outbox.c.next_attempt_at)).where(outbox.c.next_attempt_at > now)
                )
            ).scalar()
        by_conversation: dict[str, list[Any]] = {}
        for row in rows:  # oldest first within each conversation
            by_conversation.setdefault(row.conversation_id, []).append(row)
        next_retry: Optional[float] = None if soonest is None else max(0.0, soonest - now)
        progressed = False
        for conversation_id, queued in by_conversation.items():
            if queued[0].next_attempt_at is not None and queued[0].next_attempt_at > time.time():
                wait = queued[0].next_attempt_at - time.time()  # nothing overtakes it
                next_retry = wait if next_retry is None else min(next_retry, wait)
                continue
            if not await self.claim(conversation_id):
                # Another replica is forwarding these; look again soon in case it died.
                wait = min(self._poll_seconds, self._lease_seconds)
                next_retry = wait if next_retry is None else min(next_retry, wait)
                continue
            try:
                wait = await self._deliver_conversation(conversation_id, queued)
            finally:
                await self.release(conversation_id)
            progressed = progressed or wait is None
            if wait is not None:
                next_retry = wait if next_retry is None else min(next_retry, wait)
        if len(rows) == BATCH and progressed:
            return 0.0  # more may be due right now
        return next_retry

    async def _deliver_conversation(
        self, conversation_id: str, queued: list[Any]
    ) -> Optional[float]:
        """Forward one conversation's rows in order under its lease; stop at the first failure."""
        renewed = time.monotonic()
        for row in queued:
            if time.monotonic() - renewed > self._lease_seconds / 3:
                if not await self.claim(conversation_id):
                    return min(self._poll_seconds, self._lease_seconds)
                renewed = time.monotonic()
            async with self.engine.connect() as conn:
                still_queued = (
                    await conn.execute(select(outbox.c.id).where(outbox.c.id == row.id))
                ).first()
            if still_queued is None:
                continue  # forwarded meanwhile by a replica whose lease had expired
            try:
                references = await self._attachments_of(row.key)
                if references:
                    await self._forward(
                        row.conversation_id, row.key, row.text, row.sent_at, attachments=references
                    )
                else:  # the plain call, as every forward was before attachments
                    await self._forward(row.conversation_id, row.key, row.text, row.sent_at)
            except Exception as exc:
                reason = permanent_failure(exc)
                if reason is None and time.time() - row.sent_at > self._dead_after:
                    reason = f"still failing after {self._dead_after / 3600:.0f} h"
                if reason is not None:
                    await self._bury(row, reason)
                    continue
                backoff = min(self._max_backoff, 0.25 * 2 ** min(row.attempts, 6))
                if row.attempts in (0, 3) or row.attempts % 20 == 0:
                    logger.warning(
                        "a paused conversation's message waits in the outbox (%s); retrying",
                        type(exc).__name__,
                        extra={"conversation": row.conversation_id},
                    )
                async with self.engine.begin() as conn:
                    await conn.execute(
                        update(outbox)
                        .where(outbox.c.id == row.id)
                        .values(
                            attempts=row.attempts + 1,
                            next_attempt_at=time.time() + backoff,
                            last_error=str(type(exc).__name__)[:200],
                        )
                    )
                return backoff
            async with self.engine.begin() as conn:
                await conn.execute(delete(outbox).where(outbox.c.id == row.id))
                await conn.execute(
                    delete(outbox_attachments).where(outbox_attachments.c.key == row.key)
                )
        return None

    async def _attachments_of(self, key: str) -> list[dict[str, Any]]:
        """The references queued with message ``key`` (none for most messages)."""
        async with self.engine.connect() as conn:
            raw = (
                await conn.execute(
                    select(outbox_attachments.c.attachments).where(outbox_attachments.c.key == key)
                )
            ).scalar()
        found = json.loads(raw) if raw else []
        return [a for a in found if isinstance(a, dict)] if isinstance(found, list) else []

    async def _bury(self, row: Any, reason: str) -> None:
        """Move ``row`` to the dead letters, visibly, so the messages behind it go on."""
        from infra import metrics

        logger.error(
            "a customer's message to an agent could not be delivered and was set aside (%s); "
            "it is kept in baton_handoff_outbox_dead",
            reason,
            extra={"conversation": row.conversation_id},
        )
        metrics.OUTBOX_DEAD_LETTERS.labels(reason=reason.split(":")[0][:40]).inc()
        async with self.engine.begin() as conn:
            await conn.execute(
                insert(dead_letters).values(
                    conversation_id=row.conversation_id,
                    key=row.key,
                    text=row.text,
                    sent_at=row.sent_at,
                    attempts=row.attempts + 1,
                    reason=reason[:200],
                    dead_at=time.time(),
                )
            )
            await conn.execute(delete(outbox).where(outbox.c.id == row.id))

    async def dead(self) -> list[dict[str, Any]]:
        """The messages given up on, oldest first."""
        async with self.engine.connect() as conn:
            rows = (await conn.execute(select(dead_letters).order_by(dead_letters.c.id))).all()
        return [dict(row._mapping) for row in rows]


# --- the hook into Rasa --------------------------------------------------------------------

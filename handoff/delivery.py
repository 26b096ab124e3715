"""Delivery to the customer, through the Rasa server's relay, in order and never lost.

Agent replies and closes are written to the ``outbound`` table first and delivered per
conversation in order; a failed delivery stays queued and a background loop retries it until
the Rasa server's relay acknowledges it (the relay ignores a repeated key).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from datetime import timedelta

from handoff.domain import SYSTEM, WINDOW_REFUSED
from handoff.relay import RelayError, RelayRejected
from handoff.service_core import ServiceCore
from handoff.store.repository import HandoffRepository
from infra.sql import begin

logger = logging.getLogger(__name__)


class Delivery(ServiceCore):
    """The ``outbound`` queue, drained per conversation."""

    def _backoff(self, attempts: int) -> timedelta:
        return timedelta(seconds=min(10.0, 0.25 * 2 ** min(attempts, 6)))

    async def drain(self, conversation_id: str) -> None:
        """Deliver this conversation's pending relay calls, oldest first; stop at the first
        one that fails, so nothing overtakes it."""
        async with self._conversation_locks[conversation_id]:
            async with self.engine.connect() as conn:
                pending = await HandoffRepository(conn).pending_for(conversation_id)
            for row in pending:
                now = self.now()
                if row.next_attempt_at is not None and row.next_attempt_at > now:
                    return
                payload = json.loads(row.payload)
                try:
                    await self.relay.send(row.kind, payload)
                except RelayRejected as exc:
                    logger.warning("relay refused %s %s for good: %s", row.kind, row.id, exc)
                    noted = None
                    async with begin(self.engine) as conn:
                        repo = HandoffRepository(conn)
                        await repo.mark_attempt_failed(row.id, str(exc), None)
                        if exc.window_closed:  # the agent sees why, and the template button
                            noted = await repo.add_message(
                                row.ticket_id, SYSTEM, f"{WINDOW_REFUSED}: {exc.reason}", now
                            )
                    if noted is not None:
                        async with self.engine.connect() as conn:
                            message = await HandoffRepository(conn).get_message(noted)
                        if message is not None:
                            await self._publish({"type": "message", "message": message.public()})
                    await self._publish(
                        {"type": "delivery_failed", "ticket_id": row.ticket_id, "kind": row.kind}
                    )
                    continue
                except RelayError as exc:
                    logger.warning("relay %s %s not delivered yet: %s", row.kind, row.id, exc)
                    async with begin(self.engine) as conn:
                        await HandoffRepository(conn).mark_attempt_failed(
                            row.id, str(exc), now + self._backoff(row.attempts)
                        )
                    self._wake.set()
                    return
                async with begin(self.engine) as conn:
                    await HandoffRepository(conn).mark_delivered(row.id, self.now())
                if row.message_id is not None and row.attempts:
                    await self._publish(
                        {"type": "delivered", "ticket_id": row.ticket_id, "id": row.message_id}
                    )

    async def delivery_loop(self, interval: float = 1.0) -> None:
        """Retry undelivered relay calls until they go through."""
        while True:
            try:
                async with self.engine.connect() as conn:
                    conversations = await HandoffRepository(conn).pending_conversations(self.now())
                for conversation_id in conversations:
                    await self.drain(conversation_id)
            except asyncio.CancelledError:
                raise
            except Exception:
                logger.exception("delivery loop error")
            self._wake.clear()
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(self._wake.wait(), interval)

"""The handoff service's shared core: its state, background tasks, the live feed and Slack.

:class:`handoff.services.HandoffService` is this core with the parts mixed in
(``handoff/accounts.py``, ``intake.py``, ``agent_work.py``, ``delivery.py``, ``views.py``).
Slack posts run in the background, in order per ticket; Slack being down never blocks the
console or the customer.
"""

from __future__ import annotations

import asyncio
import logging
import secrets
from collections import defaultdict
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta, timezone
from typing import Any, Optional

from sqlalchemy.ext.asyncio import AsyncEngine

from handoff.domain import Ticket
from handoff.live import Hub
from handoff.relay import RelayClient
from handoff.settings import HandoffSettings
from handoff.slack import SlackBridge
from handoff.store.repository import HandoffRepository
from infra.sql import begin

logger = logging.getLogger(__name__)


#: Console logins: failures counted in this window (see Accounts.login).
LOGIN_WINDOW = timedelta(minutes=15)
LOGIN_MAX_FAILURES = 5


class LoginThrottled(Exception):
    """Too many failed logins: try again in ``retry_after`` seconds."""

    def __init__(self, retry_after: int) -> None:
        super().__init__(f"too many failed logins; try again in {retry_after // 60} minutes")
        self.retry_after = retry_after


def relay_key(kind: str) -> str:
    """The idempotency key of one relay call, random: the Rasa server remembers every key it
    carried out (connectors/outbox.py), and keys made from row ids came round again after
    the newest ticket was erased or handoff.db was recreated — the agent's replies were then
    dropped as duplicates and "Close & hand back" never resumed the bot. Kept in the outbound
    row, so a retry of the same call sends the same key."""
    return f"handoff-{kind}-{secrets.token_hex(16)}"


MAX_TEXT = 5000
TOUCH_EVERY = timedelta(seconds=20)


def utc_now() -> datetime:
    return datetime.now(timezone.utc).replace(tzinfo=None)


class NotFound(Exception):
    pass


class Conflict(Exception):
    pass


class WindowClosed(Conflict):
    """WhatsApp's 24-hour window is closed: no free-form message, only the template."""


class ServiceCore:
    """The state every part of the service shares, the live feed and the Slack card."""

    def __init__(
        self,
        engine: AsyncEngine,
        settings: HandoffSettings,
        hub: Hub,
        relay: RelayClient,
        slack: Optional[SlackBridge] = None,
        clock: Callable[[], datetime] = utc_now,
    ) -> None:
        self.engine = engine
        self.settings = settings
        self.hub = hub
        self.relay = relay
        self.slack = slack
        self.now = clock
        self._conversation_locks: defaultdict[str, asyncio.Lock] = defaultdict(asyncio.Lock)
        self._slack_locks: defaultdict[int, asyncio.Lock] = defaultdict(asyncio.Lock)
        self._background: set[asyncio.Task[Any]] = set()
        self._wake = asyncio.Event()
        self._touched: dict[int, datetime] = {}

    # --- plumbing --------------------------------------------------------------------

    def _spawn(self, coro: Awaitable[Any]) -> None:
        task = asyncio.ensure_future(coro)
        self._background.add(task)
        task.add_done_callback(self._background.discard)

    async def wait_for_background(self) -> None:
        while self._background:
            await asyncio.gather(*list(self._background), return_exceptions=True)

    async def _publish(self, event: dict[str, Any]) -> None:
        try:
            await self.hub.publish(event)
        except Exception:
            logger.exception("could not publish a live update")

    # --- Slack -----------------------------------------------------------------------

    async def _slack_card(self, ticket: Ticket) -> None:
        if self.slack is None:
            return
        async with self._slack_locks[ticket.id]:
            try:
                channel, ts = await self.slack.post_card(ticket)
            except Exception:
                logger.exception("could not post handoff %s to Slack", ticket.id)
                return
            async with begin(self.engine) as conn:
                await HandoffRepository(conn).set_slack(ticket.id, channel, ts)

    async def _slack_thread(self, ticket_id: int, text: str) -> None:
        if self.slack is None:
            return
        async with self._slack_locks[ticket_id]:
            async with self.engine.connect() as conn:
                ticket = await HandoffRepository(conn).get_ticket(ticket_id, with_context=False)
            if ticket is None:
                return
            try:
                await self.slack.post_in_thread(ticket, text)
            except Exception:
                logger.exception("could not post to the Slack thread of handoff %s", ticket_id)

    async def _slack_update(self, ticket: Ticket, status_line: str) -> None:
        if self.slack is None:
            return
        async with self._slack_locks[ticket.id]:
            async with self.engine.connect() as conn:
                fresh = await HandoffRepository(conn).get_ticket(ticket.id)
            if fresh is None:
                return
            try:
                await self.slack.update_card(fresh, status_line)
                await self.slack.post_in_thread(fresh, status_line)
            except Exception:
                logger.exception("could not update handoff %s on Slack", ticket.id)

    async def ticket_for_slack_thread(self, thread_ts: str) -> Optional[Ticket]:
        async with self.engine.connect() as conn:
            return await HandoffRepository(conn).ticket_by_slack_ts(thread_ts)

    async def first_time_slack_event(self, event_id: str) -> bool:
        async with begin(self.engine) as conn:
            return await HandoffRepository(conn).remember_slack_event(event_id, self.now())

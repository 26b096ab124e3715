"""What the handoff service does: open tickets, queue them, relay both ways, close, rate.

The routes are thin; every rule lives here, over the repository. Side effects that may be
slow or fail (the relay to the customer's channel, Slack) never lose anything:

* agent replies and closes are written to the ``outbound`` table first and delivered per
  conversation in order; a failed delivery stays queued and a background loop retries it
  until the Rasa server's relay acknowledges it (the relay ignores a repeated key);
* forwarded customer messages carry the bot's outbox key, so a retried forward is
  acknowledged without storing the message twice;
* Slack posts run in the background, in order per ticket; Slack being down never blocks the
  console or the customer.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import secrets
from collections import defaultdict
from collections.abc import Awaitable, Callable, Mapping
from datetime import datetime, timedelta, timezone
from typing import Any, Optional

from sqlalchemy.ext.asyncio import AsyncEngine

from contracts.packet import ContextPacket, PacketError, parse_packet
from handoff.domain import (
    ACTIVE,
    AGENT,
    CLOSED,
    CUSTOMER,
    LEAD_ROLE,
    NOTE,
    OPEN_STATUSES,
    ROLES,
    SYSTEM,
    WAITING,
    Agent,
    Ticket,
    Waiting,
    estimate_minutes,
    reason_text,
)
from handoff.live import Hub
from handoff.relay import RelayClient, RelayError, RelayRejected
from handoff.security import hash_password, new_session_token, token_digest, verify_password
from handoff.settings import HandoffSettings
from handoff.slack import SlackBridge, escape
from handoff.store.repository import HandoffRepository
from infra.metrics import observe_queue_wait
from infra.sql import begin

logger = logging.getLogger(__name__)


#: Console logins: failures counted in this window (see HandoffService.login).
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


class HandoffService:
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

    # --- agents ----------------------------------------------------------------------

    async def create_agent(
        self, username: str, display_name: str, password: str, role: Optional[str] = None
    ) -> int:
        """Add an agent, or reset an existing one's password; ``role`` ("agent" or "lead")
        is changed only when given."""
        if role is not None and role not in ROLES:
            raise ValueError(f"role is one of {', '.join(ROLES)}")
        async with begin(self.engine) as conn:
            repo = HandoffRepository(conn)
            existing, _ = await repo.agent_with_hash(username)
            hashed = await asyncio.to_thread(hash_password, password)
            if existing is not None:
                await repo.set_password(existing.id, hashed)
                # A new password ends every session: whoever knew the old one is logged out.
                ended = await repo.delete_sessions_of(existing.id)
                if ended:
                    logger.info("password reset: %s console session(s) ended", ended)
                agent_id = existing.id
            else:
                agent_id = await repo.create_agent(username, display_name, hashed, self.now())
            if role is not None:
                await repo.set_role(agent_id, role)
            return agent_id

    async def ensure_demo_agent(self) -> None:
        s = self.settings
        if not (s.demo_agent and s.demo_password):
            return
        async with self.engine.connect() as conn:
            agent, stored = await HandoffRepository(conn).agent_with_hash(s.demo_username)
        if (
            agent is not None
            and stored is not None
            and agent.is_lead
            and await asyncio.to_thread(verify_password, s.demo_password, stored)
        ):
            return
        # The demo agent is a lead, so a fresh `make run` shows the analytics dashboard too.
        await self.create_agent(s.demo_username, s.demo_display_name, s.demo_password, LEAD_ROLE)

    async def login(
        self, username: str, password: str, client: str = "unknown"
    ) -> Optional[tuple[str, Agent]]:
        """A new session for the agent, or None for a wrong username or password.

        Raises :class:`LoginThrottled` after too many failures within ``LOGIN_WINDOW``: from
        this client for this username, from this client for any username, or for this
        username from everyone (guessing spread over many addresses). A stranger at another
        address cannot lock an agent out with a few wrong passwords."""
        now = self.now()
        since = now - LOGIN_WINDOW
        async with self.engine.connect() as conn:
            repo = HandoffRepository(conn)
            if (
                await repo.login_failures_since(since, username=username, client=client)
                >= LOGIN_MAX_FAILURES
                or await repo.login_failures_since(since, client=client) >= LOGIN_MAX_FAILURES * 4
                or await repo.login_failures_since(since, username=username)
                >= LOGIN_MAX_FAILURES * 20
            ):
                raise LoginThrottled(int(LOGIN_WINDOW.total_seconds()))
            agent, stored = await repo.agent_with_hash(username)
        ok = await asyncio.to_thread(verify_password, password, stored)
        if agent is None or not ok:
            async with begin(self.engine) as conn:
                await HandoffRepository(conn).record_login_failure(username, client, now)
            return None
        token = new_session_token()
        async with begin(self.engine) as conn:
            repo = HandoffRepository(conn)
            await repo.forget_login_failures(username, client, since)
            await repo.delete_expired_sessions(now)
            await repo.add_session(
                token_digest(token),
                agent.id,
                now,
                now + timedelta(hours=self.settings.session_hours),
            )
            await repo.touch_agent(agent.id, now)
        self._touched[agent.id] = now
        return token, agent

    async def agent_for_token(self, token: str) -> Optional[Agent]:
        now = self.now()
        async with self.engine.connect() as conn:
            agent = await HandoffRepository(conn).agent_for_session(token_digest(token), now)
        if agent is not None and now - self._touched.get(agent.id, datetime.min) > TOUCH_EVERY:
            self._touched[agent.id] = now
            async with begin(self.engine) as conn:
                await HandoffRepository(conn).touch_agent(agent.id, now)
        return agent

    async def logout(self, token: str, agent: Agent) -> None:
        async with begin(self.engine) as conn:
            repo = HandoffRepository(conn)
            await repo.delete_session(token_digest(token))
            await repo.clear_presence(agent.id)
        self._touched.pop(agent.id, None)

    async def agents_online(self) -> int:
        since = self.now() - timedelta(seconds=self.settings.presence_seconds)
        async with self.engine.connect() as conn:
            seen = await HandoffRepository(conn).agents_seen_since(since)
        return len(seen | self.hub.connected_agents())

    async def slack_agent(self, slack_user_id: str, name: str) -> Agent:
        """The agent record of a Slack user (created on first use; no password)."""
        async with begin(self.engine) as conn:
            repo = HandoffRepository(conn)
            agent = await repo.agent_by_slack_user(slack_user_id)
            if agent is None:
                agent_id = await repo.create_agent(
                    f"slack:{slack_user_id}", name, None, self.now(), slack_user_id=slack_user_id
                )
                agent = await repo.agent_by_id(agent_id)
            assert agent is not None
            await repo.touch_agent(agent.id, self.now())
        return agent

    # --- tickets, from the bot -------------------------------------------------------

    async def waiting(self, ticket: Ticket, lang: str = "en") -> Waiting:
        """The queue position and hours, the hours told in the customer's language."""
        now = self.now()
        hours = self.settings.business_hours
        online = await self.agents_online()
        async with self.engine.connect() as conn:
            repo = HandoffRepository(conn)
            position = await repo.queue_position(ticket.id) if ticket.status == WAITING else 0
            waits = await repo.recent_claim_waits(now - timedelta(days=7))
        open_now = hours.is_open(now)
        return Waiting(
            position=position,
            agents_online=online,
            open_now=open_now,
            estimate_minutes=estimate_minutes(
                max(position, 1), online, waits, self.settings.default_minutes_per_customer
            )
            if open_now
            else None,
            next_opening=hours.describe_next_opening(now, lang),
            hours=hours.describe(lang),
        )

    async def open_ticket(self, received: ContextPacket | Mapping[str, Any]) -> dict[str, Any]:
        """Open a ticket for a conversation (or return the one already open).

        A packet as received is checked first (:func:`contracts.packet.parse_packet`): one
        this service cannot read raises :class:`PacketError` (a ``ValueError``: HTTP 400 with
        the reason) and nothing is stored; the sender then sends the parts a ticket needs."""
        packet = received if isinstance(received, ContextPacket) else parse_packet(received)
        conversation = packet.conversation
        conversation_id = conversation.id
        if not conversation_id:
            raise PacketError(["the context packet has no conversation id"])
        customer = packet.customer
        reason = packet.reason.code or "customer_asked"
        now = self.now()
        open_now = self.settings.business_hours.is_open(now)
        online = await self.agents_online()
        async with begin(self.engine) as conn:
            repo = HandoffRepository(conn)
            existing = await repo.open_ticket_for(conversation_id)
            if existing is None:
                ticket_id = await repo.insert_ticket(
                    conversation_id=conversation_id,
                    channel=conversation.channel or "unknown",
                    customer_id=customer.id if customer and customer.id else None,
                    customer_name=(customer.name if customer else None)
                    or conversation.display_name,
                    reason=reason,
                    after_hours=not open_now or online == 0,
                    context=packet.to_dict(),
                    now=now,
                )
                await repo.add_message(ticket_id, SYSTEM, f"Handed off: {reason_text(reason)}", now)
            else:
                ticket_id = existing.id
                await repo.add_message(
                    ticket_id, SYSTEM, f"Asked again for a person: {reason_text(reason)}", now
                )
            ticket = await repo.get_ticket(ticket_id)
        assert ticket is not None
        waiting = await self.waiting(ticket, packet.language_code)
        if existing is None:
            logger.info("handoff ticket %s opened (%s)", ticket.id, reason)
            await self._publish({"type": "ticket_opened", "ticket": ticket.summary(now)})
            self._spawn(self._slack_card(ticket))
        return {
            "ticket_id": ticket.id,
            "status": ticket.status,
            "existing": existing is not None,
            **waiting.public(),
        }

    async def customer_message(
        self, conversation_id: str, key: str, text: str, sent_at: Optional[float] = None
    ) -> dict[str, Any]:
        """A customer message forwarded by the bot while the conversation is paused.

        It goes to the conversation's open ticket — or, if the ticket was closed a moment
        ago, to the latest one — so nothing the customer wrote is dropped."""
        now = self.now()
        async with begin(self.engine) as conn:
            repo = HandoffRepository(conn)
            ticket = await repo.open_ticket_for(conversation_id) or await repo.latest_ticket_for(
                conversation_id
            )
            if ticket is None:
                return {"accepted": False, "reason": "no handoff for this conversation"}
            message_id = await repo.add_message(
                ticket.id, CUSTOMER, text[:MAX_TEXT], now, external_key=key
            )
            message = await repo.get_message(message_id) if message_id else None
        if message is None:
            return {"accepted": True, "duplicate": True, "ticket_id": ticket.id}
        await self._publish({"type": "message", "message": message.public()})
        if self.slack is not None:
            who = escape(ticket.customer_name or "Customer")
            self._spawn(self._slack_thread(ticket.id, f"*{who}:* {escape(message.text)}"))
        return {"accepted": True, "duplicate": False, "ticket_id": ticket.id, "id": message.id}

    async def record_csat(
        self, ticket_id: int, rating: Optional[int], comment: Optional[str]
    ) -> Ticket:
        if rating is not None and not 1 <= rating <= 5:
            raise ValueError("a rating is a whole number from 1 to 5")
        now = self.now()
        async with begin(self.engine) as conn:
            repo = HandoffRepository(conn)
            comment = comment.strip()[:2000] if comment else None
            if not await repo.set_csat(ticket_id, rating, comment or None, now):
                raise NotFound(ticket_id)
            parts = [f"Rated {rating}/5" if rating is not None else "Feedback"]
            if comment:
                parts.append(f"“{comment}”")
            await repo.add_message(ticket_id, SYSTEM, ": ".join(parts), now)
            ticket = await repo.get_ticket(ticket_id, with_context=False)
        assert ticket is not None
        await self._publish({"type": "ticket_updated", "ticket": ticket.summary(now)})
        if self.slack is not None:
            self._spawn(self._slack_thread(ticket.id, ": ".join(parts)))
        return ticket

    # --- the console -----------------------------------------------------------------

    async def list_tickets(self, status: str) -> list[dict[str, Any]]:
        statuses = {
            "open": OPEN_STATUSES,
            "waiting": (WAITING,),
            "active": (ACTIVE,),
            "closed": (CLOSED,),
        }.get(status)
        if statuses is None:
            raise ValueError("status is one of open, waiting, active, closed")
        async with self.engine.connect() as conn:
            tickets = await HandoffRepository(conn).list_tickets(statuses)
        now = self.now()
        return [t.summary(now) for t in tickets]

    async def ticket_detail(self, ticket_id: int) -> dict[str, Any]:
        async with self.engine.connect() as conn:
            repo = HandoffRepository(conn)
            ticket = await repo.get_ticket(ticket_id)
            if ticket is None:
                raise NotFound(ticket_id)
            messages = await repo.messages_for(ticket_id)
            earlier = await repo.earlier_tickets(
                ticket.customer_id, ticket.conversation_id, ticket.id
            )
            earlier_messages = {e.id: await repo.messages_for(e.id) for e in earlier}
        now = self.now()
        return {
            **ticket.summary(now),
            "context": ticket.packet.to_dict(),
            "messages": [m.public() for m in messages],
            "earlier_handoffs": [
                {
                    **e.summary(now),
                    "messages": [
                        m.public() for m in earlier_messages[e.id] if m.kind in (CUSTOMER, AGENT)
                    ],
                }
                for e in earlier
            ],
        }

    async def _get_open(self, repo: HandoffRepository, ticket_id: int) -> Ticket:
        ticket = await repo.get_ticket(ticket_id, with_context=False)
        if ticket is None:
            raise NotFound(ticket_id)
        if not ticket.is_open:
            raise Conflict("this handoff is closed")
        return ticket

    async def claim(self, ticket_id: int, agent: Agent) -> dict[str, Any]:
        now = self.now()
        async with begin(self.engine) as conn:
            repo = HandoffRepository(conn)
            ticket = await self._get_open(repo, ticket_id)
            if ticket.claimed_by not in (None, agent.id):
                raise Conflict(f"already claimed by {ticket.claimed_by_name}")
            if ticket.claimed_by is None:
                if await repo.claim(ticket_id, agent.id, now):
                    observe_queue_wait(ticket.created_at, now)
                await repo.add_message(ticket_id, SYSTEM, f"Claimed by {agent.display_name}", now)
            claimed = await repo.get_ticket(ticket_id)
        assert claimed is not None
        await self._publish({"type": "ticket_updated", "ticket": claimed.summary(now)})
        self._spawn(self._slack_update(claimed, f"Claimed by {agent.display_name}"))
        return claimed.summary(now)

    async def reply(
        self, ticket_id: int, agent: Agent, text: str, from_slack: bool = False
    ) -> dict[str, Any]:
        """An agent's message to the customer: stored, then relayed in order."""
        text = text.strip()[:MAX_TEXT]
        if not text:
            raise ValueError("the message is empty")
        now = self.now()
        async with begin(self.engine) as conn:
            repo = HandoffRepository(conn)
            ticket = await self._get_open(repo, ticket_id)
            claimed_now = ticket.claimed_by is None and await repo.claim(ticket_id, agent.id, now)
            if claimed_now:
                observe_queue_wait(ticket.created_at, now)
                await repo.add_message(ticket_id, SYSTEM, f"Claimed by {agent.display_name}", now)
            message_id = await repo.add_message(ticket_id, AGENT, text, now, agent_id=agent.id)
            assert message_id is not None
            await repo.add_outbound(
                ticket_id,
                ticket.conversation_id,
                "message",
                {
                    "conversation_id": ticket.conversation_id,
                    "ticket_id": ticket_id,
                    "message_id": relay_key("message"),
                    "text": text,
                    "agent_name": agent.display_name,
                },
                now,
                message_id=message_id,
            )
        if claimed_now:
            async with self.engine.connect() as conn:
                claimed = await HandoffRepository(conn).get_ticket(ticket_id)
            assert claimed is not None
            await self._publish({"type": "ticket_updated", "ticket": claimed.summary(now)})
            self._spawn(self._slack_update(claimed, f"Claimed by {agent.display_name}"))
        await self.drain(ticket.conversation_id)
        async with self.engine.connect() as conn:
            message = await HandoffRepository(conn).get_message(message_id)
        assert message is not None
        await self._publish({"type": "message", "message": message.public()})
        if self.slack is not None and not from_slack:
            self._spawn(
                self._slack_thread(
                    ticket_id, f"*{escape(agent.display_name)}* (console): {escape(text)}"
                )
            )
        return message.public()

    async def note(
        self, ticket_id: int, agent: Agent, text: str, from_slack: bool = False
    ) -> dict[str, Any]:
        """A private note: agents only, never relayed to the customer."""
        text = text.strip()[:MAX_TEXT]
        if not text:
            raise ValueError("the note is empty")
        now = self.now()
        async with begin(self.engine) as conn:
            repo = HandoffRepository(conn)
            if await repo.get_ticket(ticket_id, with_context=False) is None:
                raise NotFound(ticket_id)
            message_id = await repo.add_message(ticket_id, NOTE, text, now, agent_id=agent.id)
            assert message_id is not None
            message = await repo.get_message(message_id)
        assert message is not None
        await self._publish({"type": "message", "message": message.public()})
        if self.slack is not None and not from_slack:
            self._spawn(
                self._slack_thread(
                    ticket_id, f"Note by *{escape(agent.display_name)}*: {escape(text)}"
                )
            )
        return message.public()

    async def close(self, ticket_id: int, agent: Agent) -> dict[str, Any]:
        """Give the conversation back to the bot, which asks the customer for a rating."""
        now = self.now()
        async with begin(self.engine) as conn:
            repo = HandoffRepository(conn)
            ticket = await self._get_open(repo, ticket_id)
            await repo.close(ticket_id, agent.id, now)
            await repo.add_message(ticket_id, SYSTEM, f"Closed by {agent.display_name}", now)
            await repo.add_outbound(
                ticket_id,
                ticket.conversation_id,
                "close",
                {
                    "conversation_id": ticket.conversation_id,
                    "ticket_id": ticket_id,
                    "message_id": relay_key("close"),
                    "agent_name": agent.display_name,
                },
                now,
            )
            closed = await repo.get_ticket(ticket_id)
        assert closed is not None
        logger.info("handoff ticket %s closed", ticket_id)
        await self.drain(ticket.conversation_id)
        await self._publish({"type": "ticket_updated", "ticket": closed.summary(now)})
        self._spawn(self._slack_update(closed, f"Closed by {agent.display_name}"))
        return closed.summary(now)

    # --- delivery to the customer (through the relay) ----------------------------------

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
                    async with begin(self.engine) as conn:
                        await HandoffRepository(conn).mark_attempt_failed(row.id, str(exc), None)
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

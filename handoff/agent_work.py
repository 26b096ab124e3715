"""What agents do with a ticket: claim it, reply, write private notes, close (hand back)."""

from __future__ import annotations

import logging
from typing import Any

from handoff.delivery import Delivery
from handoff.domain import AGENT, NOTE, SYSTEM, TEMPLATE_SENT, WHATSAPP, Agent, Ticket
from handoff.service_core import MAX_TEXT, Conflict, NotFound, WindowClosed, relay_key
from handoff.slack import escape
from handoff.store.repository import HandoffRepository
from handoff.views import ConsoleViews
from infra.metrics import observe_queue_wait
from infra.sql import begin

logger = logging.getLogger(__name__)


class AgentWork(Delivery, ConsoleViews):
    """Claim, reply, note and close; replies and closes go out through the delivery queue."""

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
            if ticket.channel == WHATSAPP:
                window = self.window_of(ticket, await repo.messages_for(ticket_id))
                if window is not None and not window["open"]:
                    raise WindowClosed(_window_closed_reason(window))
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

    async def send_reopen_template(self, ticket_id: int, agent: Agent) -> dict[str, Any]:
        """WhatsApp after 24 hours: send the approved re-opening template through the relay,
        like a reply, and record "Re-opening template sent" in the timeline."""
        now = self.now()
        async with begin(self.engine) as conn:
            repo = HandoffRepository(conn)
            ticket = await repo.get_ticket(ticket_id)
            if ticket is None:
                raise NotFound(ticket_id)
            if not ticket.is_open:
                raise Conflict("this handoff is closed")
            if ticket.channel != WHATSAPP:
                raise Conflict("message templates are for WhatsApp conversations")
            template = self.reopen_template(ticket, agent.display_name)
            if template is None:
                raise Conflict(
                    "no WhatsApp template is configured (WHATSAPP_REOPEN_TEMPLATE_SID): reach "
                    "the customer another way, e.g. by e-mail"
                )
            claimed_now = ticket.claimed_by is None and await repo.claim(ticket_id, agent.id, now)
            if claimed_now:
                observe_queue_wait(ticket.created_at, now)
                await repo.add_message(ticket_id, SYSTEM, f"Claimed by {agent.display_name}", now)
            message_id = await repo.add_message(
                ticket_id,
                SYSTEM,
                f"{TEMPLATE_SENT} by {agent.display_name}: “{template['text']}”",
                now,
                agent_id=agent.id,
            )
            assert message_id is not None
            await repo.add_outbound(
                ticket_id,
                ticket.conversation_id,
                "template",
                {
                    "conversation_id": ticket.conversation_id,
                    "ticket_id": ticket_id,
                    "message_id": relay_key("template"),
                    "content_sid": template["content_sid"],
                    "variables": template["variables"],
                    "text": template["text"],
                    "agent_name": agent.display_name,
                },
                now,
                message_id=message_id,
            )
        logger.info("handoff ticket %s: re-opening template queued", ticket_id)
        await self.drain(ticket.conversation_id)
        async with self.engine.connect() as conn:
            message = await HandoffRepository(conn).get_message(message_id)
        assert message is not None
        await self._publish({"type": "message", "message": message.public()})
        if claimed_now:
            async with self.engine.connect() as conn:
                claimed = await HandoffRepository(conn).get_ticket(ticket_id)
            assert claimed is not None
            await self._publish({"type": "ticket_updated", "ticket": claimed.summary(now)})
        if self.slack is not None:
            self._spawn(
                self._slack_thread(ticket_id, f"{TEMPLATE_SENT} by {escape(agent.display_name)}")
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


def _window_closed_reason(window: dict[str, Any]) -> str:
    if window["refused_by_whatsapp"]:
        why = "WhatsApp refused the last free-form message: the 24-hour window is closed"
    else:
        why = (
            f"The customer's last message was {window['hours_since_last']} hours ago; WhatsApp "
            "only allows an approved template now"
        )
    if window["template_configured"]:
        return why + ". Send the re-opening template; the box returns when they reply."
    return why + ". No template is configured: reach the customer another way, e.g. by e-mail."

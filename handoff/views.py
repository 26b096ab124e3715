"""What the console reads: the queue and a case with its context and history."""

from __future__ import annotations

from typing import Any, Optional

from handoff.domain import (
    ACTIVE,
    AGENT,
    CLOSED,
    CUSTOMER,
    OPEN_STATUSES,
    WAITING,
    Message,
    Ticket,
    fill_template,
    template_values,
    whatsapp_window,
)
from handoff.service_core import NotFound, ServiceCore
from handoff.store.repository import HandoffRepository


class ConsoleViews(ServiceCore):
    """Read-only views for the console."""

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

    def reopen_template(self, ticket: Ticket, agent_name: str) -> Optional[dict[str, Any]]:
        """The configured re-opening template for this ticket: its Content SID, variables
        (``{"1": "Jane", …}``) and the text as the customer will read it."""
        template = self.settings.reopen_template
        if template is None:
            return None
        values = template_values(ticket, self.settings.shop_name, agent_name)
        variables = {str(i): values[name] for i, name in enumerate(template.variables, 1)}
        return {
            "content_sid": template.content_sid,
            "variables": variables,
            "text": fill_template(template.text, variables),
        }

    def window_of(
        self, ticket: Ticket, messages: list[Message], agent_name: str = ""
    ) -> Optional[dict[str, Any]]:
        """WhatsApp's 24-hour window for this ticket (``None`` on other channels)."""
        template = self.reopen_template(ticket, agent_name)
        return whatsapp_window(
            ticket,
            messages,
            self.now(),
            template is not None,
            template["text"] if template else None,
        )

    async def ticket_detail(self, ticket_id: int, agent_name: str = "") -> dict[str, Any]:
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
            "whatsapp_window": self.window_of(ticket, messages, agent_name),
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

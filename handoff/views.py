"""What the console reads: the queue and a case with its context and history."""

from __future__ import annotations

from typing import Any

from handoff.domain import ACTIVE, AGENT, CLOSED, CUSTOMER, OPEN_STATUSES, WAITING
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

"""What the bot hands in: tickets with their context packet, customer messages, ratings.

A forwarded customer message carries the bot's outbox key, so a retried forward is
acknowledged without storing the message twice, and the references of the photos or files
that came with it, checked (:mod:`handoff.attachment_refs`) and stored with the message, so
the case and the live feed show a photo sent after the handoff, not just "[photo]".
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from datetime import timedelta
from typing import Any, Optional

from contracts.packet import Attachment, ContextPacket, PacketError, parse_packet
from handoff import assignment
from handoff.accounts import Accounts
from handoff.attachment_refs import checked
from handoff.domain import CUSTOMER, SYSTEM, WAITING, Ticket, Waiting, estimate_minutes, reason_text
from handoff.search_keys import search_keys
from handoff.service_core import MAX_TEXT, NotFound
from handoff.slack import escape
from handoff.store.repository import HandoffRepository
from handoff.store.teams import TeamsRepository
from infra.sql import begin

logger = logging.getLogger(__name__)


class Intake(Accounts):
    """Tickets from the bot, the customer's messages while paused and the rating."""

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
                routed = await self._route(TeamsRepository(conn), packet, reason)
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
                    search_keys=search_keys(packet),
                    team_id=routed[0] if routed else None,
                )
                await repo.add_message(ticket_id, SYSTEM, f"Handed off: {reason_text(reason)}", now)
                if routed:
                    await repo.add_message(ticket_id, SYSTEM, routed[1], now)
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

    async def _route(
        self, teams: TeamsRepository, packet: ContextPacket, reason: str
    ) -> Optional[tuple[int, str]]:
        """The team of the leads' first matching routing rule (rules naming an archived
        team are skipped), and the timeline's line saying so."""
        rules = await teams.rules()
        if not rules:
            return None
        names = {t["id"]: t["name"] for t in await teams.teams() if not t["archived"]}
        team_id = assignment.route(
            [r for r in rules if r.team_id in names],
            packet.language_code,
            assignment.packet_topics(reason, packet.intents),
        )
        if team_id is None:
            return None
        return team_id, f"Routed to the {names[team_id]} team by the routing rules"

    async def customer_message(
        self,
        conversation_id: str,
        key: str,
        text: str,
        sent_at: Optional[float] = None,
        attachments: Optional[list[Attachment]] = None,
    ) -> dict[str, Any]:
        """A customer message forwarded by the bot while the conversation is paused.

        It goes to the conversation's open ticket — or, if the ticket was closed a moment
        ago, to the latest one — so nothing the customer wrote is dropped. A reference that
        is not this conversation's kept file raises
        :class:`handoff.attachment_refs.AttachmentRefused` (HTTP 400) before anything is
        stored."""
        references = checked(conversation_id, attachments or [])
        now = self.now()
        async with begin(self.engine) as conn:
            repo = HandoffRepository(conn)
            ticket = await repo.open_ticket_for(conversation_id) or await repo.latest_ticket_for(
                conversation_id
            )
            if ticket is None:
                return {"accepted": False, "reason": "no handoff for this conversation"}
            message_id = await repo.add_message(
                ticket.id, CUSTOMER, text[:MAX_TEXT], now, external_key=key, attachments=references
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

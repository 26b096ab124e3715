"""Handing a case on: release it to the queue, transfer it to an agent or to a team; and the
queue as the console shows it (scope, team, waiting too long).

A part of :class:`handoff.services.HandoffService` (see handoff/services.py); the rules are
in :mod:`handoff.assignment`. Every release and transfer lands in the case's timeline as a
system line with the reason given, and is pushed over the live feed (``ticket_updated`` with
a ``handed_on`` note) so every open console moves the case at once.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Any, Optional

from handoff import assignment
from handoff.assignment import AssignmentInvalid
from handoff.domain import OPEN_STATUSES, SYSTEM, WAITING, Agent, Ticket
from handoff.service_core import Conflict, NotFound
from handoff.store.repository import HandoffRepository
from handoff.store.teams import TeamsRepository
from handoff.views import ConsoleViews
from infra.sql import begin

logger = logging.getLogger(__name__)


class HandingOn(ConsoleViews):
    """Release and transfer, and the queue with teams and waiting alerts."""

    @property
    def alert_after(self) -> timedelta:
        return timedelta(seconds=self.settings.waiting_alert_seconds)

    async def release(self, ticket_id: int, agent: Agent, reason: object = None) -> dict[str, Any]:
        """Back to the queue (the case's team's, if it has one), unclaimed."""
        why = assignment.clean_reason(reason)
        now = self.now()
        async with begin(self.engine) as conn:
            repo = HandoffRepository(conn)
            ticket = await self._open_ticket(repo, ticket_id)
            if ticket.claimed_by is None:
                raise Conflict("nobody has claimed this case: it is already in the queue")
            assignment.may_hand_on(ticket, agent, "release")
            if not await TeamsRepository(conn).hand_on(ticket_id, ticket.claimed_by, now):
                raise Conflict("the case changed hands meanwhile: reload it")
            text = assignment.line(agent.display_name, "released this case to the queue", why)
            message_id = await repo.add_message(ticket_id, SYSTEM, text, now, agent_id=agent.id)
        return await self._handed_on(ticket_id, "released", agent, text, message_id)

    async def transfer(
        self,
        ticket_id: int,
        agent: Agent,
        to_agent: object = None,
        to_team: object = None,
        reason: object = None,
    ) -> dict[str, Any]:
        """To an agent (they own it now) or to a team (unclaimed, in that team's queue)."""
        if (to_agent is None) == (to_team is None):
            raise AssignmentInvalid("send either agent_id or team_id: whom to transfer it to")
        for value, name in ((to_agent, "agent_id"), (to_team, "team_id")):
            if value is not None and (not isinstance(value, int) or isinstance(value, bool)):
                raise AssignmentInvalid(f"{name} is a number")
        why = assignment.clean_reason(reason)
        now = self.now()
        async with begin(self.engine) as conn:
            repo, teams = HandoffRepository(conn), TeamsRepository(conn)
            ticket = await self._open_ticket(repo, ticket_id)
            assignment.may_hand_on(ticket, agent, "transfer")
            if isinstance(to_agent, int):
                target = await repo.agent_by_id(to_agent) if 0 < to_agent < 2**31 else None
                if target is None:
                    raise NotFound("no such agent")
                if ticket.claimed_by == target.id:
                    raise Conflict(f"{target.display_name} already has this case")
                moved = await teams.hand_on(ticket_id, ticket.claimed_by, now, to_agent=target.id)
                what = (
                    "took this case over"
                    if target.id == agent.id
                    else f"transferred this case to {target.display_name}"
                )
            else:
                assert isinstance(to_team, int)
                team = await teams.team(to_team) if 0 < to_team < 2**31 else None
                if team is None:
                    raise NotFound("no such team")
                if team["archived"]:
                    raise Conflict(f"the {team['name']} team is archived: it takes no cases")
                if ticket.team_id == team["id"] and ticket.claimed_by is None:
                    raise Conflict(f"this case is already in the {team['name']} queue")
                moved = await teams.hand_on(
                    ticket_id, ticket.claimed_by, now, team_id=team["id"], set_team=True
                )
                what = f"transferred this case to the {team['name']} team"
            if not moved:
                raise Conflict("the case changed hands meanwhile: reload it")
            text = assignment.line(agent.display_name, what, why)
            message_id = await repo.add_message(ticket_id, SYSTEM, text, now, agent_id=agent.id)
        return await self._handed_on(ticket_id, "transferred", agent, text, message_id)

    async def _open_ticket(self, repo: HandoffRepository, ticket_id: int) -> Ticket:
        ticket = await repo.get_ticket(ticket_id, with_context=False)
        if ticket is None:
            raise NotFound(ticket_id)
        if not ticket.is_open:
            raise Conflict("this handoff is closed")
        return ticket

    async def _handed_on(
        self, ticket_id: int, how: str, agent: Agent, text: str, message_id: Optional[int]
    ) -> dict[str, Any]:
        """Tell every console (the case, who did it and the timeline line) and Slack."""
        async with self.engine.connect() as conn:
            repo = HandoffRepository(conn)
            ticket = await repo.get_ticket(ticket_id, with_context=False)
            message = await repo.get_message(message_id) if message_id else None
        assert ticket is not None
        if message is not None:
            await self._publish({"type": "message", "message": message.public()})
        summary = (await self._with_flags([ticket]))[0]
        logger.info("handoff ticket %s %s by agent %s", ticket_id, how, agent.id)
        note = {"how": how, "by": agent.id, "by_name": agent.display_name, "text": text}
        await self._publish({"type": "ticket_updated", "ticket": summary, "handed_on": note})
        self._spawn(self._slack_update(ticket, text))
        return summary

    # --- the queue -----------------------------------------------------------------------

    async def queue(self, status: str, agent: Agent, scope: str = "all") -> list[dict[str, Any]]:
        """The console's list: ``status`` as :meth:`list_tickets`, each case with its team
        and waiting alert, kept to ``scope`` ("all", "mine" or "teams")."""
        if scope not in assignment.SCOPES:
            raise ValueError(f"scope is one of {', '.join(assignment.SCOPES)}")
        statuses = {
            "open": OPEN_STATUSES,
            "waiting": (WAITING,),
            "active": ("active",),
            "closed": ("closed",),
        }.get(status)
        if statuses is None:
            raise ValueError("status is one of open, waiting, active, closed")
        async with self.engine.connect() as conn:
            tickets = await HandoffRepository(conn).list_tickets(statuses)
            teams = TeamsRepository(conn)
            mine = await teams.teams_of(agent.id) if scope == "teams" else set()
            words = await teams.last_words([t.id for t in tickets if t.is_open])
        summaries = self._flagged(tickets, words)
        return [s for s in summaries if assignment.in_scope(s, scope, agent.id, mine)]

    async def _with_flags(self, tickets: list[Ticket]) -> list[dict[str, Any]]:
        async with self.engine.connect() as conn:
            words = await TeamsRepository(conn).last_words([t.id for t in tickets if t.is_open])
        return self._flagged(tickets, words)

    def _flagged(
        self, tickets: list[Ticket], words: dict[int, tuple[Optional[datetime], Optional[datetime]]]
    ) -> list[dict[str, Any]]:
        """Summaries with the waiting alert (handoff/assignment.py, ``waiting_flag``)."""
        now = self.now()
        out = []
        for ticket in tickets:
            customer_at, agent_at = words.get(ticket.id, (None, None))
            flags = assignment.waiting_flag(ticket, customer_at, agent_at, now, self.alert_after)
            out.append({**ticket.summary(now), **flags})
        return out

    async def ticket_detail(self, ticket_id: int, agent_name: str = "") -> dict[str, Any]:
        """The case as :class:`ConsoleViews` shows it, with its waiting alert."""
        detail = await super().ticket_detail(ticket_id, agent_name)
        async with self.engine.connect() as conn:
            ticket = await HandoffRepository(conn).get_ticket(ticket_id, with_context=False)
        if ticket is None:
            raise NotFound(ticket_id)
        summary = (await self._with_flags([ticket]))[0]
        keys = ("waiting_since", "waiting_too_long", "waiting_alert_seconds")
        return {**detail, **{k: summary[k] for k in keys}}

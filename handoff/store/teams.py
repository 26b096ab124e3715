"""Reads and writes of teams, their members, the routing rules and a case's owner and team
(one repository per transaction, as :class:`handoff.store.repository.HandoffRepository`)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any, Optional

from sqlalchemy import and_, delete, func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from handoff.assignment import RoutingRule
from handoff.domain import ACTIVE, AGENT, AGENT_ROLE, CUSTOMER, OPEN_STATUSES, WAITING, Agent
from handoff.store import tables as t


class TeamsRepository:
    def __init__(self, conn: AsyncConnection) -> None:
        self.conn = conn

    # --- agents and teams ----------------------------------------------------------------

    async def agents(self) -> list[Agent]:
        """Every agent a case can be transferred to, by name."""
        rows = await self.conn.execute(select(t.agents).order_by(t.agents.c.display_name))
        return [
            Agent(
                id=r.id,
                username=r.username,
                display_name=r.display_name,
                slack_user_id=r.slack_user_id,
                role=r.role or AGENT_ROLE,
            )
            for r in rows
        ]

    async def teams(self) -> list[dict[str, Any]]:
        """Every team (archived ones too) with its members' ids, by name."""
        teams = (await self.conn.execute(select(t.teams).order_by(t.teams.c.name))).all()
        members = (await self.conn.execute(select(t.team_members))).all()
        by_team: dict[int, list[int]] = {}
        for m in members:
            by_team.setdefault(m.team_id, []).append(m.agent_id)
        return [
            {
                "id": r.id,
                "name": r.name,
                "archived": bool(r.archived),
                "member_ids": sorted(by_team.get(r.id, [])),
            }
            for r in teams
        ]

    async def team(self, team_id: int) -> Optional[dict[str, Any]]:
        return next((team for team in await self.teams() if team["id"] == team_id), None)

    async def team_named(self, name: str) -> Optional[int]:
        """The team called ``name``, ignoring case ("Korean" and "korean" are one team)."""
        row = (
            await self.conn.execute(
                select(t.teams.c.id).where(func.lower(t.teams.c.name) == name.lower())
            )
        ).first()
        return int(row.id) if row else None

    async def create_team(self, name: str, agent_id: int, now: datetime) -> int:
        result = await self.conn.execute(
            insert(t.teams).values(name=name, archived=False, created_at=now, created_by=agent_id)
        )
        return int(result.inserted_primary_key[0])

    async def update_team(self, team_id: int, **values: Any) -> None:
        await self.conn.execute(update(t.teams).where(t.teams.c.id == team_id).values(**values))

    async def set_members(self, team_id: int, agent_ids: Sequence[int]) -> None:
        await self.conn.execute(delete(t.team_members).where(t.team_members.c.team_id == team_id))
        for agent_id in sorted(set(agent_ids)):
            await self.conn.execute(
                insert(t.team_members).values(team_id=team_id, agent_id=agent_id)
            )

    async def teams_of(self, agent_id: int) -> set[int]:
        rows = await self.conn.execute(
            select(t.team_members.c.team_id).where(t.team_members.c.agent_id == agent_id)
        )
        return {int(r.team_id) for r in rows}

    # --- routing rules -------------------------------------------------------------------

    async def rules(self) -> list[RoutingRule]:
        rows = await self.conn.execute(
            select(t.routing_rules).order_by(t.routing_rules.c.position, t.routing_rules.c.id)
        )
        return [RoutingRule(team_id=r.team_id, language=r.language, topic=r.topic) for r in rows]

    async def replace_rules(
        self, rules: Sequence[RoutingRule], agent_id: int, now: datetime
    ) -> None:
        await self.conn.execute(delete(t.routing_rules))
        for position, rule in enumerate(rules, 1):
            await self.conn.execute(
                insert(t.routing_rules).values(
                    position=position,
                    language=rule.language,
                    topic=rule.topic,
                    team_id=rule.team_id,
                    updated_at=now,
                    updated_by=agent_id,
                )
            )

    # --- a case's owner and team ---------------------------------------------------------

    async def hand_on(
        self,
        ticket_id: int,
        owner_was: Optional[int],
        now: datetime,
        *,
        to_agent: Optional[int] = None,
        team_id: Optional[int] = None,
        set_team: bool = False,
    ) -> bool:
        """Give an open case to ``to_agent`` (claimed by them) or put it back into a queue
        (``to_agent`` None: unclaimed, waiting since ``now``), in ``team_id``'s queue when
        ``set_team``. ``False`` when the case changed hands or closed meanwhile."""
        c = t.tickets.c
        values: dict[str, Any] = (
            {
                "status": ACTIVE,
                "claimed_by": to_agent,
                "claimed_at": func.coalesce(c.claimed_at, now),
            }
            if to_agent is not None
            else {"status": WAITING, "claimed_by": None, "claimed_at": None, "queued_at": now}
        )
        if set_team:
            values["team_id"] = team_id
        owner = c.claimed_by.is_(None) if owner_was is None else c.claimed_by == owner_was
        result = await self.conn.execute(
            update(t.tickets)
            .where(and_(c.id == ticket_id, c.status.in_(OPEN_STATUSES), owner))
            .values(**values)
        )
        return bool(result.rowcount)

    async def last_words(
        self, ticket_ids: Sequence[int]
    ) -> dict[int, tuple[Optional[datetime], Optional[datetime]]]:
        """Per case: when the customer last wrote and when an agent last answered."""
        if not ticket_ids:
            return {}
        m = t.messages.c
        rows = await self.conn.execute(
            select(m.ticket_id, m.kind, func.max(m.created_at).label("at"))
            .where(m.ticket_id.in_(list(ticket_ids)), m.kind.in_((CUSTOMER, AGENT)))
            .group_by(m.ticket_id, m.kind)
        )
        found: dict[int, dict[str, datetime]] = {}
        for r in rows:
            found.setdefault(r.ticket_id, {})[r.kind] = r.at
        return {
            i: (found.get(i, {}).get(CUSTOMER), found.get(i, {}).get(AGENT)) for i in ticket_ids
        }

"""Teams and routing rules as data: leads create, rename and archive teams, say who is in
which, and order the rules that route a new case to a team; every agent sees them.

A part of :class:`handoff.services.HandoffService` (see handoff/services.py). The rules are in
:mod:`handoff.assignment`, the rows in handoff/store/teams.py. A change is pushed over the live
feed (``teams_changed``), so open consoles update their team filter and transfer menu.
"""

from __future__ import annotations

import logging
from typing import Any

from handoff import assignment
from handoff.assignment import AssignmentInvalid
from handoff.domain import Agent
from handoff.service_core import Conflict, NotFound, ServiceCore
from handoff.store.teams import TeamsRepository
from infra.sql import begin

logger = logging.getLogger(__name__)


class TeamsAdmin(ServiceCore):
    async def teams_view(self, agent: Agent) -> dict[str, Any]:
        """Teams (with their members' names), the agents a case can go to, the rules."""
        async with self.engine.connect() as conn:
            repo = TeamsRepository(conn)
            teams, agents, rules = await repo.teams(), await repo.agents(), await repo.rules()
        names = {a.id: a.display_name for a in agents}
        team_names = {team["id"]: team["name"] for team in teams}
        return {
            "teams": [
                {
                    **team,
                    "members": [
                        {"id": i, "display_name": names.get(i, "?")} for i in team["member_ids"]
                    ],
                    "mine": agent.id in team["member_ids"],
                }
                for team in teams
            ],
            "agents": [
                {"id": a.id, "display_name": a.display_name, "role": a.role}
                for a in agents
                if not a.username.startswith("slack:") or a.id == agent.id
            ],
            "rules": [
                {
                    "language": r.language,
                    "topic": r.topic,
                    "team_id": r.team_id,
                    "team_name": team_names.get(r.team_id),
                }
                for r in rules
            ],
            "languages": list(assignment.LANGUAGES),
            "can_edit": agent.is_lead,
        }

    async def create_team(self, lead: Agent, name: object) -> dict[str, Any]:
        clean = assignment.clean_team_name(name)
        async with begin(self.engine) as conn:
            repo = TeamsRepository(conn)
            if await repo.team_named(clean) is not None:
                raise Conflict(f"there is already a team called {clean}")
            team_id = await repo.create_team(clean, lead.id, self.now())
            team = await repo.team(team_id)
        assert team is not None
        logger.info("team %s added by agent %s", team_id, lead.id)
        await self._publish({"type": "teams_changed"})
        return team

    async def edit_team(self, lead: Agent, team_id: int, changes: dict[str, Any]) -> dict[str, Any]:
        """Rename (``name``), archive or bring back (``archived``), set the members
        (``member_ids``: the whole list)."""
        async with begin(self.engine) as conn:
            repo = TeamsRepository(conn)
            if await repo.team(team_id) is None:
                raise NotFound("no such team")
            values: dict[str, Any] = {}
            if "name" in changes:
                clean = assignment.clean_team_name(changes["name"])
                other = await repo.team_named(clean)
                if other is not None and other != team_id:
                    raise Conflict(f"there is already a team called {clean}")
                values["name"] = clean
            if "archived" in changes:
                if not isinstance(changes["archived"], bool):
                    raise AssignmentInvalid("archived is true or false")
                values["archived"] = changes["archived"]
            if values:
                await repo.update_team(team_id, **values)
            if "member_ids" in changes:
                await repo.set_members(team_id, await self._agent_ids(repo, changes["member_ids"]))
            elif not values:
                raise AssignmentInvalid("send name, archived or member_ids")
            team = await repo.team(team_id)
        assert team is not None
        await self._publish({"type": "teams_changed"})
        return team

    async def _agent_ids(self, repo: TeamsRepository, raw: object) -> list[int]:
        if not isinstance(raw, list) or not all(
            isinstance(i, int) and not isinstance(i, bool) for i in raw
        ):
            raise AssignmentInvalid("member_ids is a list of agent ids")
        known = {a.id for a in await repo.agents()}
        unknown = sorted(set(raw) - known)
        if unknown:
            raise AssignmentInvalid(f"no such agent: {', '.join(map(str, unknown))}")
        return list(raw)

    async def replace_routing_rules(self, lead: Agent, raw: object) -> list[dict[str, Any]]:
        """The whole ordered list of rules, as the lead's editor sends it."""
        async with begin(self.engine) as conn:
            repo = TeamsRepository(conn)
            active = {team["id"] for team in await repo.teams() if not team["archived"]}
            rules = assignment.validate_rules(raw, active)
            await repo.replace_rules(rules, lead.id, self.now())
        logger.info("routing rules replaced by agent %s (%s rules)", lead.id, len(rules))
        await self._publish({"type": "teams_changed"})
        return [{"language": r.language, "topic": r.topic, "team_id": r.team_id} for r in rules]

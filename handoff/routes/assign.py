"""Handing cases on, teams and routing rules in the console (a login, like all of ``/api/``).

* ``POST /api/tickets/<id>/release`` ``{reason?}`` — back to the queue, unclaimed.
* ``POST /api/tickets/<id>/transfer`` ``{agent_id | team_id, reason?}`` — to an agent (the
  new owner) or to a team (unclaimed, in that team's queue).
* ``GET /api/teams`` — every agent: the teams and their members, the agents a case can go to,
  the routing rules.
* ``POST /api/teams`` ``{name}``, ``PATCH /api/teams/<id>`` ``{name?, archived?,
  member_ids?}``, ``PUT /api/routing-rules`` ``{rules: [{language, topic, team_id}]}`` — leads.

A claimed case is released or transferred only by its owner or a lead: anyone else gets 409
with whose it is, as does a closed case or one that changed hands meanwhile. An unknown agent,
team or case is 404; a request that cannot be carried out as sent is 400 with the reason; a
write only leads may do is 403 for an agent.
"""

from __future__ import annotations

from typing import Any, Optional

from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from handoff.assignment import NotAllowed
from handoff.services import Conflict, HandoffService, NotFound

assign_routes = Blueprint("handoff_assign", url_prefix="/api")

#: Ids are 32-bit integers on PostgreSQL (as ticket ids, handoff/routes/api.py).
MAX_ID = 2**31 - 1


def _service(request: Request) -> HandoffService:
    return request.app.ctx.service


def _body(request: Request) -> dict[str, Any]:
    try:
        body = request.json
    except Exception:
        return {}
    return body if isinstance(body, dict) else {}


def _not_a_lead(request: Request, what: str) -> Optional[HTTPResponse]:
    if request.ctx.agent is not None and request.ctx.agent.is_lead:
        return None
    return response.json({"error": f"only leads {what}; ask a lead"}, status=403)


async def _answer(coro: Any, status: int = 200, missing: str = "no such handoff") -> HTTPResponse:
    """Domain errors as HTTP answers, each with the reason."""
    try:
        result = await coro
    except NotFound as exc:
        said = str(exc)
        return response.json({"error": said if said.startswith("no such") else missing}, 404)
    except (NotAllowed, Conflict) as exc:
        return response.json({"error": str(exc)}, status=409)
    except ValueError as exc:
        return response.json({"error": str(exc)}, status=400)
    return response.json(result, status=status)


def _bad_id(value: int, what: str) -> Optional[HTTPResponse]:
    return None if 0 < value <= MAX_ID else response.json({"error": f"no such {what}"}, 404)


# --- a case ------------------------------------------------------------------------------


@assign_routes.post("/tickets/<ticket_id:int>/release")
async def release(request: Request, ticket_id: int) -> HTTPResponse:
    if (refused := _bad_id(ticket_id, "handoff")) is not None:
        return refused
    reason = _body(request).get("reason")
    return await _answer(_service(request).release(ticket_id, request.ctx.agent, reason))


@assign_routes.post("/tickets/<ticket_id:int>/transfer")
async def transfer(request: Request, ticket_id: int) -> HTTPResponse:
    if (refused := _bad_id(ticket_id, "handoff")) is not None:
        return refused
    body = _body(request)
    return await _answer(
        _service(request).transfer(
            ticket_id,
            request.ctx.agent,
            to_agent=body.get("agent_id"),
            to_team=body.get("team_id"),
            reason=body.get("reason"),
        )
    )


# --- teams and rules ---------------------------------------------------------------------


@assign_routes.get("/teams")
async def teams(request: Request) -> HTTPResponse:
    return response.json(await _service(request).teams_view(request.ctx.agent))


@assign_routes.post("/teams")
async def create_team(request: Request) -> HTTPResponse:
    if (refused := _not_a_lead(request, "add teams")) is not None:
        return refused
    name = _body(request).get("name")
    service = _service(request)
    return await _answer(_wrap_team(service.create_team(request.ctx.agent, name)), status=201)


@assign_routes.patch("/teams/<team_id:int>")
async def edit_team(request: Request, team_id: int) -> HTTPResponse:
    if (refused := _not_a_lead(request, "change teams")) is not None:
        return refused
    if (refused := _bad_id(team_id, "team")) is not None:
        return refused
    changes = {k: v for k, v in _body(request).items() if k in ("name", "archived", "member_ids")}
    service = _service(request)
    return await _answer(
        _wrap_team(service.edit_team(request.ctx.agent, team_id, changes)), missing="no such team"
    )


@assign_routes.put("/routing-rules")
async def routing_rules(request: Request) -> HTTPResponse:
    if (refused := _not_a_lead(request, "change the routing rules")) is not None:
        return refused
    rules = _body(request).get("rules")
    return await _answer(
        _wrap_rules(_service(request).replace_routing_rules(request.ctx.agent, rules))
    )


async def _wrap_team(coro: Any) -> dict[str, Any]:
    return {"team": await coro}


async def _wrap_rules(coro: Any) -> dict[str, Any]:
    return {"rules": await coro}

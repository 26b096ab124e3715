"""The agent's own console preferences: ``/api/me/preferences`` (a login, like all of ``/api/``).

* ``GET /api/me/preferences`` — ``{"preferences": {"language", "notifications", "sound"}}``;
  ``language`` is ``en``, ``ko``, ``zh`` or null (the console follows the browser's).
* ``PUT /api/me/preferences`` ``{language?, notifications?, sound?}`` — change the fields
  sent, answer with all of them; 400 with the reason for an unknown field or value.

``GET /api/me`` carries the same preferences (handoff/routes/api.py), so the console starts in
the agent's language without a second request.
"""

from __future__ import annotations

from typing import Any

from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from handoff.preferences import PreferencesInvalid
from handoff.services import HandoffService

preferences_routes = Blueprint("handoff_preferences", url_prefix="/api/me/preferences")


def _service(request: Request) -> HandoffService:
    return request.app.ctx.service


@preferences_routes.get("/")
async def read(request: Request) -> HTTPResponse:
    found = await _service(request).preferences(request.ctx.agent.id)
    return response.json({"preferences": found.public()})


@preferences_routes.put("/")
async def change(request: Request) -> HTTPResponse:
    body: Any
    try:
        body = request.json
    except Exception:
        body = None
    try:
        saved = await _service(request).set_preferences(request.ctx.agent.id, body)
    except PreferencesInvalid as exc:
        return response.json({"error": str(exc)}, status=400)
    return response.json({"preferences": saved.public()})

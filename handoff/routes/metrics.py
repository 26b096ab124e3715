"""Support analytics over HTTP: ``GET /api/metrics`` and the lead's dashboard page.

``GET /api/metrics?from=2026-11-01&to=2026-11-28&channel=whatsapp&language=en`` answers the
figures of :mod:`analytics.metrics` as JSON (``&format=csv`` for the long CSV table). It is
under ``/api/``, so the auth middleware already wants a login; here only leads pass, or a BI
tool presenting ``METRICS_API_TOKEN`` as a bearer token. Bad parameters get 400 with the
reason. The figures are computed from the tracker store and the handoff database on every
call, in a worker thread, so the event loop keeps serving agents meanwhile; conversation
records are cached in memory and brought up to date with the events written since the
previous call (``analytics.cache``), tickets are read afresh.

``GET /dashboard`` is the page (static; its data comes from ``/api/metrics``).
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from analytics.cache import cache_for, ticket_cache_for
from analytics.cut import CutError, parse_cut
from analytics.events_index import ensure_analytics_index
from analytics.flat import to_csv
from analytics.service import metrics_for
from analytics.sources import engine_for
from bot.settings import local_environment
from handoff.routes.console import _SECURITY_HEADERS, CONSOLE_DIR

logger = logging.getLogger(__name__)

metrics = Blueprint("handoff_metrics")
_DASHBOARD_ASSETS = {
    "dashboard.js": "application/javascript; charset=utf-8",
    "dashboard.css": "text/css; charset=utf-8",
    "charts.js": "application/javascript; charset=utf-8",
}
QUERY = ("from", "to", "channel", "language", "granularity")


def _tracker_url() -> str:
    return local_environment()["TRACKER_DATABASE_URL"]


@metrics.listener("after_server_start")
async def _warm_cache(app: Any, _loop: Any) -> None:
    """Fill the conversation cache in the background, so a lead's first look is quick too.

    First makes sure the tracker store has the analytics indexes (seconds, once per store),
    so this full read and every later one read them instead of the whole events table.
    """
    tracker_url = _tracker_url()
    cache = cache_for(tracker_url)

    def fill() -> None:
        try:
            ensure_analytics_index(engine_for(tracker_url))
            with cache.lock:
                cache.conversations()
        except Exception:  # the first request will say what is wrong
            logger.warning("the analytics cache could not be filled", exc_info=True)

    app.ctx.metrics_warmup = asyncio.ensure_future(asyncio.to_thread(fill))


@metrics.get("/api/metrics")
async def figures(request: Request) -> HTTPResponse:
    agent = request.ctx.agent
    if agent is not None and not agent.is_lead:
        return response.json(
            {"error": "the support analytics are for leads; ask an admin for the lead role"},
            status=403,
        )
    unknown = sorted(set(request.args) - {*QUERY, "format"})
    if unknown:
        return response.json(
            {"error": f"unknown parameter {unknown[0]!r}; use {', '.join(QUERY)}, format"},
            status=400,
        )
    fmt = request.args.get("format", "json")
    if fmt not in ("json", "csv"):
        return response.json({"error": "format is json or csv"}, status=400)
    try:
        cut = parse_cut({k: request.args.get(k) for k in QUERY})
    except CutError as exc:
        return response.json({"error": str(exc)}, status=400)
    settings = request.app.ctx.settings
    try:
        tracker_url = _tracker_url()
        found = await asyncio.to_thread(
            metrics_for,
            tracker_url,
            settings.database_url,
            cut,
            cache_for(tracker_url),
            ticket_cache_for(settings.database_url),
        )
    except Exception as exc:  # an unreachable database is a state to report, not a crash
        logger.exception("the support analytics could not be computed")
        return response.json(
            {"error": f"cannot read the conversations: {type(exc).__name__}"}, status=503
        )
    if fmt == "csv":
        name = f"baton-metrics-{cut.start.isoformat()}-{cut.end.isoformat()}.csv"
        return response.text(
            to_csv(found),
            content_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": f'attachment; filename="{name}"'},
        )
    return response.json(found, headers={"Cache-Control": "no-store"})


@metrics.get("/dashboard")
async def dashboard(_: Request) -> HTTPResponse:
    """The leads' dashboard; the page holds no data until ``/api/metrics`` answers."""
    return await response.file(
        CONSOLE_DIR / "dashboard.html",
        mime_type="text/html; charset=utf-8",
        headers=_SECURITY_HEADERS,
    )


@metrics.get("/dashboard/<asset:str>")
async def dashboard_asset(_: Request, asset: str) -> HTTPResponse:
    if asset not in _DASHBOARD_ASSETS:
        return response.json({"error": "not found"}, status=404)
    return await response.file(
        CONSOLE_DIR / asset, mime_type=_DASHBOARD_ASSETS[asset], headers=_SECURITY_HEADERS
    )

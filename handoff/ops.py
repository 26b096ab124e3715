"""The handoff service's ``/ready`` and ``/metrics`` (``/health`` is in routes/console.py).

``baton_handoffs_open`` and ``baton_handoff_oldest_wait_seconds`` are read from the handoff
database when Prometheus scrapes, so every replica reports the same, true figures whichever
replica opened or claimed the tickets. Queue waits are observed when a ticket is claimed
(``handoff/services.py``).
"""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping
from datetime import datetime, timezone
from typing import Any

from sanic import Sanic
from sqlalchemy import func, select

from handoff.domain import OPEN_STATUSES, WAITING
from handoff.store.tables import tickets
from infra import metrics
from infra.logging import set_conversation
from infra.ops import Check, redis_check, sql_check
from infra.ops import install as install_routes

logger = logging.getLogger(__name__)


def handoff_checks(app: Sanic) -> Mapping[str, Check]:
    checks: dict[str, Check] = {}
    engine = getattr(app.ctx, "engine", None)
    if engine is None:

        async def not_open() -> None:
            raise RuntimeError("the handoff database is not open yet")

        checks["database"] = not_open
    else:
        checks["database"] = sql_check(engine)
    if os.environ.get("REDIS_URL"):
        checks["redis"] = redis_check(os.environ["REDIS_URL"])
    return checks


async def refresh_gauges(app: Sanic) -> None:
    """Open handoffs by status and the longest current wait, from the database."""
    engine = getattr(app.ctx, "engine", None)
    if engine is None:
        return
    try:
        async with engine.connect() as conn:
            counts = dict(
                (
                    await conn.execute(
                        select(tickets.c.status, func.count())
                        .where(tickets.c.status.in_(OPEN_STATUSES))
                        .group_by(tickets.c.status)
                    )
                ).all()
            )
            oldest = (
                await conn.execute(
                    select(func.min(tickets.c.created_at)).where(tickets.c.status == WAITING)
                )
            ).scalar()
    except Exception as error:  # a scrape must still answer; /ready reports the outage
        logger.warning("metrics: handoff database unreachable (%s)", type(error).__name__)
        return
    for status in OPEN_STATUSES:
        metrics.HANDOFFS_OPEN.labels(status=status).set(counts.get(status, 0))
    now = datetime.now(timezone.utc).replace(tzinfo=None)  # the tables hold naive UTC
    metrics.HANDOFF_OLDEST_WAIT.set(
        max(0.0, (now - oldest).total_seconds()) if isinstance(oldest, datetime) else 0.0
    )


def install(app: Sanic) -> None:
    """/ready, /metrics, JSON logs, and the erasure API (handoff/routes/erasure.py)."""
    from handoff.routes.erasure import erasure

    app.blueprint(erasure)

    @app.middleware("request")
    async def _conversation_for_logs(request: Any) -> None:
        """The bot's calls name their conversation: tag this request's log lines with it."""
        conversation_id = None
        if request.path.startswith("/api/bot/") and request.method == "POST":
            try:
                body = request.json
            except Exception:  # the route answers malformed JSON itself
                body = None
            if isinstance(body, dict):
                nested = body.get("conversation")  # the context packet: {"conversation": {"id"}}
                found = body.get("conversation_id") or (
                    nested.get("id") if isinstance(nested, dict) else None
                )
                conversation_id = found if isinstance(found, str) else None
        set_conversation(conversation_id)  # also clears the previous request's on keep-alive

    install_routes(app, "handoff", handoff_checks, health=False, before_scrape=refresh_gauges)

"""``/health``, ``/ready`` and ``/metrics`` for each Baton server (Rasa, actions, handoff).

* ``GET /health`` — the process is up and serving requests (a liveness probe: restart me if
  this fails). It checks nothing else, so a database outage does not get every replica killed.
* ``GET /ready`` — everything this process needs answers: its databases, Redis when the
  profile uses it, the model on the Rasa server (a readiness probe: send me traffic). 200 with
  each check's result, or 503 with the reason of each failed one.
* ``GET /metrics`` — Prometheus text format (``infra/metrics.py``). It always wants
  ``Authorization: Bearer $PROMETHEUS_SCRAPE_TOKEN`` (unset: a token generated under
  ``var/secrets``, so the counters are never open); the production nginx refuses every path
  under ``/metrics`` as well (scrape the replicas directly).

:func:`install` also switches the process to JSON logs at start-up when
``BATON_LOG_FORMAT=json`` (``infra/logging.py``).
"""

from __future__ import annotations

import asyncio
import hmac
import os
import re
from collections.abc import Awaitable, Callable, Mapping
from typing import Any, Optional

from sanic import Sanic, response
from sanic.request import Request
from sanic.response import HTTPResponse

from infra.logging import configure_from_env
from infra.metrics import exposition
from infra.redaction import redact

#: A check raises (or returns False) when its dependency is not usable.
Check = Callable[[], Awaitable[Any]]
#: Builds the checks once the app has started (they need what ``before_server_start`` opened).
Checks = Callable[[Sanic], Mapping[str, Check]]

READY_TIMEOUT_SECONDS = 2.0
_CREDENTIALS_IN_URL = re.compile(r"://[^/@\s]+@")


def _reason(error: BaseException) -> str:
    if isinstance(error, asyncio.TimeoutError):
        return f"no answer within {READY_TIMEOUT_SECONDS:.0f} s"
    lines = str(error).strip().splitlines()
    text = _CREDENTIALS_IN_URL.sub("://<credentials>@", lines[0]) if lines else ""
    if not text:
        return type(error).__name__
    return redact(f"{type(error).__name__}: {text}")[:200]


async def run_checks(checks: Mapping[str, Check]) -> tuple[bool, dict[str, str]]:
    """Run every check concurrently, each bounded by ``READY_TIMEOUT_SECONDS``."""

    async def one(check: Check) -> str:
        try:
            result = await asyncio.wait_for(check(), READY_TIMEOUT_SECONDS)
        except Exception as error:
            return _reason(error)
        return "ok" if result is not False else "not ready"

    names = list(checks)
    results = await asyncio.gather(*(one(checks[name]) for name in names))
    outcome = dict(zip(names, results, strict=True))
    return all(value == "ok" for value in results), outcome


def _metrics_allowed(request: Request) -> bool:
    from infra.secrets import secret_from_env

    expected = secret_from_env("PROMETHEUS_SCRAPE_TOKEN")
    scheme, _, presented = (request.headers.get("authorization") or "").partition(" ")
    return scheme.lower() == "bearer" and hmac.compare_digest(
        presented.strip().encode(), expected.encode()
    )


def install(
    app: Sanic,
    service: str,
    checks: Checks,
    *,
    health: bool = True,
    before_scrape: Optional[Callable[[Sanic], Awaitable[None]]] = None,
) -> None:
    """Add the three routes to ``app`` and JSON logging when asked for.

    ``health=False`` for an app that already answers ``GET /health`` the same way;
    ``before_scrape`` refreshes gauges read from a database just before each scrape.
    """

    if health:

        @app.get("/health", name=f"{service}_ops_health")
        async def _health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok", "service": service})

    @app.get("/ready", name=f"{service}_ops_ready")
    async def _ready(request: Request) -> HTTPResponse:
        ready, results = await run_checks(checks(request.app))
        body = {"status": "ready" if ready else "not ready", "service": service, "checks": results}
        return response.json(body, status=200 if ready else 503)

    @app.get("/metrics", name=f"{service}_ops_metrics")
    async def _metrics(request: Request) -> HTTPResponse:
        if not _metrics_allowed(request):
            return response.json(
                {"error": "metrics token required"},
                status=401,
                headers={"WWW-Authenticate": "Bearer"},
            )
        if before_scrape is not None:
            await before_scrape(request.app)
        body, content_type = exposition()
        return response.raw(body, content_type=content_type)

    async def _json_logs(_app: Sanic, _loop: Any) -> None:
        os.environ.setdefault("BATON_SERVICE", service)
        configure_from_env(service)

    app.register_listener(_json_logs, "before_server_start")


# --- checks shared by the servers ----------------------------------------------------------


def sql_check(engine: Any) -> Check:
    """``SELECT 1`` on an asyncio SQLAlchemy engine."""
    from sqlalchemy import text

    async def check() -> None:
        async with engine.connect() as conn:
            await conn.execute(text("SELECT 1"))

    return check


def sync_sql_check(engine: Any) -> Check:
    """``SELECT 1`` on a blocking SQLAlchemy engine, in a worker thread."""
    from sqlalchemy import text

    def select_one() -> None:
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))

    async def check() -> None:
        await asyncio.to_thread(select_one)

    return check


def redis_check(url: str) -> Check:
    """``PING`` on Redis, on a short-lived connection with short timeouts."""

    async def check() -> None:
        from redis import asyncio as aioredis

        client = aioredis.Redis.from_url(url, socket_timeout=1.5, socket_connect_timeout=1.5)
        try:
            await client.ping()
        finally:
            await client.close()

    return check

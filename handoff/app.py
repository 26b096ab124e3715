"""The handoff service as a Sanic app.

``create_app()`` builds it without touching anything: the database engine, the relay and
Slack clients and the delivery loop are opened in ``before_server_start`` (kept on
``app.ctx``) and closed in ``after_server_stop``.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import Any, Optional

from sanic import Sanic
from sanic.request import Request

from handoff import ops
from handoff.live import Hub
from handoff.relay import RelayClient
from handoff.routes.api import api, bot
from handoff.routes.assign import assign_routes
from handoff.routes.attachments import attachments
from handoff.routes.auth import authenticate
from handoff.routes.canned import canned_routes
from handoff.routes.console import console
from handoff.routes.inbox import inbox
from handoff.routes.metrics import metrics
from handoff.routes.preferences import preferences_routes
from handoff.routes.search import search_routes
from handoff.routes.slack import slack
from handoff.services import HandoffService
from handoff.settings import HandoffSettings, load_settings
from handoff.slack import SlackBridge
from handoff.store.db import create_engine, create_schema

logger = logging.getLogger(__name__)


async def _retention_loop() -> None:
    """Apply the shop's retention periods (infra/retention.py) every
    ``RETENTION_INTERVAL_HOURS`` (default 24; 0 turns the schedule off), first a few minutes
    after start so a restart loop cannot hammer the databases."""
    import os

    from infra.erasure import Targets
    from infra.retention import Retention, apply_retention

    hours = float(os.environ.get("RETENTION_INTERVAL_HOURS") or 24)
    if hours <= 0:
        return
    delay = min(300.0, hours * 3600)
    while True:
        await asyncio.sleep(delay)
        delay = hours * 3600
        try:
            counts = await apply_retention(Targets.from_env(), Retention.from_env())
        except Exception:
            logger.exception("retention could not be applied; trying again at the next interval")
            continue
        if any(counts.values()):
            logger.info("retention applied: %s", counts)


def create_app(settings: Optional[HandoffSettings] = None, name: str = "baton_handoff") -> Sanic:
    app = Sanic(name)
    app.config.FALLBACK_ERROR_FORMAT = "json"
    app.config.REQUEST_MAX_SIZE = 2_000_000
    app.config.WEBSOCKET_PING_INTERVAL = 20
    # Longer than the callers' pooled connections live (30 s), so a reused connection is never
    # closed under a request.
    app.config.KEEP_ALIVE_TIMEOUT = 75
    app.ctx.settings = settings
    app.blueprint(api)
    app.blueprint(bot)
    app.blueprint(attachments)  # customers' photos, for the console's transcript
    app.blueprint(canned_routes)  # canned replies: agents list, leads edit
    app.blueprint(assign_routes)  # release, transfer, teams and routing rules
    app.blueprint(console)
    app.blueprint(inbox)
    app.blueprint(metrics)
    app.blueprint(search_routes)  # the console's search and a customer's cases
    app.blueprint(preferences_routes)  # the agent's console language and notifications
    app.blueprint(slack)
    ops.install(app)  # /ready, /metrics, JSON logs (handoff/ops.py)

    @app.middleware("request")
    async def _auth(request: Request) -> Any:
        return await authenticate(request)

    async def _open(app: Sanic, _loop: Any) -> None:
        s = app.ctx.settings or load_settings()
        app.ctx.settings = s
        engine = create_engine(s.database_url)
        await create_schema(engine)
        relay = RelayClient(s.relay_url, s.relay_token, s.relay_timeout_seconds)
        bridge = (
            SlackBridge(s.slack_bot_token or "", s.slack_channel or "", s.slack_api_url)
            if s.slack_enabled
            else None
        )
        if bridge is None:
            logger.info(
                "Slack for agents is off (set SLACK_AGENT_CHANNEL, SLACK_BOT_TOKEN and "
                "SLACK_SIGNING_SECRET to turn it on)"
            )
        else:
            logger.info("Slack for agents is on (API at %s)", s.slack_api_url or "slack.com")
        service = HandoffService(engine, s, Hub.from_env(), relay, bridge)
        await service.ensure_demo_agent()
        await service.seed_canned_replies()  # the built-in replies, on the first start only
        app.ctx.engine = engine
        app.ctx.service = service

    async def _start_loop(app: Sanic, _loop: Any) -> None:
        await app.ctx.service.hub.start()  # live updates across replicas when REDIS_URL is set
        app.ctx.delivery = asyncio.ensure_future(app.ctx.service.delivery_loop())
        app.ctx.retention = asyncio.ensure_future(_retention_loop())

    async def _stop_loop(app: Sanic, _loop: Any) -> None:
        for name in ("delivery", "retention"):
            task = getattr(app.ctx, name, None)
            if task is not None:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError, Exception):
                    await task
        await app.ctx.service.wait_for_background()
        await app.ctx.service.hub.stop()

    async def _close(app: Sanic, _loop: Any) -> None:
        await app.ctx.service.relay.close()
        if app.ctx.service.slack is not None:
            await app.ctx.service.slack.close()
        await app.ctx.engine.dispose()

    app.register_listener(_open, "before_server_start")
    app.register_listener(_start_loop, "after_server_start")
    app.register_listener(_stop_loop, "before_server_stop")
    app.register_listener(_close, "after_server_stop")
    return app

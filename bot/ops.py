"""Operations hooks for the Rasa server: health, readiness, metrics and JSON logs.

Rasa builds its Sanic app inside ``rasa run``; :func:`wrap_configure_app` wraps the function
that builds it (``rasa.core.run.configure_app``) so the app also answers ``/health``, ``/ready``
and ``/metrics`` (``infra/ops.py``), and :func:`wrap_handle_message` wraps
``MessageProcessor.handle_message`` — the one place every channel's message goes through — to
count turns, time them and tag the turn's log lines with its conversation id. Webhook requests
a channel refuses (4xx on ``/webhooks/...``) are counted by a response middleware, so the
connectors need not know about metrics.

The wrappers are installed by bot/patches/ (the ``ops-*`` patches) before bot/server.py hands over
to Rasa's CLI.
"""

from __future__ import annotations

import os
import time
from collections.abc import Mapping
from typing import Any

from infra import metrics
from infra.logging import configure_from_env, conversation
from infra.ops import Check, redis_check, sync_sql_check
from infra.ops import install as install_routes

#: Statuses that mean "the channel refused this webhook request" rather than "we failed".
REJECTIONS = frozenset({400, 401, 403, 409, 413, 415, 422, 429})


def _tracker_engine(tracker_store: Any) -> Any:
    inner = getattr(tracker_store, "_tracker_store", tracker_store)  # FailSafeTrackerStore
    return getattr(inner, "engine", None)


def rasa_checks(app: Any) -> Mapping[str, Check]:
    """The model is loaded (by the server and its NLU workers), the tracker store's database
    answers, and so does Redis."""
    from bot.lock_store import AtomicRedisLockStore

    agent = getattr(app.ctx, "agent", None)
    checks: dict[str, Check] = {}

    async def model() -> None:
        if agent is None or not agent.is_ready():
            raise RuntimeError("no model loaded")

    async def nlu_workers() -> None:
        # Not ready while the NLU workers load the model (seconds after start): the server
        # would answer, but at a fraction of its speed. Workers that failed to start leave
        # the NLU in the server (logged); that is slower but serves, so it is ready.
        from bot import nlu_workers as workers

        if workers.status() == "starting":
            raise RuntimeError("NLU workers are loading the model")

    checks["model"] = model
    checks["nlu_workers"] = nlu_workers
    engine = _tracker_engine(agent.tracker_store) if agent is not None else None
    if engine is not None:
        checks["tracker_store"] = sync_sql_check(engine)
    lock_store = getattr(agent, "lock_store", None)
    if isinstance(lock_store, AtomicRedisLockStore):
        checks["lock_store"] = lock_store.ping
    elif os.environ.get("REDIS_URL"):
        checks["redis"] = redis_check(os.environ["REDIS_URL"])
    return checks


def _count_rejections(app: Any) -> None:
    @app.middleware("response")
    async def _webhook_rejections(request: Any, response: Any) -> None:
        path = request.path
        if response is not None and path.startswith("/webhooks/") and response.status in REJECTIONS:
            channel = path.split("/")[2] if path.count("/") >= 2 else "other"
            metrics.WEBHOOK_REJECTIONS.labels(
                channel=metrics.channel_label(channel), status=str(response.status)
            ).inc()


def _quiet_root(app: Any) -> None:
    """Rasa answers ``GET /`` with "Hello from Rasa: 3.6.21", telling anyone which version to
    look up vulnerabilities for. Same 200 (launchers and probes poll it), no version."""
    from sanic import response as sanic_response

    @app.middleware("request")
    async def _root(request: Any) -> Any:
        if request.path in ("/", "") and request.method in ("GET", "HEAD"):
            return sanic_response.text("Baton is running.")
        if request.path.rstrip("/") in ("/version", "/status"):  # Rasa's HTTP API, if enabled
            return sanic_response.json({"error": "not found"}, status=404)
        return None


def wrap_configure_app(original: Any) -> Any:
    """``rasa.core.run.configure_app`` whose app also has Baton's routes and middleware."""

    def configure_app(*args: Any, **kwargs: Any) -> Any:
        configure_from_env("rasa")  # Rasa's CLI has set up logging by now; JSON from here on
        app = original(*args, **kwargs)
        install_routes(app, "rasa", rasa_checks)
        _count_rejections(app)
        _quiet_root(app)
        return app

    return configure_app


def wrap_handle_message(original: Any) -> Any:
    """``MessageProcessor.handle_message`` counted, timed and tagged with its conversation."""

    async def handle_message(self: Any, message: Any) -> Any:
        channel = metrics.channel_label(getattr(message, "input_channel", None))
        started = time.perf_counter()
        outcome = "error"
        with conversation(getattr(message, "sender_id", None)):
            try:
                result = await original(self, message)
                outcome = "ok"
                return result
            finally:
                metrics.TURNS.labels(channel=channel, outcome=outcome).inc()
                metrics.TURN_SECONDS.labels(channel=channel).observe(time.perf_counter() - started)

    return handle_message


def wrap_logging_setup(original: Any) -> Any:
    """JSON from the moment Rasa's CLI sets up logging, so start-up lines are JSON too."""

    def configure_logging_and_warnings(*args: Any, **kwargs: Any) -> Any:
        result = original(*args, **kwargs)
        configure_from_env("rasa")
        return result

    return configure_logging_and_warnings

"""The action server (rasa-sdk) with Baton's operations routes.

``python -m bot.action_server --actions actions --port 5055`` takes the same arguments as
``python -m rasa_sdk``. Before handing over it wraps rasa-sdk's app factory so the server also
answers ``/ready`` (the store database answers) and ``/metrics`` (actions run and their
duration); rasa-sdk's own ``/health`` stays. Each action's log lines carry its conversation id.

Who may call it: the action server runs the shop's data and the ownership checks, so every
call to ``/webhook`` and ``/actions`` must present ``ACTION_SERVER_TOKEN`` (Rasa's
``action_endpoint: token:``, sent as ``?token=``, or ``Authorization: Bearer``); anything else
is answered 401 before rasa-sdk reads the body. It listens on loopback unless ``ACTION_HOST``
says otherwise. And even a caller with the token cannot *claim* an ownership proof: the
tracker's ``verified_orders`` is checked against the store before any action runs
(actions/trust.py).
"""

from __future__ import annotations

import hmac
import os
import sys
import time
from collections.abc import Mapping
from typing import Any

from infra import metrics
from infra.heap import freeze_heap
from infra.logging import configure_from_env, conversation
from infra.ops import Check, sql_check
from infra.ops import install as install_routes


def action_checks(_app: Any) -> Mapping[str, Check]:
    from actions.store.db import get_engine

    return {"store": sql_check(get_engine())}


async def _close_store(_app: Any, _loop: Any) -> None:
    """Close the store's pooled connections on the way out: each aiosqlite connection runs in
    a thread that Python waits for at exit, so one left open kept a stopped action server
    alive until it was killed (15 s after Ctrl-C in ``make run``)."""
    from actions.store.db import dispose_all

    await dispose_all()


#: Routes that run actions or describe them; /health, /ready and /metrics have their own rules.
PROTECTED_PATHS = frozenset({"/webhook", "/actions"})


def presented_token(request: Any) -> str:
    """The token a request carries: ``?token=`` (Rasa's ``action_endpoint: token:``) or a
    bearer ``Authorization`` header."""
    scheme, _, value = (request.headers.get("authorization") or "").partition(" ")
    if scheme.lower() == "bearer" and value.strip():
        return value.strip()
    token = request.args.get("token")
    return token if isinstance(token, str) else ""


def token_matches(presented: str, expected: str) -> bool:
    return bool(expected) and hmac.compare_digest(presented.encode(), expected.encode())


def require_token(app: Any, expected: str) -> None:
    """Answer 401 to any call of :data:`PROTECTED_PATHS` without ``expected``."""
    from sanic import response

    @app.middleware("request")
    async def _action_token(request: Any) -> Any:
        path = request.path.rstrip("/") or "/"
        if path in PROTECTED_PATHS and not token_matches(presented_token(request), expected):
            return response.json(
                {"error": "action server token required"},
                status=401,
                headers={"WWW-Authenticate": "Bearer"},
            )
        return None


def wrap_create_app(original: Any) -> Any:
    """rasa-sdk's app factory, with the token check, Baton's routes and the store's cleanup."""

    def create_app(*args: Any, **kwargs: Any) -> Any:
        configure_from_env("actions")  # rasa-sdk has set up logging by now; JSON from here on
        app = original(*args, **kwargs)
        from infra.secrets import secret_from_env

        require_token(app, secret_from_env("ACTION_SERVER_TOKEN"))
        install_routes(app, "actions", action_checks, health=False)
        app.register_listener(_close_store, "after_server_stop")
        freeze_heap()  # the actions, SQLAlchemy and rasa-sdk are loaded by now
        return app

    return create_app


def wrap_executor_run(original: Any) -> Any:
    """``ActionExecutor.run`` after the ownership check, counted, timed and tagged."""

    async def run(self: Any, action_call: dict[str, Any]) -> Any:
        name = action_call.get("next_action") if isinstance(action_call, dict) else None
        label = name if isinstance(name, str) and name in self.actions else "unknown"
        sender = action_call.get("sender_id") if isinstance(action_call, dict) else None
        started = time.perf_counter()
        outcome = "error"
        with conversation(sender if isinstance(sender, str) else None):
            try:
                if label != "unknown":
                    from actions.trust import distrust_claims

                    await distrust_claims(action_call)
                result = await original(self, action_call)
                outcome = "ok"
                return result
            finally:
                metrics.ACTIONS.labels(action=label, outcome=outcome).inc()
                metrics.ACTION_SECONDS.labels(action=label).observe(time.perf_counter() - started)

    return run


def install() -> None:
    """The action server's patches of rasa-sdk (bot/patches/, the ``actions`` ones)."""
    from bot import patches

    patches.install("actions")


def main() -> None:
    from bot.quiet import silence_known_warnings
    from bot.settings import bind_host

    silence_known_warnings()  # before rasa-sdk imports sanic_cors
    install()
    # rasa-sdk binds to SANIC_HOST (default 0.0.0.0, every interface): loopback unless told.
    os.environ["SANIC_HOST"] = bind_host("ACTION_HOST")
    from rasa_sdk.__main__ import main as sdk_main

    sys.argv[0] = "rasa_sdk"
    sdk_main()


if __name__ == "__main__":
    main()

"""The action server (rasa-sdk) with Baton's operations routes.

``python -m bot.action_server --actions actions --port 5055`` takes the same arguments as
``python -m rasa_sdk``. Before handing over it wraps rasa-sdk's app factory so the server also
answers ``/ready`` (the store database answers) and ``/metrics`` (actions run and their
duration); rasa-sdk's own ``/health`` stays. Each action's log lines carry its conversation id.
"""

from __future__ import annotations

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


def _wrap_create_app() -> None:
    import rasa_sdk.endpoint as endpoint

    original = endpoint.create_app
    if getattr(original, "_baton_ops", False):
        return

    def create_app(*args: Any, **kwargs: Any) -> Any:
        configure_from_env("actions")  # rasa-sdk has set up logging by now; JSON from here on
        app = original(*args, **kwargs)
        install_routes(app, "actions", action_checks, health=False)
        app.register_listener(_close_store, "after_server_stop")
        freeze_heap()  # the actions, SQLAlchemy and rasa-sdk are loaded by now
        return app

    create_app._baton_ops = True  # type: ignore[attr-defined]
    endpoint.create_app = create_app


def _wrap_executor() -> None:
    from rasa_sdk.executor import ActionExecutor

    original = ActionExecutor.run
    if getattr(original, "_baton_ops", False):
        return

    async def run(self: ActionExecutor, action_call: dict[str, Any]) -> Any:
        name = action_call.get("next_action") if isinstance(action_call, dict) else None
        label = name if isinstance(name, str) and name in self.actions else "unknown"
        sender = action_call.get("sender_id") if isinstance(action_call, dict) else None
        started = time.perf_counter()
        outcome = "error"
        with conversation(sender if isinstance(sender, str) else None):
            try:
                result = await original(self, action_call)
                outcome = "ok"
                return result
            finally:
                metrics.ACTIONS.labels(action=label, outcome=outcome).inc()
                metrics.ACTION_SECONDS.labels(action=label).observe(time.perf_counter() - started)

    run._baton_ops = True  # type: ignore[attr-defined]
    ActionExecutor.run = run


def install() -> None:
    _wrap_create_app()
    _wrap_executor()


def main() -> None:
    install()
    from rasa_sdk.__main__ import main as sdk_main

    sys.argv[0] = "rasa_sdk"
    sdk_main()


if __name__ == "__main__":
    main()

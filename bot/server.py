"""The Rasa server, started with Baton's fixes for Rasa 3.6's hot paths.

``python -m bot.server run ...`` takes the same arguments as ``rasa run``. Before handing
over to Rasa's own CLI it applies :func:`apply_patches`; each patch keeps Rasa's behaviour
and only removes work that profiling showed to dominate a turn (README, "Performance").
"""

from __future__ import annotations

import sys
from functools import cache
from typing import Any


@cache
def _action_response_validator() -> Any:
    from jsonschema.validators import validator_for
    from rasa.core.actions.action import RemoteAction

    schema = RemoteAction.action_response_format_spec()
    cls = validator_for(schema)
    cls.check_schema(schema)
    return cls(schema)


def _validate_action_result(self: Any, result: dict[str, Any]) -> bool:
    """Rasa validates every action server response with ``jsonschema.validate``, which
    re-checks the schema itself on every call: about half of a turn's CPU time on these
    machines. Same check, with the validator built once."""
    from jsonschema import ValidationError
    from jsonschema.exceptions import best_match

    error: ValidationError | None = best_match(_action_response_validator().iter_errors(result))
    if error is not None:
        error.message += (
            ". Failed to validate Action server response from API, make sure your response "
            "from the Action endpoint is valid."
        )
        raise error
    return True


class _Borrowed:
    """``async with`` yields a shared session and leaves it open for the next request."""

    def __init__(self, session: Any) -> None:
        self._session = session

    async def __aenter__(self) -> Any:
        return self._session

    async def __aexit__(self, *_exc: object) -> bool:
        return False


_sessions: dict[tuple[int, int], Any] = {}


def _make_shared_session(create: Any) -> Any:
    def session(self: Any) -> _Borrowed:
        """Rasa opens a new HTTP session — and a new TCP connection — for every call to the
        action server. One keep-alive session per endpoint and event loop instead."""
        import asyncio

        key = (id(asyncio.get_running_loop()), id(self))
        shared = _sessions.get(key)
        if shared is None or shared.closed:
            shared = create(self)
            _sessions[key] = shared
        return _Borrowed(shared)

    return session


class _EngineioWebsocketCloseFilter:
    """python-engineio's Sanic driver returns no HTTP response once a websocket closes, and
    Sanic logs that as an error with a traceback on every disconnect. Nothing failed; keep
    the log for real errors."""

    def filter(self, record: Any) -> bool:
        exc = record.exc_info[1] if record.exc_info else None
        return not (exc is not None and "Invalid response type None" in str(exc))


def apply_patches() -> None:
    import logging

    from rasa.core.actions.action import RemoteAction
    from rasa.utils.endpoints import EndpointConfig

    from bot import ops

    logging.getLogger("sanic.error").addFilter(_EngineioWebsocketCloseFilter())
    ops.install()  # /health, /ready, /metrics, turn metrics, JSON logs (bot/ops.py)
    RemoteAction._validate_action_result = _validate_action_result
    if not getattr(EndpointConfig.session, "_baton_shared", False):
        shared = _make_shared_session(EndpointConfig.session)
        shared._baton_shared = True
        EndpointConfig.session = shared


def main() -> None:
    apply_patches()
    from rasa.__main__ import main as rasa_main

    sys.argv[0] = "rasa"
    rasa_main()


if __name__ == "__main__":
    main()

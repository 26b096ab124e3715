"""The Rasa server, started with Baton's fixes for Rasa 3.6's hot paths.

``python -m bot.server run ...`` takes the same arguments as ``rasa run``. Before handing
over to Rasa's own CLI it applies :func:`apply_patches`, which installs the registered patches
(bot/patches/). The ones here keep Rasa's behaviour and only remove work that profiling showed
to dominate a turn (docs/performance.md).
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


@cache
def _fast_validators() -> tuple[Any, Any, dict[str, Any]]:
    """The response schema split where its cost lies: Rasa's event schema is a ``oneOf`` over
    23 event kinds, so every event is checked against all of them. The kinds are told apart
    by a constant ``event`` name, so an event is valid exactly when it passes the common part
    and the one kind its name selects: the same verdict for a tenth of the work."""
    from jsonschema.validators import validator_for
    from rasa.core.actions.action import RemoteAction
    from rasa.shared.utils.schemas.events import EVENT_SCHEMA

    schema = RemoteAction.action_response_format_spec()
    cls = validator_for(schema)
    top = {**schema, "properties": {k: v for k, v in schema["properties"].items() if k != "events"}}
    common = {k: v for k, v in EVENT_SCHEMA.items() if k != "oneOf"}
    kinds = {kind["properties"]["event"]["const"]: cls(kind) for kind in EVENT_SCHEMA["oneOf"]}
    return cls(top), cls(common), kinds


def _response_is_valid(result: Any) -> bool:
    top, common, kinds = _fast_validators()
    if not top.is_valid(result):
        return False
    events = result.get("events") if isinstance(result, dict) else None
    if events is None:
        return "events" not in result
    if not isinstance(events, list):
        return False
    for event in events:
        if not common.is_valid(event):
            return False
        kind = kinds.get(event["event"]) if isinstance(event, dict) else None
        if kind is None or not kind.is_valid(event):
            return False
    return True


def _validate_action_result(self: Any, result: dict[str, Any]) -> bool:
    """Rasa validates every action server response with ``jsonschema.validate``, which
    re-checks the schema itself on every call (about half of a turn's CPU time on these
    machines) and tries every event against all 23 kinds of event. Same verdict, with the
    validators built once and each event checked against its own kind; a response that
    fails is checked again with the whole schema for Rasa's own error message."""
    from jsonschema import ValidationError
    from jsonschema.exceptions import best_match

    if _response_is_valid(result):
        return True
    error: ValidationError | None = best_match(_action_response_validator().iter_errors(result))
    if error is None:  # pragma: no cover - the two checks disagree: trust the whole schema
        return True
    error.message += (
        ". Failed to validate Action server response from API, make sure your response "
        "from the Action endpoint is valid."
    )
    raise error


_domains: dict[int, tuple[Any, dict[str, Any]]] = {}


def _domain_for_actions(domain: Any) -> dict[str, Any]:
    """The domain as the action server gets it, built once per loaded domain and without its
    ``responses``: those are 98 of its 105 KB (every answer in three languages), Rasa sent
    them with every action call, and no action reads them (actions name a response; Rasa
    renders it). Slots, forms, intents, entities and actions are all there, which is what
    rasa-sdk's form validation reads."""
    cached = _domains.get(id(domain))
    if cached is None or cached[0] is not domain:
        as_dict = {k: v for k, v in domain.as_dict().items() if k != "responses"}
        cached = _domains[id(domain)] = (domain, as_dict)
    return cached[1]


def _action_call_format(self: Any, tracker: Any, domain: Any) -> dict[str, Any]:
    """``RemoteAction._action_call_format`` with :func:`_domain_for_actions`."""
    import rasa
    from rasa.shared.core.trackers import EventVerbosity

    result: dict[str, Any] = {
        "next_action": self._name,
        "sender_id": tracker.sender_id,
        "tracker": tracker.current_state(EventVerbosity.ALL),
        "version": rasa.__version__,
    }
    if not self._is_selective_domain_enabled() or domain.does_custom_action_explicitly_need_domain(
        self.name()
    ):
        result["domain"] = _domain_for_actions(domain)
    return result


def _make_cached_is_empty(is_empty: Any) -> Any:
    def cached_is_empty(self: Any) -> bool:
        """``Domain.is_empty`` builds a new empty domain and turns both into dicts to compare
        them: 7% of a turn's CPU, spent on every message (Rasa asks before checking the
        message's intent and entities against the domain). A loaded domain does not change,
        so the answer is kept on it."""
        known = self.__dict__.get("_baton_is_empty")
        if known is None:
            known = self.__dict__["_baton_is_empty"] = bool(is_empty(self))
        return bool(known)

    return cached_is_empty


def _after_load(load: Any) -> Any:
    async def load_agent_on_start(*args: Any, **kwargs: Any) -> Any:
        """Rasa's start-up model load, then: the heap frozen (infra/heap.py) and the NLU
        workers started (bot/nlu_workers.py), while the server is still idle."""
        from bot import nlu_workers
        from infra.heap import freeze_heap

        loaded = await load(*args, **kwargs)
        freeze_heap()
        processor = getattr(loaded, "processor", None)
        if processor is not None:
            nlu_workers.pool_for(processor)
        return loaded

    return load_agent_on_start


class _Borrowed:
    """``async with`` yields a shared session and leaves it open for the next request."""

    def __init__(self, session: Any) -> None:
        self._session = session

    async def __aenter__(self) -> Any:
        return self._session

    async def __aexit__(self, *_exc: object) -> bool:
        return False


_sessions: dict[tuple[int, int], Any] = {}


def _dumps(payload: Any) -> str:
    """JSON for the action server with ujson (a Rasa dependency): the whole conversation goes
    with every action call, and the standard library's encoder was 7% of a turn's CPU."""
    import ujson

    return str(ujson.dumps(payload, ensure_ascii=False, escape_forward_slashes=False))


def _new_session(self: Any) -> Any:
    """``EndpointConfig.session`` (same headers, auth and timeout), encoding with :func:`_dumps`."""
    import aiohttp
    from rasa.utils.endpoints import DEFAULT_REQUEST_TIMEOUT

    auth = None
    if self.basic_auth:
        auth = aiohttp.BasicAuth(self.basic_auth["username"], self.basic_auth["password"])
    return aiohttp.ClientSession(
        headers=self.headers,
        auth=auth,
        timeout=aiohttp.ClientTimeout(total=DEFAULT_REQUEST_TIMEOUT),
        json_serialize=_dumps,
    )


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


#: ``EndpointConfig.session`` as the Rasa server has it (bot/patches/registry.py).
_shared_session = _make_shared_session(_new_session)


class _EngineioWebsocketCloseFilter:
    """python-engineio's Sanic driver returns no HTTP response once a websocket closes, and
    Sanic logs that as an error with a traceback on every disconnect. Nothing failed; keep
    the log for real errors."""

    def filter(self, record: Any) -> bool:
        exc = record.exc_info[1] if record.exc_info else None
        return not (exc is not None and "Invalid response type None" in str(exc))


def apply_patches() -> None:
    """Everything the Rasa server changes in Rasa, before Rasa's CLI runs (idempotent): the
    registered patches (bot/patches/) and a log filter."""
    import logging

    from bot import patches

    sanic_errors = logging.getLogger("sanic.error")
    if not any(isinstance(f, _EngineioWebsocketCloseFilter) for f in sanic_errors.filters):
        sanic_errors.addFilter(_EngineioWebsocketCloseFilter())
    patches.install("rasa")


def with_interface(argv: list[str]) -> list[str]:
    """``rasa run`` listens on every interface unless told; Baton's default is loopback
    (``RASA_HOST``), so only the proxy in front of it is reachable from elsewhere."""
    from bot.settings import bind_host

    if len(argv) < 2 or argv[1] != "run" or {"-i", "--interface"} & set(argv):
        return argv
    return [*argv, "--interface", bind_host("RASA_HOST")]


def main() -> None:
    from bot.quiet import silence_known_warnings

    silence_known_warnings()
    apply_patches()
    from rasa.__main__ import main as rasa_main

    sys.argv = with_interface(sys.argv)
    sys.argv[0] = "rasa"
    rasa_main()


if __name__ == "__main__":
    main()

"""One pooled synchronous engine per database URL, shared by the analytics' reads
(:mod:`analytics.sources`)."""

from __future__ import annotations

import threading

import sqlalchemy as sa
from sqlalchemy.engine import Engine, make_url

_engines: dict[str, Engine] = {}
_engines_lock = threading.Lock()


def engine_for(url: str) -> Engine:
    """One pooled synchronous engine per URL, reused by every request of the process."""
    with _engines_lock:
        engine = _engines.get(url)
        if engine is None:
            engine = sa.create_engine(sync_url(url), future=True, pool_pre_ping=True)
            _engines[url] = engine
        return engine


def sync_url(url: str) -> str:
    """The blocking driver for a URL that may name an asyncio one (``+aiosqlite``,
    ``+asyncpg``): the analytics run in a worker thread, not on the event loop."""
    parsed = make_url(url)
    driver = {"sqlite+aiosqlite": "sqlite", "postgresql+asyncpg": "postgresql"}.get(
        parsed.drivername
    )
    return parsed.set(drivername=driver).render_as_string(hide_password=False) if driver else url


def dispose_engines() -> None:
    with _engines_lock:
        for engine in _engines.values():
            engine.dispose()
        _engines.clear()

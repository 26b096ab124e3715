"""The handoff service's rules on PostgreSQL: tests/handoff/test_services.py again, against a
real PostgreSQL database, as the handoff replicas of the production profile share one.

The test functions are imported unchanged; only ``make_service`` is redefined to open a fresh
PostgreSQL database instead of a SQLite file.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import pytest

from handoff.live import Hub
from handoff.services import HandoffService
from handoff.store.db import create_engine, create_schema
from tests.handoff import test_services
from tests.handoff.conftest import Clock, FakeRelay, clock, make_settings, relay, service

globals().update({n: f for n, f in vars(test_services).items() if n.startswith("test_")})

__all__ = ["clock", "relay", "service"]  # fixtures the imported tests ask for


@pytest.fixture
async def make_service(
    tmp_path: Path, new_database: Callable[[str], str], relay: FakeRelay, clock: Clock
) -> AsyncIterator[Any]:
    engines = []
    url = new_database("handoff")

    async def build(**overrides: Any) -> HandoffService:
        settings = make_settings(tmp_path, database_url=url, **overrides)
        engine = create_engine(settings.database_url)
        engines.append(engine)
        await create_schema(engine)
        service = HandoffService(engine, settings, Hub(), relay, None, clock=clock)  # type: ignore[arg-type]
        await service.ensure_demo_agent()
        return service

    yield build
    for engine in engines:
        await engine.dispose()


async def test_two_replicas_creating_the_schema_at_once_both_start(
    new_database: Callable[[str], str],
) -> None:
    """Two handoff replicas on a fresh database: neither fails on the other's CREATE TABLE."""
    import asyncio

    url = new_database("race")
    engines = [create_engine(url) for _ in range(4)]
    try:
        await asyncio.gather(*(create_schema(engine) for engine in engines))
    finally:
        for engine in engines:
            await engine.dispose()

"""Fixtures for the handoff service's own tests: a real SQLite database, fake neighbours."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from handoff.hours import BusinessHours
from handoff.live import Hub
from handoff.relay import RelayError
from handoff.services import HandoffService
from handoff.settings import HandoffSettings
from handoff.store.db import create_engine, create_schema


def make_settings(tmp_path: Path, **overrides: Any) -> HandoffSettings:
    base = HandoffSettings(
        database_url=f"sqlite:///{tmp_path / 'handoff.db'}",
        host="127.0.0.1",
        port=0,
        public_url="http://localhost:5080",
        service_token="service-token",
        relay_url="http://127.0.0.1:1/webhooks/relay",
        relay_token="relay-token",
        shop_name="Lumen & Loom",
        business_hours=BusinessHours.parse("always"),
        demo_agent=True,
        demo_password="demo-password",
    )
    return replace(base, **overrides)


class FakeRelay:
    """Records what the service sends to the Rasa server; can be told to be down."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, dict[str, Any]]] = []
        self.down = False

    async def send(self, kind: str, payload: dict[str, Any]) -> dict[str, Any]:
        if self.down:
            raise RelayError("relay unreachable: ClientConnectorError")
        self.calls.append((kind, payload))
        return {"delivered": True}

    async def close(self) -> None:
        pass


class FakeSocket:
    def __init__(self) -> None:
        self.sent: list[str] = []

    async def send(self, data: str) -> None:
        self.sent.append(data)


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2026, 11, 23, 10, 0)  # a Monday, 10:00 UTC

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **kwargs: float) -> None:
        self.now += timedelta(**kwargs)


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def relay() -> FakeRelay:
    return FakeRelay()


@pytest.fixture
async def make_service(tmp_path: Path, relay: FakeRelay, clock: Clock) -> AsyncIterator[Any]:
    engines = []

    async def build(**overrides: Any) -> HandoffService:
        settings = make_settings(tmp_path, **overrides)
        engine = create_engine(settings.database_url)
        engines.append(engine)
        await create_schema(engine)
        service = HandoffService(engine, settings, Hub(), relay, None, clock=clock)  # type: ignore[arg-type]
        await service.ensure_demo_agent()
        return service

    yield build
    for engine in engines:
        await engine.dispose()


@pytest.fixture
async def service(make_service: Any) -> HandoffService:
    return await make_service()


def packet(conversation_id: str = "conv-1", **extra: Any) -> dict[str, Any]:
    return {
        "version": 1,
        "reason": {"code": "customer_asked", "text": "The customer asked for a person"},
        "conversation": {"id": conversation_id, "channel": "webchat"},
        "customer": {"id": "1", "name": "Jane Doe", "email": "jane.doe@example.com"},
        "orders": [],
        "transcript": [{"sender": "user", "text": "a person please"}],
        **extra,
    }

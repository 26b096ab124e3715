"""The handoff service's routes through its ASGI interface (tests/support/asgi.py) on a temp
SQLite database: who may call what, and what a bad request is told. The app is the one
``create_app()`` builds for production; nothing listens on a port."""

from __future__ import annotations

import itertools
from collections.abc import AsyncIterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from actions.clients.handoff import HandoffClient, HandoffUnavailable
from contracts.packet import build_packet
from handoff.app import create_app
from tests.handoff.conftest import make_settings, packet
from tests.support.asgi import SanicClient

SERVICE = {"Authorization": "Bearer service-token"}  # make_settings' service token
_names = itertools.count()


@pytest.fixture
async def client(tmp_path: Path) -> AsyncIterator[SanicClient]:
    """The handoff app on a fresh database in ``tmp_path``, its listeners run."""
    app = create_app(make_settings(tmp_path), name=f"handoff_routes_{next(_names)}")
    async with SanicClient(app) as running:
        yield running


async def test_a_wrong_password_is_refused_without_saying_which_part(client: SanicClient) -> None:
    answer = await client.post("/api/login", json={"username": "demo", "password": "guess"})
    assert answer.status_code == 401
    assert answer.json() == {"error": "wrong username or password"}
    assert "baton_agent" not in answer.cookies


async def test_the_tickets_need_a_session(client: SanicClient) -> None:
    answer = await client.get("/api/tickets")
    assert answer.status_code == 401
    assert answer.headers["www-authenticate"] == "Bearer"


async def test_a_logged_in_agent_sees_the_tickets(client: SanicClient) -> None:
    login = await client.post("/api/login", json={"username": "demo", "password": "demo-password"})
    assert login.status_code == 200
    assert "token" not in login.json()  # the session is an HttpOnly cookie, not page data
    tickets = await client.get(
        "/api/tickets", cookies={"baton_agent": login.cookies["baton_agent"]}
    )
    assert tickets.status_code == 200


async def test_the_bot_api_wants_the_service_token(client: SanicClient) -> None:
    for headers in ({}, {"Authorization": "Bearer not-the-token"}):
        answer = await client.post("/api/bot/tickets", json=packet(), headers=headers)
        assert answer.status_code == 401
        assert answer.json() == {"error": "service token required"}


async def test_the_bot_opens_a_ticket_with_the_service_token(client: SanicClient) -> None:
    answer = await client.post("/api/bot/tickets", json=packet("conv-routes"), headers=SERVICE)
    assert answer.status_code == 200
    opened = answer.json()
    assert isinstance(opened["ticket_id"], int)
    again = await client.post("/api/bot/tickets", json=packet("conv-routes"), headers=SERVICE)
    assert again.json()["ticket_id"] == opened["ticket_id"]  # one ticket per conversation


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (b"not json", "send the context packet as JSON"),
        (b"[1, 2]", "send the context packet as JSON"),
        (b'{"version": 1, "conversation": {}}', "the context packet has no conversation id"),
    ],
)
async def test_a_malformed_packet_is_refused_with_the_reason(
    client: SanicClient, body: bytes, reason: str
) -> None:
    headers = {**SERVICE, "Content-Type": "application/json"}
    answer = await client.post("/api/bot/tickets", content=body, headers=headers)
    assert answer.status_code == 400
    assert answer.json() == {"error": reason}


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (
            {**packet("conv-v2"), "version": 2},
            "context packet version 2 is not supported: this service reads 1",
        ),
        (
            packet("conv-typed", orders=[{"number": 10001}]),
            "orders[0].number: expected text, got a number",
        ),
        (packet("conv-customer", customer="Jane Doe"), "customer: expected an object, got text"),
    ],
)
async def test_a_packet_the_service_cannot_read_is_refused_and_nothing_stored(
    client: SanicClient, body: dict[str, Any], reason: str
) -> None:
    answer = await client.post("/api/bot/tickets", json=body, headers=SERVICE)
    assert answer.status_code == 400
    assert answer.json() == {"error": reason}
    assert await client.app.ctx.service.list_tickets("open") == []


async def test_a_refused_packet_still_reaches_a_person_with_the_reason(
    client: SanicClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The action server's client, its HTTP calls bridged to the app: a packet of a version
    the service does not read is refused, and the parts a ticket needs go through."""
    sent: list[dict[str, Any]] = []

    async def post(path: str, body: dict[str, Any]) -> dict[str, Any]:
        sent.append(body)
        answer = await client.post(path, json=body, headers=SERVICE)
        if answer.status_code >= 300:
            error = answer.json().get("error")
            raise HandoffUnavailable(f"HTTP {answer.status_code}", answer.status_code, error)
        return dict(answer.json())

    handoff = HandoffClient("http://handoff.invalid", token="service-token")
    monkeypatch.setattr(handoff, "_post", post)
    full = build_packet(
        reason="complaint",
        reason_text="Complaint or angry message",
        conversation={"id": "conv-skew", "channel": "whatsapp"},
        customer={"id": "7", "name": "Jane Doe", "email": "jane.doe@example.com"},
        transcript=[{"sender": "user", "text": "this is the third time"}],
    )
    opened = await handoff.open_ticket(replace(full, version=2))
    assert [b["version"] for b in sent] == [2, 1]
    detail = await client.app.ctx.service.ticket_detail(opened["ticket_id"])
    assert detail["reason"] == "complaint" and detail["customer_name"] == "Jane Doe"
    assert detail["context"]["conversation"]["id"] == "conv-skew"
    assert "version 2 is not supported" in detail["context"]["notes"][-1]

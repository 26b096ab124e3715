"""The erasure API on a real handoff service: only the shop's admin token may erase."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from tests.ops.conftest import ADMIN_TOKEN, Handoff
from tests.ops.test_erasure import conversations_in_tracker, rows
from tests.ops.world import JANE_ID, JANE_WEB, PRIYA_WEB, World, build_world


@pytest.fixture
async def world(tmp_path: Path) -> World:
    return await build_world(tmp_path)


@pytest.fixture
def service(world: World, tmp_path: Path, start_handoff: Callable[..., Handoff]) -> Handoff:
    return start_handoff({**world.env, "BATON_ADMIN_TOKEN": ADMIN_TOKEN}, tmp_path)


async def call(
    method: str, url: str, token: str | None = ADMIN_TOKEN, **kwargs: Any
) -> tuple[int, Any]:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    async with (
        aiohttp.ClientSession() as http,
        http.request(method, url, headers=headers, **kwargs) as resp,
    ):
        return resp.status, await resp.json(content_type=None)


async def test_without_the_admin_token_nothing_is_erased(service: Handoff, world: World) -> None:
    for token in (None, "guessed", "test-service-token"):
        status, body = await call(
            "POST", f"{service.url}/admin/erasures", token, json={"customer_id": JANE_ID}
        )
        assert status == 401, token
        assert body == {"error": "admin token required"}
    status, _ = await call("GET", f"{service.url}/admin/erasures", None)
    assert status == 401
    assert JANE_WEB in conversations_in_tracker(world)


@pytest.mark.parametrize(
    "body, reason",
    [
        ({}, "name a customer_id"),
        ({"customer_id": "1"}, "customer_id must be an integer"),
        ({"customer_id": 1, "name": "Jane"}, "unknown field(s): name"),
        ({"conversation_ids": "web-jane"}, "must be a list of strings"),
        ({"phone": "0770"}, "E.164"),
    ],
)
async def test_a_malformed_request_gets_400_with_the_reason(
    service: Handoff, body: dict[str, Any], reason: str
) -> None:
    status, answer = await call("POST", f"{service.url}/admin/erasures", json=body)
    assert status == 400
    assert reason in answer["error"]


async def test_an_unknown_customer_gets_404(service: Handoff) -> None:
    status, answer = await call("POST", f"{service.url}/admin/erasures", json={"customer_id": 999})
    assert status == 404
    assert "no customer 999" in answer["error"]


async def test_the_admin_erases_a_customer_and_sees_it_in_the_trail(
    service: Handoff, world: World
) -> None:
    status, report = await call(
        "POST", f"{service.url}/admin/erasures", json={"customer_id": JANE_ID}
    )
    assert status == 200, report
    assert report["matched"] is True and report["conversations"] == 3
    assert conversations_in_tracker(world) == {PRIYA_WEB}
    assert rows(world.targets.handoff_url, "SELECT conversation_id FROM tickets") == [(PRIYA_WEB,)]

    status, trail = await call("GET", f"{service.url}/admin/erasures")
    assert status == 200
    assert [(e["id"], e["requested_by"]) for e in trail["erasures"]] == [
        (report["erasure_id"], "api")
    ]
    assert "jane" not in service.log_text().lower()


async def test_the_api_is_off_until_an_admin_token_is_configured(
    world: World, tmp_path: Path, start_handoff: Callable[..., Handoff]
) -> None:
    off = start_handoff({**world.env, "BATON_ADMIN_TOKEN": ""}, tmp_path)
    status, answer = await call("POST", f"{off.url}/admin/erasures", json={"customer_id": JANE_ID})
    assert status == 404  # off: no such endpoint (a 5xx would read as a failure)
    assert "BATON_ADMIN_TOKEN" in answer["error"]

"""/health, /ready and /metrics on each server, as a load balancer and Prometheus see them."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import aiohttp
import pytest

from infra.procs import free_port
from tests.ops.conftest import SCRAPE_TOKEN, Handoff
from tests.ops.world import World, build_world


@pytest.fixture
async def world(tmp_path: Path) -> World:
    return await build_world(tmp_path)


async def get(url: str, token: str | None = SCRAPE_TOKEN) -> tuple[int, str]:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    async with aiohttp.ClientSession() as http, http.get(url, headers=headers) as resp:
        return resp.status, await resp.text()


def sample(metrics: str, name: str, **labels: str) -> float:
    """The value of one series in Prometheus text format (0 when it is absent)."""
    wanted = ",".join(f'{k}="{v}"' for k, v in sorted(labels.items()))
    for line in metrics.splitlines():
        match = re.match(r"^([a-z_]+)(?:\{(.*)\})? (\S+)$", line)
        if not match or match.group(1) != name:
            continue
        got = ",".join(sorted((match.group(2) or "").split(","))) if match.group(2) else ""
        if got == wanted:
            return float(match.group(3))
    return 0.0


async def test_handoff_replica_is_ready_when_its_database_answers(
    world: World, tmp_path: Path, start_handoff: Callable[..., Handoff]
) -> None:
    service = start_handoff(world.env, tmp_path)
    assert (await get(f"{service.url}/health"))[0] == 200
    status, body = await get(f"{service.url}/ready")
    assert status == 200
    assert '"database":"ok"' in body


async def test_handoff_replica_is_not_ready_while_redis_is_unreachable(
    world: World, tmp_path: Path, start_handoff: Callable[..., Handoff]
) -> None:
    dead = f"redis://127.0.0.1:{free_port()}/0"
    service = start_handoff({**world.env, "REDIS_URL": dead}, tmp_path)
    assert (await get(f"{service.url}/health"))[0] == 200  # alive: do not restart it
    status, body = await get(f"{service.url}/ready")
    assert status == 503  # but do not send it traffic
    assert '"status":"not ready"' in body and '"redis":"ConnectionError' in body


async def test_handoff_metrics_report_open_handoffs_from_the_database(
    world: World, tmp_path: Path, start_handoff: Callable[..., Handoff]
) -> None:
    service = start_handoff(world.env, tmp_path)
    status, metrics = await get(f"{service.url}/metrics")
    assert status == 200
    assert sample(metrics, "baton_handoffs_open", status="waiting") == 2  # the world's tickets
    assert sample(metrics, "baton_handoffs_open", status="active") == 0
    assert sample(metrics, "baton_handoff_oldest_wait_seconds") > 3600
    assert "# TYPE baton_handoff_queue_wait_seconds histogram" in metrics


async def test_metrics_want_the_scrape_token_when_one_is_set(
    world: World, tmp_path: Path, start_handoff: Callable[..., Handoff]
) -> None:
    service = start_handoff({**world.env, "PROMETHEUS_SCRAPE_TOKEN": "scrape-me"}, tmp_path)
    assert (await get(f"{service.url}/metrics", None))[0] == 401
    assert (await get(f"{service.url}/metrics", "wrong"))[0] == 401
    assert (await get(f"{service.url}/metrics", "scrape-me"))[0] == 200


async def test_an_agent_claiming_a_handoff_records_how_long_the_customer_waited(
    world: World, tmp_path: Path, start_handoff: Callable[..., Handoff]
) -> None:
    from tests.support.handoff_agent import AgentClient

    service = start_handoff(
        {**world.env, "HANDOFF_DEMO_AGENT": "true", "HANDOFF_DEMO_PASSWORD": "demo-password-1"},
        tmp_path,
    )
    agent = await AgentClient(service.url, "demo", "demo-password-1").login()
    try:
        await agent.claim(2)
    finally:
        await agent.logout()
    metrics = (await get(f"{service.url}/metrics"))[1]
    assert sample(metrics, "baton_handoff_queue_wait_seconds_count") == 1
    assert sample(metrics, "baton_handoff_queue_wait_seconds_sum") > 3600  # opened long ago
    assert sample(metrics, "baton_handoffs_open", status="waiting") == 1
    assert sample(metrics, "baton_handoffs_open", status="active") == 1

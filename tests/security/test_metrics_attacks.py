"""Item 10: the counters and the version were open.

``/metrics`` answered anyone on all three servers unless a token was set, nginx's block was
bypassed with ``/metrics/``, and ``GET /`` announced the Rasa version.
"""

from __future__ import annotations

import re

import aiohttp
import pytest

from infra.nginx import TEMPLATE
from tests.support.servers import SCRAPE_TOKEN, Baton

pytestmark = pytest.mark.e2e


async def get(url: str, token: str | None = None) -> tuple[int, str]:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    async with aiohttp.ClientSession() as http, http.get(url, headers=headers) as resp:
        return resp.status, await resp.text()


@pytest.mark.parametrize("server", ["rasa_url", "action_url", "handoff_url"])
@pytest.mark.parametrize("path", ["/metrics", "/metrics/"])
async def test_the_counters_are_not_shown_without_the_scrape_token(
    baton: Baton, server: str, path: str
) -> None:
    status, body = await get(f"{getattr(baton, server)}{path}")
    assert status in (401, 404) and "baton_" not in body
    status, body = await get(f"{getattr(baton, server)}{path}", "a guess")
    assert status in (401, 404) and "baton_" not in body
    status, body = await get(f"{getattr(baton, server)}/metrics", SCRAPE_TOKEN)
    assert status == 200 and "baton_" in body


async def test_the_root_page_does_not_announce_the_rasa_version(baton: Baton) -> None:
    status, body = await get(f"{baton.rasa_url}/")
    assert status == 200
    assert "rasa" not in body.lower() and not re.search(r"\d+\.\d+\.\d+", body)


def test_nginx_refuses_every_spelling_of_metrics_on_both_public_servers() -> None:
    text = TEMPLATE.read_text()
    assert "location = /metrics" not in text
    assert text.count("location ~* ^/metrics {") == 2

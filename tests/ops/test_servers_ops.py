"""The Rasa server and the action server answer /health, /ready and /metrics, and count turns.

Through the real servers of the test session (tests/conftest.py): a web chat customer over
socket.io, a forged WhatsApp webhook, the action server called by Rasa.
"""

from __future__ import annotations

import asyncio
import re

import aiohttp
import pytest

from tests.support.servers import SCRAPE_TOKEN, Baton
from tests.support.webchat_client import WebChatCustomer

pytestmark = pytest.mark.e2e


async def get(url: str) -> tuple[int, str]:
    headers = {"Authorization": f"Bearer {SCRAPE_TOKEN}"}
    async with aiohttp.ClientSession() as http, http.get(url, headers=headers) as resp:
        return resp.status, await resp.text()


def total(metrics: str, name: str, **labels: str) -> float:
    """Sum of the series called ``name`` whose labels include ``labels``."""
    found = 0.0
    for line in metrics.splitlines():
        match = re.match(r"^([a-z_]+)(?:\{(.*)\})? (\S+)$", line)
        if not match or match.group(1) != name:
            continue
        have = dict(re.findall(r'(\w+)="([^"]*)"', match.group(2) or ""))
        if all(have.get(k) == v for k, v in labels.items()):
            found += float(match.group(3))
    return found


async def test_the_rasa_server_is_alive_ready_and_keeps_its_old_health_check(baton: Baton) -> None:
    assert (await get(f"{baton.rasa_url}/"))[0] == 200  # the old health check, still answered
    status, body = await get(f"{baton.rasa_url}/health")
    assert status == 200 and '"service":"rasa"' in body
    # Ready once its NLU worker has loaded the model too (seconds after start; until then the
    # reason says so).
    for _ in range(1200):
        status, body = await get(f"{baton.rasa_url}/ready")
        if status == 200:
            break
        assert status == 503 and "NLU workers are loading the model" in body, body
        await asyncio.sleep(0.1)
    assert status == 200, body
    assert '"model":"ok"' in body and '"tracker_store":"ok"' in body
    assert '"nlu_workers":"ok"' in body
    metrics = (await get(f"{baton.rasa_url}/metrics"))[1]
    assert total(metrics, "baton_nlu_workers_ready") == 1


async def test_a_web_chat_turn_is_counted_and_timed(
    baton: Baton, customer: WebChatCustomer
) -> None:
    before = (await get(f"{baton.rasa_url}/metrics"))[1]
    await customer.say("hello")
    after = (await get(f"{baton.rasa_url}/metrics"))[1]
    turns = ("baton_turns_total", {"channel": "webchat", "outcome": "ok"})
    assert total(after, turns[0], **turns[1]) >= total(before, turns[0], **turns[1]) + 1
    timed = ("baton_turn_seconds_count", {"channel": "webchat"})
    assert total(after, timed[0], **timed[1]) >= total(before, timed[0], **timed[1]) + 1
    assert total(after, "baton_turn_seconds_sum", channel="webchat") > 0


async def test_a_forged_whatsapp_webhook_is_counted_as_a_rejection(baton: Baton) -> None:
    before = (await get(f"{baton.rasa_url}/metrics"))[1]
    async with (
        aiohttp.ClientSession() as http,
        http.post(
            f"{baton.rasa_url}/webhooks/whatsapp/webhook",
            data={"From": "whatsapp:+447700900999", "Body": "hi", "MessageSid": "SMforged"},
            headers={"X-Twilio-Signature": "forged"},
        ) as resp,
    ):
        assert resp.status == 403
    after = (await get(f"{baton.rasa_url}/metrics"))[1]
    rejected = {"channel": "whatsapp", "status": "403"}
    assert total(after, "baton_webhook_rejections_total", **rejected) == (
        total(before, "baton_webhook_rejections_total", **rejected) + 1
    )


async def test_the_action_server_is_ready_and_counts_the_actions_it_runs(
    baton: Baton, customer: WebChatCustomer
) -> None:
    status, body = await get(f"{baton.action_url}/ready")
    assert status == 200 and '"store":"ok"' in body
    before = (await get(f"{baton.action_url}/metrics"))[1]
    await customer.say("where is my order 10001?")
    after = (await get(f"{baton.action_url}/metrics"))[1]
    assert total(after, "baton_actions_total", outcome="ok") > total(
        before, "baton_actions_total", outcome="ok"
    )
    assert total(after, "baton_action_seconds_count") > total(before, "baton_action_seconds_count")

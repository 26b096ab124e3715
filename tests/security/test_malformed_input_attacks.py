"""Item 11: odd shapes past the checks.

A Slack request with a valid signature but a list where an object was expected, and
``/api/metrics?to=0001-01-01``, answered 500 (an unhandled exception).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from typing import Any
from urllib.parse import urlencode

import aiohttp
import pytest

from analytics.cut import CutError, parse_cut
from tests.support.servers import Baton

SLACK_SIGNING_SECRET_ENV = "SLACK_SIGNING_SECRET"


def signed(secret: str, body: bytes) -> dict[str, str]:
    timestamp = str(int(time.time()))
    base = b"v0:" + timestamp.encode() + b":" + body
    signature = "v0=" + hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()
    return {"X-Slack-Request-Timestamp": timestamp, "X-Slack-Signature": signature}


ODD_EVENTS: list[Any] = [
    {"type": "event_callback", "event": []},
    {"type": "event_callback", "event": {"type": "message", "user": ["U1"], "channel": "D1"}},
    {"type": "event_callback", "authorizations": "me", "event": {"type": "message"}},
    {"type": "event_callback", "authorizations": [1], "event": {"type": "app_mention"}},
    {
        "type": "event_callback",
        "event_id": {"x": 1},
        "event": {
            "type": "message",
            "user": "U1",
            "channel": "C1",
            "ts": "1.2",
            "thread_ts": {"a": 1},
            "text": {"nested": ["x"]},
        },
    },
    {"type": "url_verification", "challenge": {"a": [1, 2]}},
    [],
    "string",
]

ODD_ACTIONS: list[Any] = [
    {"type": "block_actions", "actions": "x"},
    {"type": "block_actions", "actions": [1], "user": "U1"},
    {"type": "block_actions", "actions": [{"value": {"x": 1}}], "user": {"id": "U1"}},
    {
        "type": "block_actions",
        "actions": [{"value": "/greet"}],
        "user": [],
        "container": "c",
        "channel": 5,
        "message": None,
        "team": "T",
    },
]


@pytest.mark.e2e
@pytest.mark.parametrize("payload", ODD_EVENTS)
async def test_a_signed_slack_event_of_an_odd_shape_is_no_server_error(
    baton: Baton, payload: Any
) -> None:
    body = json.dumps(payload).encode()
    headers = {
        "Content-Type": "application/json",
        **signed(baton.env[SLACK_SIGNING_SECRET_ENV], body),
    }
    async with (
        aiohttp.ClientSession() as http,
        http.post(f"{baton.rasa_url}/webhooks/slack/webhook", data=body, headers=headers) as resp,
    ):
        assert resp.status < 500, await resp.text()


@pytest.mark.e2e
@pytest.mark.parametrize("payload", ODD_ACTIONS)
async def test_a_signed_slack_button_of_an_odd_shape_is_no_server_error(
    baton: Baton, payload: Any
) -> None:
    body = urlencode({"payload": json.dumps(payload)}).encode()
    headers = {
        "Content-Type": "application/x-www-form-urlencoded",
        **signed(baton.env[SLACK_SIGNING_SECRET_ENV], body),
    }
    async with (
        aiohttp.ClientSession() as http,
        http.post(f"{baton.rasa_url}/webhooks/slack/actions", data=body, headers=headers) as resp,
    ):
        assert resp.status < 500, await resp.text()


@pytest.mark.parametrize("day", ["0001-01-01", "9999-12-31", "1900-02-28"])
def test_a_date_at_the_edge_of_the_calendar_is_a_bad_parameter(day: str) -> None:
    for args in ({"to": day}, {"from": day}, {"from": day, "to": day}):
        with pytest.raises(CutError):
            parse_cut(args)


@pytest.mark.e2e
async def test_the_analytics_api_answers_400_for_a_date_off_the_calendar(baton: Baton) -> None:
    from tests.support.handoff_agent import AgentClient
    from tests.support.servers import AGENT_PASSWORD, AGENT_USERNAME

    agent = await AgentClient(baton.handoff_url, AGENT_USERNAME, AGENT_PASSWORD).login()
    try:
        for query in ("to=0001-01-01", "from=9999-12-31", "from=0001-01-01&to=0001-01-02"):
            status, body = await agent.request("GET", f"/api/metrics?{query}")
            assert status == 400, (query, status, body)
    finally:
        await agent.logout()


@pytest.mark.e2e
async def test_a_ticket_id_beyond_the_databases_integers_is_404_not_500(baton: Baton) -> None:
    from tests.support.handoff_agent import AgentClient
    from tests.support.servers import AGENT_PASSWORD, AGENT_USERNAME

    agent = await AgentClient(baton.handoff_url, AGENT_USERNAME, AGENT_PASSWORD).login()
    try:
        for ticket in (2**31, 2**63, 10**30):
            status, _ = await agent.request("GET", f"/api/tickets/{ticket}")
            assert status == 404, ticket
            status, _ = await agent.request("POST", f"/api/tickets/{ticket}/claim", {})
            assert status == 404, ticket
    finally:
        await agent.logout()

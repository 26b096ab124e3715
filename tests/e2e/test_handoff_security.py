"""The console and its API need a login; the bot's API and the relay need their tokens; no
personal data and no secret ends up in any server's log."""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable

import aiohttp
import pytest
from sqlalchemy import select

from actions.store import tables as t
from actions.store.db import create_engine_for
from tests.support.handoff_agent import AgentClient
from tests.support.servers import (
    AGENT_PASSWORD,
    AGENT_USERNAME,
    CUSTOMER_TOKEN_SECRET,
    HANDOFF_RELAY_TOKEN,
    HANDOFF_SERVICE_TOKEN,
    Baton,
)
from tests.support.webchat_client import WebChatCustomer

pytestmark = pytest.mark.e2e
Opener = Callable[..., Awaitable[WebChatCustomer]]

AGENT_ROUTES = [
    ("GET", "/api/me"),
    ("GET", "/api/status"),
    ("GET", "/api/tickets"),
    ("GET", "/api/tickets?status=closed"),
    ("GET", "/api/tickets/1"),
    ("GET", "/api/canned-replies"),
    ("POST", "/api/tickets/1/claim"),
    ("POST", "/api/tickets/1/messages"),
    ("POST", "/api/tickets/1/notes"),
    ("POST", "/api/tickets/1/close"),
    ("POST", "/api/logout"),
]
BOT_ROUTES = [
    ("POST", "/api/bot/tickets"),
    ("POST", "/api/bot/messages"),
    ("POST", "/api/bot/tickets/1/csat"),
]


@pytest.mark.parametrize("method, path", AGENT_ROUTES)
async def test_the_console_api_needs_a_login(baton: Baton, method: str, path: str) -> None:
    async with aiohttp.ClientSession() as session:
        for headers in ({}, {"Authorization": "Bearer not-a-session"}, {"Cookie": "baton_agent=x"}):
            async with session.request(
                method, baton.handoff_url + path, json={"text": "hi"}, headers=headers
            ) as resp:
                assert resp.status == 401, (path, headers)


async def test_the_live_feed_needs_a_login(baton: Baton) -> None:
    async with aiohttp.ClientSession() as session:
        with pytest.raises(aiohttp.WSServerHandshakeError) as refused:
            await session.ws_connect(baton.handoff_url.replace("http", "ws") + "/api/live")
        assert refused.value.status == 401


@pytest.mark.parametrize("method, path", BOT_ROUTES)
async def test_the_bot_api_needs_the_service_token(baton: Baton, method: str, path: str) -> None:
    async with aiohttp.ClientSession() as session:
        for headers in (
            {},
            {"Authorization": "Bearer wrong"},
            {"Authorization": HANDOFF_SERVICE_TOKEN},
        ):
            async with session.request(
                method, baton.handoff_url + path, json={}, headers=headers
            ) as resp:
                assert resp.status == 401
        # an agent's session is not the bot's token either
        agent = await AgentClient(baton.handoff_url, AGENT_USERNAME, AGENT_PASSWORD).login()
        try:
            status, _ = await agent.request(method, path, {})
            assert status == 401
        finally:
            await agent.logout()


async def test_the_relay_needs_its_token(baton: Baton) -> None:
    body = {"conversation_id": "x", "message_id": "m", "text": "hi", "agent_name": "Mallory"}
    async with aiohttp.ClientSession() as session:
        for path in ("/webhooks/relay/message", "/webhooks/relay/close"):
            for headers in (
                {},
                {"Authorization": "Bearer wrong"},
                {"Authorization": f"Bearer {HANDOFF_SERVICE_TOKEN}"},
            ):
                async with session.post(baton.rasa_url + path, json=body, headers=headers) as resp:
                    assert resp.status == 401
            async with session.post(
                baton.rasa_url + path,
                json=body,
                headers={"Authorization": f"Bearer {HANDOFF_RELAY_TOKEN}"},
            ) as resp:
                assert resp.status == 404  # the token works; the conversation does not exist


async def test_a_wrong_password_is_refused_and_the_session_cookie_is_guarded(baton: Baton) -> None:
    url = baton.handoff_url
    # unsafe=True: aiohttp keeps cookies from an IP address (the test servers') only then
    async with aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as session:
        async with session.post(
            f"{url}/api/login", json={"username": AGENT_USERNAME, "password": "guess"}
        ) as resp:
            assert resp.status == 401
        async with session.post(
            f"{url}/api/login", json={"username": AGENT_USERNAME, "password": AGENT_PASSWORD}
        ) as resp:
            assert resp.status == 200
            cookie = resp.headers["Set-Cookie"].lower()
            assert "httponly" in cookie and "samesite=strict" in cookie
        # the cookie works from the console's own origin...
        async with session.get(f"{url}/api/me") as resp:
            assert resp.status == 200
        # ...but not from another site, and not for a form post
        async with session.post(
            f"{url}/api/tickets/1/close", json={}, headers={"Origin": "https://evil.example"}
        ) as resp:
            assert resp.status == 403
        async with session.post(f"{url}/api/tickets/1/close", data={"x": "1"}) as resp:
            assert resp.status == 415
        async with session.post(f"{url}/api/logout", json={}) as resp:
            assert resp.status == 200
        async with session.get(f"{url}/api/me") as resp:
            assert resp.status == 401


async def test_the_console_page_holds_no_data_and_forbids_inline_scripts(baton: Baton) -> None:
    async with aiohttp.ClientSession() as session, session.get(baton.handoff_url + "/") as resp:
        assert resp.status == 200
        assert "script-src 'self'" in resp.headers["Content-Security-Policy"]
        page = await resp.text()
    assert "Baton" in page and "@" not in page


async def test_no_email_phone_or_token_in_any_log_line(baton: Baton, new_customer: Opener) -> None:
    # A full handoff with an identified customer, and an anonymous one who types an e-mail.
    agent = await AgentClient(baton.handoff_url, AGENT_USERNAME, AGENT_PASSWORD).login()
    try:
        jane = await new_customer(customer_id=1)
        await jane.say("where is my order 10001?")
        await jane.say("I want to talk to a person")
        ticket = await agent.ticket_for(jane.session_id.split(".")[0])  # type: ignore[union-attr]
        await agent.reply(ticket["id"], "Hi Jane, is jane.doe@example.com still your e-mail?")
        await jane.say("yes, or call me on +447700900001")
        await agent.close(ticket["id"])
        stranger = await new_customer()
        await stranger.say("where is order 10003")
        await stranger.say("liam.murphy@example.ie")
        await stranger.say("I want to speak to a person")
    finally:
        await agent.logout()

    engine = create_engine_for(baton.store_url)
    async with engine.connect() as conn:
        rows = (await conn.execute(select(t.customers.c.email, t.customers.c.phone))).all()
    await engine.dispose()
    secrets = [
        AGENT_PASSWORD,
        HANDOFF_SERVICE_TOKEN,
        HANDOFF_RELAY_TOKEN,
        CUSTOMER_TOKEN_SECRET,
        agent.token or "",
        baton.env.get("SLACK_BOT_TOKEN", ""),
        baton.env.get("SLACK_SIGNING_SECRET", ""),
    ]
    personal = [r.email for r in rows] + [r.phone for r in rows if r.phone]
    logs = baton.log_text()
    assert logs
    for value in [*personal, *[s for s in secrets if s]]:
        assert value not in logs, f"{value[:4]}… appears in a log"
    digits = re.sub(r"\D", "", "+447700900001")
    assert digits not in re.sub(r"[ \-()]", "", logs)

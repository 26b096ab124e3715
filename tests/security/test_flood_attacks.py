"""Item 9: no rate limits.

One web chat socket could queue unlimited full turns; the agent console's login had no
throttling or lockout; resetting a password kept the sessions opened with the old one; and the
session token was in the login JSON, where any script on the page could read it.
"""

from __future__ import annotations

from typing import Any

import aiohttp
import pytest

from connectors.webchat import BURST_MESSAGES, SLOW_DOWN, _Flow
from handoff.services import HandoffService, LoginThrottled
from tests.handoff.conftest import make_settings
from tests.support.servers import AGENT_PASSWORD, AGENT_USERNAME, Baton
from tests.support.webchat_client import WebChatCustomer


def test_a_socket_gets_a_burst_then_one_message_every_two_seconds() -> None:
    flow = _Flow()
    admitted = [flow.admit() for _ in range(BURST_MESSAGES + 5)]
    assert admitted.count(True) == BURST_MESSAGES


def test_a_socket_cannot_have_more_than_two_turns_running() -> None:
    flow = _Flow()
    flow.in_flight = 2
    assert not flow.admit()


@pytest.mark.e2e
async def test_one_socket_flooding_messages_is_told_to_slow_down(baton: Baton) -> None:
    flooder = WebChatCustomer(baton.rasa_url)
    await flooder.connect()
    try:
        for n in range(30):
            await flooder._sio.emit("user_uttered", {"message": f"where is order {10001 + n}"})
        heard = await flooder.listen(timeout=15)
        texts = [m.get("text", "") for m in heard]
        assert texts.count(SLOW_DOWN) >= 15
        # the server still answers a polite customer
        polite = WebChatCustomer(baton.rasa_url)
        await polite.connect()
        answer = await polite.say("hello")
        assert answer.text and SLOW_DOWN not in answer.text
        await polite.close()
    finally:
        await flooder.close()


async def service_with_agent(tmp_path: Any, relay: Any, clock: Any) -> HandoffService:
    from handoff.live import Hub
    from handoff.store.db import create_engine, create_schema

    settings = make_settings(tmp_path)
    engine = create_engine(settings.database_url)
    await create_schema(engine)
    service = HandoffService(engine, settings, Hub(), relay, None, clock=clock)  # type: ignore[arg-type]
    await service.ensure_demo_agent()
    return service


async def test_guessing_an_agents_password_is_locked_out(
    tmp_path: Any, relay: Any, clock: Any
) -> None:
    service = await service_with_agent(tmp_path, relay, clock)
    for n in range(5):
        assert await service.login("demo", f"guess-{n}", client="attacker") is None
    with pytest.raises(LoginThrottled):
        await service.login("demo", "demo-password", client="attacker")  # even the right one
    # the agent at her own desk is not locked out by the stranger
    assert await service.login("demo", "demo-password", client="agent-desk") is not None
    clock.advance(minutes=16)
    assert await service.login("demo", "demo-password", client="attacker") is not None
    await service.engine.dispose()


async def test_a_password_reset_ends_the_sessions_opened_with_the_old_one(
    tmp_path: Any, relay: Any, clock: Any
) -> None:
    service = await service_with_agent(tmp_path, relay, clock)
    logged_in = await service.login("demo", "demo-password", client="thief")
    assert logged_in is not None
    stolen_token, _ = logged_in
    assert await service.agent_for_token(stolen_token) is not None
    await service.create_agent("demo", "Demo Agent", "a-brand-new-password")
    assert await service.agent_for_token(stolen_token) is None
    await service.engine.dispose()


@pytest.mark.e2e
async def test_the_login_answer_does_not_hand_page_scripts_the_session_token(baton: Baton) -> None:
    async with aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as session:
        async with session.post(
            f"{baton.handoff_url}/api/login",
            json={"username": AGENT_USERNAME, "password": AGENT_PASSWORD},
        ) as resp:
            assert resp.status == 200
            body = await resp.json()
            assert "token" not in body and body["agent"]
            assert "httponly" in resp.headers["Set-Cookie"].lower()
        async with session.get(f"{baton.handoff_url}/api/me") as resp:
            assert resp.status == 200  # the cookie is the session
        async with session.post(f"{baton.handoff_url}/api/logout", json={}) as resp:
            assert resp.status == 200

"""The production profile as a customer and an operator meet it: started by infra/prod.py
(what `make run-prod` runs) on free ports — PostgreSQL, Redis, two replicas of each server
behind nginx — with web chat answered through nginx, every replica ready, socket.io sessions
pinned to one replica, and a conversation that outlives the replica it started on.

One profile for the module (about half a minute to start); the test that kills a replica
runs last.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, Optional

import pytest
import requests

from bot.production import programs
from infra.prod import Ports, Profile, start_profile
from tests.e2e.test_browser import bot_texts, browser
from tests.support.handoff_agent import AgentClient
from tests.support.services import require, service_dir
from tests.support.webchat_client import WebChatCustomer

pytestmark = pytest.mark.e2e
__all__ = ["browser"]  # the headless Chromium fixture of tests/e2e/test_browser.py


@pytest.fixture(scope="module")
def prod(model: Path) -> Iterator[Profile]:
    require("initdb", "postgres", "redis-server", "nginx")
    with service_dir("baton-prod-") as directory:
        running = start_profile(
            directory,
            model,
            programs=programs(),
            ports=Ports.free(),
            durable=False,
            fake_channels=True,
            base_env={**os.environ, "BATON_SEED_DEMO": "1"},  # the tests ask about order 10001
        )
        try:
            yield running
        finally:
            running.stop()


def get(url: str, cookie: Optional[str] = None) -> tuple[int, str, dict[str, str]]:
    resp = requests.get(url, headers={"Cookie": cookie} if cookie else {}, timeout=10)
    return resp.status_code, resp.text, dict(resp.headers)


def post(url: str, body: str, cookie: Optional[str] = None) -> int:
    headers = {"Content-Type": "text/plain;charset=UTF-8"}
    if cookie:
        headers["Cookie"] = cookie
    return requests.post(url, data=body.encode(), headers=headers, timeout=10).status_code


async def test_web_chat_answers_through_nginx(prod: Profile) -> None:
    customer = WebChatCustomer(prod.public_url)
    await customer.connect()
    try:
        hello = await customer.say("hi")
        assert "Baton" in hello.text
        asked = await customer.say("where is my order?")
        assert "order number" in asked.text
    finally:
        await customer.close()


def test_a_whatsapp_message_through_nginx_is_verified_and_answered(prod: Profile) -> None:
    """Twilio signs for the public address; nginx must pass the request on unchanged for the
    replica's signature check, and the answer goes back through Twilio's API."""
    sent = requests.post(
        f"{prod.twilio_url}/_fake/inbound",
        json={"from": "+447700900001", "body": "where is my order 10001?"},
        timeout=10,
    )
    assert sent.status_code == 200, sent.text
    replies = requests.get(
        f"{prod.twilio_url}/_fake/messages",
        params={"to": "whatsapp:+447700900001", "after": 0, "wait": 20},
        timeout=30,
    ).json()["messages"]
    assert replies and "Order 10001 is on its way with DPD" in replies[0]["body"]


@pytest.mark.browser
def test_the_widget_in_a_real_browser_works_through_nginx(prod: Profile, browser: Any) -> None:
    """The page, the widget's script and its socket all come through nginx (WebSocket upgrade
    first, long-polling pinned by cookie if that fails)."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys
    from selenium.webdriver.support import expected_conditions as ec
    from selenium.webdriver.support.ui import WebDriverWait

    wait = WebDriverWait(browser, 30)
    browser.get(f"{prod.public_url}/webchat")
    wait.until(ec.element_to_be_clickable((By.ID, "baton-launcher"))).click()
    box = wait.until(ec.element_to_be_clickable((By.ID, "baton-input")))
    box.send_keys("where is my order 10001?")
    box.send_keys(Keys.ENTER)
    wait.until(lambda d: any("e-mail address or the delivery postcode" in t for t in bot_texts(d)))


def test_every_replica_is_ready(prod: Profile) -> None:
    for replica in prod.replicas.values():
        status, body, _ = get(f"{replica.url}/ready")
        assert status == 200, f"{replica.name}: {status} {body[:300]}"
    status, _, _ = get(f"{prod.public_url}/nginx-health")
    assert status == 200


def test_metrics_are_scraped_from_replicas_and_never_shown_through_nginx(prod: Profile) -> None:
    rasa = prod.of_role("rasa")[0]
    scrape = {"Authorization": f"Bearer {prod.env['PROMETHEUS_SCRAPE_TOKEN']}"}
    resp = requests.get(f"{rasa.url}/metrics", headers=scrape, timeout=10)
    assert resp.status_code == 200 and "baton_" in resp.text
    for public in (prod.public_url, prod.handoff_url):
        for path in ("/metrics", "/metrics/", "//metrics", "/%6detrics", "/METRICS", "/metrics?x"):
            resp = requests.get(f"{public}{path}", headers=scrape, timeout=10)
            assert resp.status_code == 404, f"{public}{path} answered {resp.status_code}"
            assert "baton_" not in resp.text


def test_the_profile_runs_on_postgresql_and_redis(prod: Profile) -> None:
    for url in (prod.store_url, prod.tracker_url, prod.handoff_database_url):
        assert url.startswith("postgresql://") and f":{prod.ports.postgres}/" in url
    assert prod.redis_url.startswith("redis://") and f":{prod.ports.redis}/" in prod.redis_url
    for replica in prod.of_role("rasa"):
        assert "bot/endpoints.prod.yml" in replica.command


def test_a_polling_socket_io_session_stays_on_the_replica_that_issued_it(prod: Profile) -> None:
    """Browsers that fall back to long-polling send many requests per session; each must reach
    the replica that knows the session id, which nginx's ``baton_route`` cookie arranges."""
    base = f"{prod.public_url}/socket.io/?EIO=4&transport=polling"
    routes = set()
    for client in range(8):
        status, body, headers = get(f"{base}&t=h{client}")
        assert status == 200, body
        sid = json.loads(body[1:])["sid"]
        cookie = headers["Set-Cookie"].split(";", 1)[0]
        assert cookie.startswith("baton_route=r")
        routes.add(cookie)
        assert post(f"{base}&sid={sid}", "40", cookie) == 200  # join the default namespace
        status, body, _ = get(f"{base}&sid={sid}&t=c{client}", cookie)
        assert status == 200 and body.startswith("40"), f"client {client}: {status} {body[:200]}"
        request = '42["session_request",{"session_id":null}]'
        assert post(f"{base}&sid={sid}", request, cookie) == 200
        status, body, _ = get(f"{base}&sid={sid}&t=s{client}", cookie)
        assert status == 200 and "session_confirm" in body, f"client {client}: {body[:200]}"
    assert routes == {"baton_route=r1", "baton_route=r2"}, "both replicas should take sessions"


def from_customer(ticket_id: int) -> Callable[[dict[str, Any]], bool]:
    """Matches the live event of a customer's message on ``ticket_id``."""
    return lambda e: (
        e["type"] == "message"
        and e["message"]["ticket_id"] == ticket_id
        and e["message"]["kind"] == "customer"
    )


async def test_agents_and_customers_reach_each_other_whichever_replicas_hold_them(
    prod: Profile,
) -> None:
    """One customer's socket on each Rasa replica, the agent's console on whichever handoff
    replica nginx picked: the agent's reply is relayed to the customer's own replica, the
    customer's answer reaches the agent's live feed, and closing brings the bot back."""
    agent = AgentClient(prod.handoff_url, "demo", prod.env["HANDOFF_DEMO_PASSWORD"])
    await agent.login()
    await agent.live()
    try:
        for replica in prod.of_role("rasa"):
            customer = WebChatCustomer(replica.url)
            await customer.connect()
            await customer.say("I want to talk to a person")
            assert customer.session_id
            ticket = await agent.ticket_for(customer.session_id.split(".")[0])

            greeting = f"Hi, Sam here, talking to you on {replica.name}."
            await agent.reply(ticket["id"], greeting)
            assert [m.get("text") for m in await customer.listen(timeout=10)] == [greeting]

            marker = len(agent.events)
            quiet = await customer.say("Thanks! It is about order 10001.")
            assert quiet.messages == []
            live = await agent.wait_for_event(from_customer(ticket["id"]), after=marker)
            assert live["message"]["text"] == "Thanks! It is about order 10001."

            await agent.close(ticket["id"])
            question = await customer.listen(timeout=10)
            assert question and "rate the help" in question[0]["text"]
            await customer.close()
    finally:
        await agent.logout()


async def test_a_conversation_continues_on_the_other_replica_when_its_own_dies(
    prod: Profile,
) -> None:
    """Started directly on rasa-1, mid-form; rasa-1 is killed; the customer reconnects through
    nginx, lands on rasa-2, and the order-status form carries on where it was."""
    first = prod.replicas["rasa-1"]
    customer = WebChatCustomer(first.url)
    session = await customer.connect()
    asked = await customer.say("where is my order?")
    assert "order number" in asked.text
    await customer.close()

    prod.stop_replica("rasa-1", kill=True)

    again = WebChatCustomer(prod.public_url)
    await again.connect(resume=session)
    try:
        proof = await again.say("10001")
        assert "e-mail address or the delivery postcode" in proof.text, proof.text
    finally:
        await again.close()


def test_every_server_of_the_profile_listens_on_loopback_only(prod: Profile) -> None:
    """Rasa and the action servers used to bind every interface; now every process of the
    profile listens on 127.0.0.1, and only nginx's ports are meant to be published."""
    from tests.security.conftest import listening_addresses

    stopped = {r.port for r in prod.replicas.values() if not r.running}  # a fault test's victim
    checked = 0
    for name, port in prod.ports.all().items():
        if port in stopped:
            continue
        assert listening_addresses(port) == {"127.0.0.1"}, name
        checked += 1
    assert checked >= len(prod.ports.all()) - 1


def test_the_action_servers_refuse_calls_without_the_token_even_through_nginx(
    prod: Profile,
) -> None:
    body = '{"next_action": "action_order_status", "sender_id": "x", "tracker": {}}'
    for url in (prod.action_url, *(r.url for r in prod.of_role("actions"))):
        resp = requests.post(f"{url}/webhook", data=body, timeout=10)
        assert resp.status_code == 401, url

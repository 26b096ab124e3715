"""A shop on Shopify or WooCommerce, over the real web chat, against the platform's local fake
(fakes/shops.py): what the customer sees when the platform changes an order, when it cannot
answer, and what happens to a forged webhook. The same order conversations on all three
backends are in test_order_status_webchat.py, test_returns_webchat.py and
test_handoff_webchat.py.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from actions.shop.demo import demo_platform_orders
from actions.shop.webhooks import SIGNATURE_HEADERS, sign
from tests.support.handoff_agent import AgentClient
from tests.support.servers import AGENT_PASSWORD, AGENT_USERNAME, SCRAPE_TOKEN, Baton
from tests.support.shop_backends import platform_baton
from tests.support.webchat_client import ASK_PROOF, WebChatCustomer

pytestmark = pytest.mark.e2e

PLATFORMS = ("shopify", "woocommerce")
UNAVAILABLE = "can't reach the shop's order system"
TOPIC = {"shopify": "orders/updated", "woocommerce": "order.updated"}
SECRET = {"shopify": "SHOPIFY_WEBHOOK_SECRET", "woocommerce": "WOOCOMMERCE_WEBHOOK_SECRET"}
# Where a fault's mode in the fake and the kind Baton counts differ.
FAULTS = {
    "down": "down",
    "timeout": "timeout",
    "rate_limit_429": "rate_limited",
    "unauthorized": "unauthorized",
}

# Orders of the generated part of the demo shop that no other test asks about: this module
# changes them on the platform, and the platform Batons are shared by the whole session.
SHIPPED = [
    o
    for o in demo_platform_orders()
    if int(o.number) > 10040 and o.status == "shipped" and len(o.shipments) == 1
]
UNTOUCHED = [o for o in demo_platform_orders() if int(o.number) > 10080]


@pytest.fixture(scope="module", params=PLATFORMS)
def shop_baton(
    request: pytest.FixtureRequest,
    model: Path,
    tmp_path_factory: pytest.TempPathFactory,
    platform_batons: dict[str, Baton],
) -> Iterator[Baton]:
    running = platform_baton(request.param, model, tmp_path_factory)
    yield running
    fault(running, "none")


def fault(baton: Baton, mode: str, count: int = 1000) -> None:
    body = {"mode": mode, "count": count}
    if mode == "timeout":
        body["seconds"] = 8  # longer than the client's 5 s timeout
    requests.post(f"{baton.shop_url}/_fake/faults", json=body, timeout=10).raise_for_status()


def shop_metric(baton: Baton, outcome: str) -> float:
    text = requests.get(
        f"{baton.action_url}/metrics",
        headers={"Authorization": f"Bearer {SCRAPE_TOKEN}"},
        timeout=10,
    ).text
    labels = f'backend="{baton.shop}",operation="(?:order|customer)",outcome="{outcome}"'
    pattern = r"^baton_shop_calls_total\{" + labels + r"\} (\S+)"
    return sum(float(v) for v in re.findall(pattern, text, re.M))


async def ask(baton: Baton, number: str, proof: str) -> str:
    customer = WebChatCustomer(baton.rasa_url)
    await customer.connect()
    try:
        asked = await customer.say(f"where is my order {number}?", timeout=60)
        assert ASK_PROOF in asked.text, asked.text
        return (await customer.say(proof, timeout=60)).text
    finally:
        await customer.close()


async def test_a_change_on_the_platform_is_answered_once_its_webhook_arrives(
    shop_baton: Baton,
) -> None:
    order = SHIPPED[0]
    before = await ask(shop_baton, order.number, order.customer.email)
    assert "on its way" in before, before
    changed = requests.post(
        f"{shop_baton.shop_url}/_fake/orders/{order.number}",
        json={"status": "delivered"},
        timeout=10,
    )
    assert changed.status_code == 200, changed.text
    sent = requests.post(
        f"{shop_baton.shop_url}/_fake/webhook",
        json={
            "topic": TOPIC[shop_baton.shop],
            "number": order.number,
            "address": f"{shop_baton.rasa_url}/webhooks/shop/{shop_baton.shop}",
            "secret": shop_baton.env[SECRET[shop_baton.shop]],
        },
        timeout=30,
    )
    assert sent.status_code == 200 and sent.json()["status"] == 200, sent.text
    after = await ask(shop_baton, order.number, order.customer.email)
    assert "was delivered" in after, after


@pytest.mark.parametrize("signature", [None, "", "forged"])
def test_a_webhook_without_the_platforms_signature_is_refused(
    shop_baton: Baton, signature: str | None
) -> None:
    body = json.dumps({"id": 1, "name": "#10001", "number": "10001"}).encode()
    headers = {"Content-Type": "application/json"}
    if signature is not None:
        headers[SIGNATURE_HEADERS[shop_baton.shop]] = (
            sign(body, "not-the-secret") if signature == "forged" else signature
        )
    answer = requests.post(
        f"{shop_baton.rasa_url}/webhooks/shop/{shop_baton.shop}",
        data=body,
        headers=headers,
        timeout=10,
    )
    assert answer.status_code == 401
    assert "signature" in answer.json()["reason"]


def test_a_signed_webhook_that_names_no_order_gets_a_reason(shop_baton: Baton) -> None:
    body = b'{"hello": "world"}'
    secret = shop_baton.env[SECRET[shop_baton.shop]]
    answer = requests.post(
        f"{shop_baton.rasa_url}/webhooks/shop/{shop_baton.shop}",
        data=body,
        headers={SIGNATURE_HEADERS[shop_baton.shop]: sign(body, secret)},
        timeout=10,
    )
    assert answer.status_code == 400 and "order" in answer.json()["reason"]


@pytest.mark.parametrize("mode", list(FAULTS))
async def test_a_platform_that_cannot_answer_gets_a_clear_answer_and_a_person(
    shop_baton: Baton, mode: str
) -> None:
    order = UNTOUCHED[list(FAULTS).index(mode)]  # never read before: no copy to fall back on
    counted = shop_metric(shop_baton, FAULTS[mode])
    customer = WebChatCustomer(shop_baton.rasa_url)
    await customer.connect()
    try:
        fault(shop_baton, mode)
        try:
            answer = await customer.say(f"where is my order {order.number}?", timeout=90)
        finally:
            fault(shop_baton, "none")
        assert UNAVAILABLE in answer.text, answer.text
        assert "/human_handoff" in [b.get("payload") for b in answer.buttons]
        assert shop_metric(shop_baton, FAULTS[mode]) > counted
        # The platform is back: the same conversation carries on, nothing lost.
        again = await customer.say(f"where is my order {order.number}?", timeout=60)
        assert ASK_PROOF in again.text, again.text
        proven = await customer.say(order.customer.email, timeout=60)
        assert order.number in proven.text and UNAVAILABLE not in proven.text
    finally:
        await customer.close()


async def test_the_person_offered_after_an_outage_gets_the_reason(shop_baton: Baton) -> None:
    order = UNTOUCHED[len(FAULTS)]
    customer = WebChatCustomer(shop_baton.rasa_url)
    await customer.connect()
    try:
        fault(shop_baton, "down")
        try:
            answer = await customer.say(f"where is my order {order.number}?", timeout=60)
        finally:
            fault(shop_baton, "none")
        assert UNAVAILABLE in answer.text
        handed = await customer.say("/human_handoff", timeout=60)
        assert handed.texts, "the customer is told what happens next"
        agent = await AgentClient(shop_baton.handoff_url, AGENT_USERNAME, AGENT_PASSWORD).login()
        try:
            assert customer.session_id
            ticket = await agent.ticket_for(customer.session_id.split(".")[0])
        finally:
            await agent.logout()
        assert ticket["reason"] == "shop_unavailable"
    finally:
        await customer.close()

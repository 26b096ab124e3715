"""Cancelling an order on WhatsApp and on Slack, where the channel already says who the
customer is (a Twilio-verified number, a Slack account's e-mail): no proof is asked for.

WhatsApp cancels an order of the generated demo shop no other test uses; Slack's demo members
own the showcase orders other tests read, so there the customer changes their mind at the
last step and nothing changes.
"""

from __future__ import annotations

import aiohttp
import pytest

from actions.store.db import create_engine_for
from actions.store.repository import StoreRepository
from fakes.clients import SlackCustomer, WhatsAppCustomer
from tests.support.servers import Baton

pytestmark = pytest.mark.e2e


async def status_of(baton: Baton, number: str) -> str:
    engine = create_engine_for(baton.store_url)
    try:
        async with engine.connect() as conn:
            order = await StoreRepository(conn).get_order(number)
    finally:
        await engine.dispose()
    assert order is not None
    return order.status


async def test_a_whatsapp_customer_cancels_their_own_order_without_a_proof(
    baton: Baton, http: aiohttp.ClientSession
) -> None:
    kwame = WhatsAppCustomer(http, baton.rasa_url, baton.twilio_url, "+447700900226", "Kwame")
    asked = await kwame.say("please cancel my order 10120", timeout=60)
    assert "e-mail address" not in asked.text
    # three items: the whole order or some? Typed, as WhatsApp customers do
    assert "the whole order, or only some items?" in asked.text, asked.text
    confirm = await kwame.say("the whole order", timeout=60)
    assert "hasn't left our warehouse yet, so I can cancel it" in confirm.text, confirm.text
    done = await kwame.say("yes", timeout=60)
    assert "Done: order 10120 is cancelled" in done.text, done.text
    assert await status_of(baton, "10120") == "cancelled"


async def test_a_slack_customer_asks_to_cancel_then_keeps_the_order(
    baton: Baton, http: aiohttp.ClientSession
) -> None:
    priya = SlackCustomer(http, baton.rasa_url, baton.slack_url, "U03PRIYA")
    confirm = await priya.say("I'd like to cancel order 10005", timeout=60)
    assert "Shall I cancel the whole order?" in confirm.text, confirm.text
    assert "Apple Pay" in confirm.text
    kept = await priya.say("no", timeout=60)
    assert "order 10005 goes ahead as planned" in kept.text, kept.text
    assert await status_of(baton, "10005") == "paid"

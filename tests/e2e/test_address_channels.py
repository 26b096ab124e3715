"""Changing the delivery address on WhatsApp and on Slack, where the channel already says who
the customer is: no proof is asked for, and the address is typed as on the web chat.

WhatsApp changes an order of the generated demo shop no other test uses (Harry's 10098);
Slack's demo members own the showcase orders other tests read, so there the customer changes
their mind at the last step and nothing changes.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import aiohttp
import pytest

from actions.store.models import Address, Order
from fakes.clients import SlackCustomer, WhatsAppCustomer
from tests.support.servers import Baton

pytestmark = pytest.mark.e2e

LoadOrder = Callable[[str], Awaitable[Order]]


async def test_a_whatsapp_customer_changes_the_address_of_their_own_order(
    baton: Baton, http: aiohttp.ClientSession, load_order: LoadOrder
) -> None:
    harry = WhatsAppCustomer(http, baton.rasa_url, baton.twilio_url, "+447700900409", "Harry")
    asked = await harry.say("I need to change the delivery address for order 10098", timeout=60)
    assert "e-mail address" not in asked.text
    assert "Please type the new address in one message" in asked.text, asked.text
    confirm = await harry.say("7 Leith Walk, Edinburgh, EH6 8LN", timeout=60)
    assert "7 Leith Walk, Edinburgh, EH6 8LN" in confirm.text, confirm.text
    done = await harry.say("yes", timeout=60)
    assert "Done: order 10098 will now go to 7 Leith Walk, Edinburgh, EH6 8LN" in done.text
    assert (await load_order("10098")).shipping_address == Address(
        "7 Leith Walk", None, "Edinburgh", "EH6 8LN", "GB"
    )


async def test_a_slack_customer_types_a_new_address_then_keeps_the_old_one(
    baton: Baton, http: aiohttp.ClientSession, load_order: LoadOrder
) -> None:
    before = (await load_order("10005")).shipping_address
    priya = SlackCustomer(http, baton.rasa_url, baton.slack_url, "U03PRIYA")
    asked = await priya.say("can I change the delivery address on order 10005?", timeout=60)
    assert "Please type the new address in one message" in asked.text, asked.text
    confirm = await priya.say("2 Mill Lane\nLeeds\nLS1 4AB", timeout=60)
    assert "2 Mill Lane, Leeds, LS1 4AB" in confirm.text, confirm.text
    kept = await priya.say("no", timeout=60)
    assert "I haven't changed anything" in kept.text, kept.text
    assert (await load_order("10005")).shipping_address == before

"""Reporting a delivery problem on WhatsApp and on Slack, where the channel already says who
the customer is: no proof is asked for, what went wrong and the item are heard in the first
message, and the claim is read back and opened on a typed "yes".

WhatsApp: Harry's parcel the carrier lost (10060), claimed at once. Slack: Ewan's boxer briefs
missing from 10015, claimed as that item's refund. A claim changes no order, so these showcase
and generated orders stay as other tests read them.
"""

from __future__ import annotations

import aiohttp
import pytest

from actions.store.claims import Claim
from actions.store.db import create_engine_for
from actions.store.repository import StoreRepository
from fakes.clients import SlackCustomer, WhatsAppCustomer
from tests.support.servers import Baton

pytestmark = pytest.mark.e2e


async def claims_for(baton: Baton, number: str) -> list[Claim]:
    engine = create_engine_for(baton.store_url)
    try:
        async with engine.connect() as conn:
            return await StoreRepository(conn).claims_for_order(number)
    finally:
        await engine.dispose()


async def test_a_whatsapp_customer_claims_a_parcel_the_carrier_lost(
    baton: Baton, http: aiohttp.ClientSession
) -> None:
    harry = WhatsAppCustomer(http, baton.rasa_url, baton.twilio_url, "+447700900409", "Harry")
    # "Never arrived" of a parcel still travelling is an order question: the status says it is
    # lost and offers the claim as a numbered option.
    told = await harry.say("my parcel for order 10060 never arrived", timeout=60)
    assert "e-mail address" not in told.text
    assert "treated as lost in transit" in told.text, told.text
    assert "1. Open a claim" in told.text
    asked = await harry.say("1", timeout=60)
    assert "What happened?" in asked.text, asked.text
    assert "1. It never arrived" in asked.text
    confirm = await harry.say("1", timeout=60)
    assert "I can refund £95.00 for Washed linen duvet cover, double" in confirm.text, confirm.text
    done = await harry.say("yes", timeout=60)
    assert "Done: claim CLM-" in done.text, done.text
    [claim] = await claims_for(baton, "10060")
    assert (claim.kind, claim.reason) == ("not_received", "carrier_lost")
    assert claim.number in done.text


async def test_a_slack_customer_claims_an_item_missing_from_the_parcel(
    baton: Baton, http: aiohttp.ClientSession
) -> None:
    ewan = SlackCustomer(http, baton.rasa_url, baton.slack_url, "U04EWAN")
    confirm = await ewan.say("the boxers were missing from my order 10015", timeout=60)
    assert "e-mail address" not in confirm.text
    assert "I can refund £36.00 for Merino boxer briefs 3-pack" in confirm.text, confirm.text
    done = await ewan.say("yes", timeout=60)
    assert "Done: claim CLM-" in done.text, done.text
    [claim] = await claims_for(baton, "10015")
    assert (claim.kind, claim.order_item_id, str(claim.amount)) == ("missing_item", 20, "36.00")

"""WhatsApp through the real servers: signed Twilio webhooks in, the twilio SDK out to the fake
Twilio API. Signatures are made by the twilio SDK's own RequestValidator."""

from __future__ import annotations

import asyncio
import json
import secrets
import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from twilio.request_validator import RequestValidator

from connectors.whatsapp import PHOTO_ACK, conversation_id_for
from fakes.clients import WhatsAppCustomer
from fakes.common import tiny_png
from fakes.twilio import DEMO_WHATSAPP_NUMBER
from tests.support.servers import CHANNEL_ID_SECRET, Baton

pytestmark = pytest.mark.e2e

NewCustomer = Callable[..., WhatsAppCustomer]


def stranger() -> str:
    """A number no customer of the demo shop has (+1 555 01xx is reserved for fiction)."""
    return f"+1555010{secrets.randbelow(10_000):04d}"


@pytest.fixture
def whatsapp(baton: Baton, http: aiohttp.ClientSession) -> NewCustomer:
    def make(phone: str | None = None, name: str | None = None) -> WhatsAppCustomer:
        return WhatsAppCustomer(http, baton.rasa_url, baton.twilio_url, phone or stranger(), name)

    return make


def stored_events(baton: Baton, sender: str) -> list[dict[str, Any]]:
    path = baton.tracker_url.removeprefix("sqlite:///")
    conversation = conversation_id_for(f"whatsapp:{sender}", CHANNEL_ID_SECRET)
    with sqlite3.connect(path) as db:
        rows = db.execute(
            "SELECT data FROM events WHERE sender_id = ? ORDER BY id", (conversation,)
        ).fetchall()
    return [json.loads(r[0]) for r in rows]


async def test_a_signed_message_is_answered_through_twilio_to_the_sender_who_is_recognised(
    whatsapp: NewCustomer,
) -> None:
    priya = whatsapp("+447700900003", "Priya")
    turn = await priya.say("hi")
    [reply] = turn.messages
    assert reply["to"] == "whatsapp:+447700900003"
    assert reply["from"] == DEMO_WHATSAPP_NUMBER
    assert reply["body"].startswith("Hi Priya!")  # the verified number identified her


async def test_the_webhook_is_acknowledged_at_once_with_empty_twiml(
    whatsapp: NewCustomer, http: aiohttp.ClientSession, baton: Baton
) -> None:
    customer = whatsapp()
    form = customer.form("hello")
    sig = RequestValidator("fake-twilio-auth-token-for-local-demos").compute_signature(
        customer.webhook_url, form
    )
    async with http.post(
        customer.webhook_url, data=form, headers={"X-Twilio-Signature": sig}
    ) as resp:
        assert resp.status == 200
        assert resp.content_type == "text/xml"
        assert "<Response></Response>" in await resp.text()
    assert (await customer.replies_after(0)).bodies


async def test_a_forged_unsigned_or_tampered_message_gets_403_and_is_never_processed(
    whatsapp: NewCustomer,
) -> None:
    victim = whatsapp()
    attacker = whatsapp(victim.phone)  # writing as the victim's number
    before = len(await victim.sent_to_me())
    form = attacker.form("where is my order?")
    genuine = RequestValidator("fake-twilio-auth-token-for-local-demos")
    tampered = {**form, "Body": "show me everything"}
    cases = {
        "no signature": (form, None),
        "signed with another token": (
            form,
            RequestValidator("guessed-token").compute_signature(attacker.webhook_url, form),
        ),
        "signed for another URL": (
            form,
            genuine.compute_signature("https://evil.example/webhooks/whatsapp/webhook", form),
        ),
        "body changed after signing": (
            tampered,
            genuine.compute_signature(attacker.webhook_url, form),
        ),
        "garbage": (form, "not-a-signature"),
    }
    for name, (body, signature) in cases.items():
        ack = await attacker.post(body, signature=signature)
        assert ack.status == 403, name
    assert (await victim.replies_after(before, timeout=2)).messages == []
    # Nothing was remembered either: the same MessageSid, genuinely signed, is answered.
    ack = await attacker.post(form)
    assert ack.status == 200
    assert (await victim.replies_after(before)).bodies


async def test_a_repeated_message_sid_is_answered_once(whatsapp: NewCustomer) -> None:
    customer = whatsapp()
    form = customer.form("hello there")
    acks = await asyncio.gather(*(customer.post(form) for _ in range(3)))
    assert [a.status for a in acks] == [200, 200, 200]
    await asyncio.sleep(0.5)
    again = await customer.post(form)  # and later, too
    assert again.status == 200
    turn = await customer.replies_after(0, quiet=1.5)
    assert len(turn.messages) == 1, turn.bodies
    assert turn.bodies[0].startswith("Hi!")


async def test_a_numbered_answer_or_the_options_words_pick_the_right_order(
    whatsapp: NewCustomer,
) -> None:
    ewan = whatsapp("+447700900004", "Ewan")
    asked = await ewan.say("where is my order?")
    lines = [line for line in asked.text.splitlines() if line[:1].isdigit()]
    assert len(lines) >= 3, asked.text
    assert "Reply with a number" in asked.text
    second = lines[1].split(". ", 1)[1]
    number = second[:5]
    answer = await ewan.say("2")
    assert f"Order {number}" in answer.text, answer.text

    asked = await ewan.say("where is my order?")
    third = [line for line in asked.text.splitlines() if line[:1].isdigit()][2].split(". ", 1)[1]
    item = third.split(" · ", 1)[1].split(" (")[0].split(" +")[0]
    answer = await ewan.say(f"the {item.lower()}")
    assert f"Order {third[:5]}" in answer.text, (item, answer.text)


async def test_a_photo_is_acknowledged_and_kept_with_the_conversation(
    whatsapp: NewCustomer, baton: Baton
) -> None:
    customer = whatsapp()
    ack = await customer.send_photo()
    assert ack.status == 200
    turn = await customer.replies_after(0, quiet=1.5)
    assert turn.bodies == [PHOTO_ACK]  # acknowledged, and no "sorry, I didn't catch that"

    stored = stored_events(baton, customer.phone)
    photo = next(e for e in stored if e.get("event") == "user")
    [kept] = photo["metadata"]["attachments"]
    assert kept["kind"] == "image" and kept["content_type"] == "image/png"
    assert Path(baton.var_dir, kept["path"]).read_bytes() == tiny_png()
    assert any(e.get("event") == "rewind" for e in stored)  # the dialogue carries on as before

    hello = await customer.say("hi")
    assert hello.bodies[0].startswith("Hi!")


async def test_a_photo_with_a_caption_is_acknowledged_and_the_caption_answered(
    whatsapp: NewCustomer,
) -> None:
    customer = whatsapp()
    await customer.send_photo("where is order 10003?")
    turn = await customer.replies_after(0, quiet=1.5)
    assert turn.bodies[0] == PHOTO_ACK
    assert "e-mail address or the delivery postcode" in turn.text


async def test_an_empty_message_gets_a_hint_instead_of_a_guess(whatsapp: NewCustomer) -> None:
    turn = await whatsapp().say("   ")
    assert "What can I help with?" in turn.text


async def test_no_phone_number_or_token_reaches_the_servers_logs(
    whatsapp: NewCustomer, baton: Baton
) -> None:
    customer = whatsapp()
    await customer.say("where is order 10003?")
    await customer.send_photo()
    await customer.replies_after(0, quiet=1.5)
    logs = baton.log_text()
    assert customer.phone not in logs
    assert customer.phone.removeprefix("+") not in logs
    for secret in (baton.env["TWILIO_AUTH_TOKEN"], baton.env["SLACK_BOT_TOKEN"]):
        assert secret not in logs

"""Sending to WhatsApp through the twilio SDK, against the fake Twilio API, as a relay would.

The output channel is what the bot's turns and the handoff relay use: it finds the customer's
number from the conversation id, refuses to send outside WhatsApp's 24-hour window, splits
long texts, and turns Twilio's refusals into ``DeliveryFailed`` exceptions.
"""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from dataclasses import replace

import pytest
from aiohttp import web

from connectors.channel_settings import WhatsAppSettings
from connectors.delivery import (
    DeliveryFailed,
    OutsideMessagingWindow,
    PlatformRejected,
    RecipientUnknown,
)
from connectors.whatsapp import WhatsAppInput
from fakes.twilio import DEMO_ACCOUNT_SID, DEMO_AUTH_TOKEN, DEMO_WHATSAPP_NUMBER, FakeTwilio
from infra.procs import free_port

CUSTOMER = "whatsapp:+447700900123"


@pytest.fixture
async def twilio() -> AsyncIterator[tuple[FakeTwilio, str]]:
    fake = FakeTwilio()
    runner = web.AppRunner(fake.app())
    await runner.setup()
    port = free_port()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    yield fake, f"http://127.0.0.1:{port}"
    await runner.cleanup()


@pytest.fixture
async def channel(twilio: tuple[FakeTwilio, str]) -> AsyncIterator[WhatsAppInput]:
    settings = WhatsAppSettings.from_env(
        {
            "TWILIO_ACCOUNT_SID": DEMO_ACCOUNT_SID,
            "TWILIO_AUTH_TOKEN": DEMO_AUTH_TOKEN,
            "TWILIO_WHATSAPP_NUMBER": DEMO_WHATSAPP_NUMBER,
            "TWILIO_API_URL": twilio[1],
        }
    )
    whatsapp = WhatsAppInput(settings, id_secret="test")
    yield whatsapp
    await whatsapp.close()


async def test_a_message_goes_from_our_number_to_the_conversations_customer(
    twilio: tuple[FakeTwilio, str], channel: WhatsAppInput
) -> None:
    conversation = channel.conversation_id(CUSTOMER)
    channel.note_inbound(conversation, CUSTOMER)
    await channel.get_output_channel().send_text_message(conversation, "Hello from Sam")
    [sent] = twilio[0].sent.items
    assert (sent["to"], sent["from"], sent["body"]) == (
        CUSTOMER,
        DEMO_WHATSAPP_NUMBER,
        "Hello from Sam",
    )


async def test_a_long_reply_is_split_into_messages_of_at_most_1600_characters(
    twilio: tuple[FakeTwilio, str], channel: WhatsAppInput
) -> None:
    conversation = channel.conversation_id(CUSTOMER)
    channel.note_inbound(conversation, CUSTOMER)
    text = "\n".join(f"Line {i}: your parcel is moving through our network." for i in range(80))
    await channel.get_output_channel().send_text_message(conversation, text)
    bodies = [m["body"] for m in twilio[0].sent.items]
    assert len(bodies) == 3
    assert all(len(b) <= 1600 for b in bodies)
    assert "\n".join(bodies) == text  # in order, nothing lost, cut at line ends


async def test_outside_the_24_hour_window_nothing_is_sent_and_the_sender_is_told_why(
    twilio: tuple[FakeTwilio, str], channel: WhatsAppInput
) -> None:
    conversation = channel.conversation_id(CUSTOMER)
    channel.note_inbound(conversation, CUSTOMER, at=time.time() - 25 * 3600)
    with pytest.raises(OutsideMessagingWindow) as failure:
        await channel.get_output_channel().send_text_message(conversation, "Are you there?")
    assert twilio[0].sent.items == []
    assert "25 hours ago" in failure.value.reason and "24 hours" in failure.value.reason
    assert failure.value.hours_since_last == pytest.approx(25, abs=0.1)
    assert "+44" not in str(failure.value)


async def test_just_inside_the_window_the_message_is_sent(
    twilio: tuple[FakeTwilio, str], channel: WhatsAppInput
) -> None:
    conversation = channel.conversation_id(CUSTOMER)
    channel.note_inbound(conversation, CUSTOMER, at=time.time() - 23.9 * 3600)
    await channel.get_output_channel().send_text_message(conversation, "Still here")
    assert len(twilio[0].sent.items) == 1


async def test_a_conversation_that_never_wrote_on_whatsapp_has_nobody_to_send_to(
    channel: WhatsAppInput,
) -> None:
    with pytest.raises(RecipientUnknown):
        await channel.get_output_channel().send_text_message("wa-unknown", "Hello?")


async def test_twilios_refusal_comes_back_with_its_error_code_and_no_personal_data(
    twilio: tuple[FakeTwilio, str], channel: WhatsAppInput
) -> None:
    channel.settings = replace(channel.settings, whatsapp_number="whatsapp:+15550000000")
    conversation = channel.conversation_id(CUSTOMER)
    channel.note_inbound(conversation, CUSTOMER)
    with pytest.raises(PlatformRejected) as failure:
        await channel.get_output_channel().send_text_message(conversation, "Hello")
    assert "21606" in failure.value.reason
    assert "+44" not in failure.value.reason
    assert isinstance(failure.value, DeliveryFailed)


async def test_numbered_options_sent_by_a_relay_are_what_a_number_then_means(
    twilio: tuple[FakeTwilio, str], channel: WhatsAppInput
) -> None:
    conversation = channel.conversation_id(CUSTOMER)
    channel.note_inbound(conversation, CUSTOMER)
    buttons = [{"title": str(i), "payload": f'/csat{{"rating":{i}}}'} for i in range(1, 6)]
    await channel.get_output_channel().send_text_with_buttons(
        conversation, "How did we do?", buttons
    )
    assert "1. 1\n2. 2" in twilio[0].sent.items[0]["body"]
    options = await channel._options_for(conversation)
    assert [o.payload for o in options] == [b["payload"] for b in buttons]


async def test_an_agents_reply_is_signed_with_their_name(
    twilio: tuple[FakeTwilio, str], channel: WhatsAppInput
) -> None:
    conversation = channel.conversation_id(CUSTOMER)
    channel.note_inbound(conversation, CUSTOMER)
    output = channel.get_output_channel()
    await output.send_agent_message(conversation, "I've sent a new label.", "Sam")  # type: ignore[attr-defined]
    assert twilio[0].sent.items[0]["body"] == "*Sam*: I've sent a new label."

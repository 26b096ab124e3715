"""After 24 hours: the fake Twilio refuses free-form WhatsApp messages with error 63016, as
WhatsApp does, and takes Content templates (``ContentSid`` + ``ContentVariables``) — both
through the real twilio SDK, the way the connector sends them."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator

import aiohttp
import pytest
from aiohttp import web
from twilio.base.exceptions import TwilioRestException
from twilio.http.async_http_client import AsyncTwilioHttpClient
from twilio.rest import Client

from connectors.channel_settings import WhatsAppSettings
from connectors.delivery import OutsideMessagingWindow, PlatformRejected
from connectors.whatsapp import WhatsAppInput
from fakes.twilio import (
    DEMO_ACCOUNT_SID,
    DEMO_AUTH_TOKEN,
    DEMO_TEMPLATE_SID,
    DEMO_WHATSAPP_NUMBER,
    FakeTwilio,
)
from infra.procs import free_port

CUSTOMER = "whatsapp:+447700900123"
VARIABLES = {"1": "Jane", "2": "10001", "3": "Lumen & Loom"}


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
async def sdk(twilio: tuple[FakeTwilio, str]) -> AsyncIterator[Client]:
    http = AsyncTwilioHttpClient()
    client = Client(DEMO_ACCOUNT_SID, DEMO_AUTH_TOKEN, http_client=http)
    client.api.base_url = twilio[1]
    yield client
    await http.close()


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


async def _age(base_url: str, number: str, hours: float) -> None:
    async with (
        aiohttp.ClientSession() as session,
        session.post(f"{base_url}/_fake/age", json={"number": number, "hours": hours}) as resp,
    ):
        assert resp.status == 200


async def test_a_free_form_message_after_24_hours_is_refused_with_twilios_63016(
    twilio: tuple[FakeTwilio, str], sdk: Client
) -> None:
    fake, url = twilio
    await _age(url, CUSTOMER, 25)
    with pytest.raises(TwilioRestException) as refused:
        await sdk.messages.create_async(
            body="Are you there?", from_=DEMO_WHATSAPP_NUMBER, to=CUSTOMER
        )
    assert refused.value.status == 400
    assert refused.value.code == 63016
    assert "outside the allowed window" in refused.value.msg
    assert fake.sent.items == []


async def test_the_raw_refusal_is_twilios_error_json(twilio: tuple[FakeTwilio, str]) -> None:
    _, url = twilio
    await _age(url, CUSTOMER, 24.01)
    form = {"To": CUSTOMER, "From": DEMO_WHATSAPP_NUMBER, "Body": "Hello"}
    auth = aiohttp.BasicAuth(DEMO_ACCOUNT_SID, DEMO_AUTH_TOKEN)
    async with (
        aiohttp.ClientSession(auth=auth) as session,
        session.post(
            f"{url}/2010-04-01/Accounts/{DEMO_ACCOUNT_SID}/Messages.json", data=form
        ) as resp,
    ):
        assert resp.status == 400
        body = await resp.json()
    assert body["code"] == 63016
    assert body["status"] == 400
    assert body["more_info"] == "https://www.twilio.com/docs/errors/63016"
    assert body["message"].startswith("Failed to send freeform message because you are outside")


async def test_within_the_window_and_for_numbers_never_heard_from_free_form_goes(
    twilio: tuple[FakeTwilio, str], sdk: Client
) -> None:
    fake, url = twilio
    await _age(url, CUSTOMER, 23.9)
    await sdk.messages.create_async(body="Still here", from_=DEMO_WHATSAPP_NUMBER, to=CUSTOMER)
    await sdk.messages.create_async(
        body="Hello", from_=DEMO_WHATSAPP_NUMBER, to="whatsapp:+447700900777"
    )
    assert len(fake.sent.items) == 2


async def test_a_content_template_goes_outside_the_window_with_its_variables_filled(
    twilio: tuple[FakeTwilio, str], sdk: Client
) -> None:
    fake, url = twilio
    await _age(url, CUSTOMER, 72)
    created = await sdk.messages.create_async(
        content_sid=DEMO_TEMPLATE_SID,
        content_variables=json.dumps(VARIABLES),
        from_=DEMO_WHATSAPP_NUMBER,
        to=CUSTOMER,
    )
    assert created.sid.startswith("SM")
    [sent] = fake.sent.items
    assert sent["content_sid"] == DEMO_TEMPLATE_SID
    assert sent["content_variables"] == VARIABLES
    assert sent["body"].startswith("Hi Jane, this is Lumen & Loom about your order 10001.")


@pytest.mark.parametrize(
    ("content_sid", "variables", "code"),
    [
        ("HX" + "0" * 32, json.dumps(VARIABLES), 21655),  # well-formed, not approved
        ("HX123", json.dumps(VARIABLES), 21655),  # not a Content SID
        (DEMO_TEMPLATE_SID, "not json", 21656),
        (DEMO_TEMPLATE_SID, json.dumps({"1": "Jane"}), 21656),  # {{2}} and {{3}} missing
        (DEMO_TEMPLATE_SID, json.dumps({"1": 5, "2": "x", "3": "y"}), 21656),
    ],
)
async def test_a_bad_template_request_gets_twilios_documented_code(
    twilio: tuple[FakeTwilio, str], sdk: Client, content_sid: str, variables: str, code: int
) -> None:
    with pytest.raises(TwilioRestException) as refused:
        await sdk.messages.create_async(
            content_sid=content_sid,
            content_variables=variables,
            from_=DEMO_WHATSAPP_NUMBER,
            to=CUSTOMER,
        )
    assert refused.value.code == code
    assert twilio[0].sent.items == []


async def test_the_next_inbound_message_reopens_the_window(
    twilio: tuple[FakeTwilio, str], sdk: Client
) -> None:
    fake, url = twilio
    fake.deliver_url = url + "/_fake/health"  # nobody to deliver to: only the clock matters
    await _age(url, CUSTOMER, 30)
    await fake.send_inbound(CUSTOMER, "hi again")
    await sdk.messages.create_async(body="Welcome back", from_=DEMO_WHATSAPP_NUMBER, to=CUSTOMER)
    assert [m["body"] for m in fake.sent.items] == ["Welcome back"]


async def test_the_connector_reports_twilios_63016_as_outside_the_window(
    twilio: tuple[FakeTwilio, str], channel: WhatsAppInput
) -> None:
    """Our clock says the window is open, WhatsApp's says it is not: the agent is told so."""
    _, url = twilio
    conversation = channel.conversation_id(CUSTOMER)
    channel.note_inbound(conversation, CUSTOMER)
    await _age(url, CUSTOMER, 25)
    with pytest.raises(OutsideMessagingWindow) as refused:
        await channel.get_output_channel().send_text_message(conversation, "Hello")
    assert "63016" in refused.value.reason and "template" in refused.value.reason
    assert "+44" not in refused.value.reason


async def test_the_connector_sends_a_template_through_the_sdk(
    twilio: tuple[FakeTwilio, str], channel: WhatsAppInput
) -> None:
    fake, url = twilio
    conversation = channel.conversation_id(CUSTOMER)
    channel.note_inbound(conversation, CUSTOMER)
    await _age(url, CUSTOMER, 25)
    output = channel.get_output_channel()
    await output.send_template(conversation, DEMO_TEMPLATE_SID, VARIABLES)
    [sent] = fake.sent.items
    assert (sent["to"], sent["content_sid"], sent["content_variables"]) == (
        CUSTOMER,
        DEMO_TEMPLATE_SID,
        VARIABLES,
    )
    with pytest.raises(PlatformRejected) as refused:
        await output.send_template(conversation, "HX" + "f" * 32, VARIABLES)
    assert "21655" in refused.value.reason

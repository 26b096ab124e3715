"""Sending to Slack through slack-sdk, against the fake Slack Web API, as a relay would."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import replace

import pytest
from aiohttp import web

from connectors.channel_settings import SlackSettings
from connectors.delivery import PlatformRejected, RecipientUnknown
from connectors.slack import Address, SlackInput
from fakes.slack import DEMO_BOT_TOKEN, DEMO_SIGNING_SECRET, FakeSlack
from infra.procs import free_port


@pytest.fixture
async def slack() -> AsyncIterator[tuple[FakeSlack, str]]:
    fake = FakeSlack(echo_bot_messages=False)
    runner = web.AppRunner(fake.app())
    await runner.setup()
    port = free_port()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    yield fake, f"http://127.0.0.1:{port}/api/"
    await runner.cleanup()


@pytest.fixture
async def channel(slack: tuple[FakeSlack, str]) -> AsyncIterator[SlackInput]:
    settings = SlackSettings.from_env(
        {
            "SLACK_BOT_TOKEN": DEMO_BOT_TOKEN,
            "SLACK_SIGNING_SECRET": DEMO_SIGNING_SECRET,
            "SLACK_API_URL": slack[1],
        }
    )
    connector = SlackInput(settings)
    yield connector
    await connector.close()


async def test_a_relayed_message_goes_to_the_thread_the_customer_last_wrote_in(
    slack: tuple[FakeSlack, str], channel: SlackInput
) -> None:
    channel._addresses.put("slack-T0BATON-U01JANE", Address("C0SUPPORT", "1700000000.000100"))
    output = channel.get_output_channel()
    await output.send_agent_message("slack-T0BATON-U01JANE", "Refund sent & confirmed.", "Sam")  # type: ignore[attr-defined]
    [call] = slack[0].calls.items
    args = call["args"]
    assert (args["channel"], args["thread_ts"]) == ("C0SUPPORT", "1700000000.000100")
    assert [b["type"] for b in args["blocks"]] == ["context", "section"]
    assert "*Sam*" in args["blocks"][0]["elements"][0]["text"]
    assert args["blocks"][1]["text"]["text"] == "Refund sent &amp; confirmed."
    assert args["text"] == "Refund sent &amp; confirmed."  # the notification's text


async def test_buttons_sent_by_a_relay_are_block_kit(
    slack: tuple[FakeSlack, str], channel: SlackInput
) -> None:
    channel._addresses.put("slack-T0BATON-U01JANE", Address("D01JANE", None))
    buttons = [{"title": f"{i} ★", "payload": f'/csat{{"rating":{i}}}'} for i in range(1, 6)]
    await channel.get_output_channel().send_text_with_buttons(
        "slack-T0BATON-U01JANE", "How did we do?", buttons
    )
    [call] = slack[0].calls.items
    assert call["result"]["ok"], call["result"]
    [actions] = [b for b in call["args"]["blocks"] if b["type"] == "actions"]
    assert [e["value"] for e in actions["elements"]] == [b["payload"] for b in buttons]


async def test_a_conversation_never_seen_on_slack_has_nobody_to_send_to(
    channel: SlackInput,
) -> None:
    with pytest.raises(RecipientUnknown):
        await channel.get_output_channel().send_text_message("slack-T0BATON-UNOBODY", "Hi")


async def test_slacks_refusal_comes_back_with_its_error_code(
    slack: tuple[FakeSlack, str], channel: SlackInput
) -> None:
    channel.settings = replace(channel.settings, bot_token="xoxb-revoked")
    channel._addresses.put("slack-T0BATON-U01JANE", Address("D01JANE", None))
    with pytest.raises(PlatformRejected) as failure:
        await channel.get_output_channel().send_text_message("slack-T0BATON-U01JANE", "Hi")
    assert "invalid_auth" in failure.value.reason

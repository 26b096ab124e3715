"""Item 12: order details in a public Slack thread.

A customer mentioning the bot in a shared channel got their order's details — carrier,
tracking, address — in a thread everyone in the channel reads. Now the answer goes to the
customer's DM and the thread only says so.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import aiohttp
import pytest

from fakes import slack as fake
from fakes.clients import SlackCustomer
from tests.support.servers import Baton

pytestmark = pytest.mark.e2e

LIAM = "U02LIAM"


@pytest.fixture
async def liam(baton: Baton) -> AsyncIterator[SlackCustomer]:
    async with aiohttp.ClientSession() as session:
        yield SlackCustomer(session, baton.rasa_url, baton.slack_url, LIAM)


async def test_asking_about_an_order_in_a_public_channel_shows_nothing_there(
    liam: SlackCustomer,
) -> None:
    in_dm = len(await liam.posts_in(liam.dm))
    in_channel = len(await liam.posts_in(fake.SUPPORT_CHANNEL))
    public = await liam.say(
        "where is my order 10003? my email is liam.murphy@example.ie", "channel"
    )
    assert "direct message" in public.text
    private = await liam.replies_after(liam.dm, in_dm)
    assert "10003" in private.text and "running late" in private.text
    channel_posts = (await liam.posts_in(fake.SUPPORT_CHANNEL))[in_channel:]
    shown = " ".join(str(c["args"]) for c in channel_posts)
    assert "10003" not in shown and "An Post" not in shown and "D02" not in shown

"""The server owns the conversation: nobody can read or write someone else's chat."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

import pytest

from tests.support.webchat_client import WebChatCustomer

pytestmark = pytest.mark.e2e
Opener = Callable[..., Awaitable[WebChatCustomer]]


async def test_a_reload_resumes_the_conversation_with_its_history(new_customer: Opener) -> None:
    first = await new_customer()
    await first.say("where is order 10001")
    await first.say("jane.doe@example.com")
    await first.close()
    again = await new_customer(resume=first.session_id)
    # the same conversation, under a freshly issued id (session ids expire; each resume renews)
    assert again.session_id.split(".")[0] == first.session_id.split(".")[0]  # type: ignore[union-attr]
    history = await again.wait_for_history()
    texts = [m["text"] for m in history]
    assert "where is order 10001" in texts
    assert any("on its way with DPD" in t for t in texts)
    # and the conversation continues where it was: 10001 is already proven
    turn = await again.say("where is 10001 now?")
    assert "on its way with DPD" in turn.text


async def test_an_invented_session_id_starts_a_new_empty_conversation(new_customer: Opener) -> None:
    victim = await new_customer()
    await victim.say("where is order 10001")
    await victim.say("jane.doe@example.com")
    conversation_id = victim.session_id.split(".")[0]  # type: ignore[union-attr]
    for invented in [conversation_id, f"{conversation_id}.{'0' * 32}", "1", "../../etc"]:
        intruder = await new_customer(resume=invented)
        assert intruder.session_id != victim.session_id
        assert intruder.history is None
        turn = await intruder.say("where is 10001 now?")
        assert "on its way" not in turn.text


async def test_a_message_naming_another_session_stays_in_the_senders_own_conversation(
    new_customer: Opener,
) -> None:
    victim = await new_customer()
    await victim.say("hello")
    intruder = await new_customer()
    turn = await intruder.say("where is order 10002", session_id=victim.session_id)
    assert "e-mail address or the delivery postcode" in turn.text  # answered to the intruder only
    assert await victim.listen(timeout=1.0) == []  # nothing reached the victim


async def test_conversations_run_independently_at_the_same_time(new_customer: Opener) -> None:
    customers = [await new_customer() for _ in range(6)]
    turns = await asyncio.gather(*(c.say("where is order 10005") for c in customers))
    assert all("e-mail address or the delivery postcode" in t.text for t in turns)
    answers = await asyncio.gather(*(c.say("M1 1AE") for c in customers))
    assert all("is paid and waiting to be packed" in a.text for a in answers)

"""Item 2: a customer types ``/intent{"slot": ...}``.

Rasa takes a ``/`` message as an intent at confidence 1.0 with any entities, so a customer
could set their language, crash the rating action with ``1e999``, store a lone surrogate, or
``/restart`` their way out of a handoff. Now a ``/`` message counts only when it is a button
the bot just offered; everything else is text, and every entity must fit its slot.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import BotUttered, UserUttered

from actions.csat import parse_rating
from bot.inbound_guard import as_plain_text, clean_entities, offered_payloads
from bot.settings import ROOT
from tests.support.handoff_agent import AgentClient
from tests.support.servers import Baton
from tests.support.webchat_client import WebChatCustomer

Opener = Callable[..., Awaitable[WebChatCustomer]]
HANGUL = re.compile("[\uac00-\ud7a3]")
JANE = 1


@pytest.fixture(scope="module")
def domain() -> Domain:
    return Domain.load(str(ROOT / "domain.yml"))


def entity(name: str, value: Any) -> dict[str, Any]:
    return {"entity": name, "value": value, "start": 0, "end": 1}


# --- the rules, without a server ------------------------------------------------------------


def test_only_the_bots_last_turn_offers_payloads() -> None:
    events = [
        BotUttered("old", {"buttons": [{"title": "x", "payload": "/restart"}]}),
        UserUttered("hi"),
        BotUttered("rate us", {"quick_replies": [{"title": "5", "payload": '/rate{"rating":5}'}]}),
        BotUttered("or", {"buttons": [{"title": "person", "payload": "/human_handoff"}]}),
    ]
    assert offered_payloads(events) == {'/rate{"rating":5}', "/human_handoff"}


def test_a_typed_payload_is_read_as_words() -> None:
    assert as_plain_text('  //greet{"language":"ko"}') == 'greet{"language":"ko"}'


@pytest.mark.parametrize(
    "bad",
    [
        entity("rating", 1e999),
        entity("rating", float("nan")),
        entity("rating", "1e999"),
        entity("rating", 6),
        entity("rating", 0),
        entity("language", "\ud800"),
        entity("language", "fr"),
        entity("language", ["ko"]),
        entity("order_number", "1" * 10_000),
        entity("order_number", "100\x0001"),
        entity("email", {"$ne": None}),
        entity("postal_code", True),
        {"entity": None, "value": "x"},
        "not an entity",
    ],
)
def test_an_entity_no_slot_can_hold_is_dropped(domain: Domain, bad: Any) -> None:
    assert clean_entities([bad, entity("order_number", "10001")], domain) == [
        entity("order_number", "10001")
    ]


def test_entities_a_slot_can_hold_are_kept(domain: Domain) -> None:
    good = [
        entity("rating", 4),
        entity("rating", "5"),
        entity("language", "ko"),
        entity("email", "jane.doe@example.com"),
        entity("postal_code", "SW1A 1AA"),
        entity("return_choice", "items:3x1"),
    ]
    assert clean_entities(good, domain) == good


def test_an_infinite_rating_does_not_crash_the_rating_action() -> None:
    assert parse_rating("/rate", [entity("rating", 1e999)]) is None
    assert parse_rating("/rate", [entity("rating", "1e999")]) is None


# --- on the real server -------------------------------------------------------------------


def language_slots(baton: Baton, conversation: str) -> list[Any]:
    """Every value the ``language`` slot was set to in this conversation (tracker store)."""
    import json
    import sqlite3

    path = baton.tracker_url.removeprefix("sqlite:///")
    with sqlite3.connect(path) as db:
        rows = db.execute(
            "SELECT data FROM events WHERE sender_id = ? AND type_name = 'slot'", (conversation,)
        ).fetchall()
    slots = [json.loads(data) for (data,) in rows]
    return [slot["value"] for slot in slots if slot.get("name") == "language"]


@pytest.mark.e2e
async def test_typing_a_greet_payload_does_not_switch_the_language(
    baton: Baton, new_customer: Opener
) -> None:
    visitor = await new_customer()
    greeted = await visitor.say('/greet{"language":"ko"}')
    assert greeted.text and not HANGUL.search(greeted.text), greeted.text
    assert "ko" not in language_slots(baton, conversation_of(visitor))


@pytest.mark.e2e
async def test_a_typed_payload_with_a_lone_surrogate_stores_nothing_broken(
    baton: Baton, new_customer: Opener
) -> None:
    visitor = await new_customer()
    await visitor.say('/inform{"language":"\\ud800"}')
    answer = await visitor.say("where is my order 10001?")
    assert answer.text and not HANGUL.search(answer.text)
    values = language_slots(baton, conversation_of(visitor))
    assert all(isinstance(v, str) and v in ("en", "ko", "zh") for v in values if v), values


def conversation_of(customer: WebChatCustomer) -> str:
    assert customer.session_id
    return customer.session_id.split(".")[0]


async def forwarded_to_agent(agent: AgentClient, ticket_id: int, last: str) -> list[str]:
    """The customer's messages the agent has, once ``last`` has arrived (the outbox is async)."""
    for _ in range(100):
        messages = await agent.customer_messages(ticket_id)
        if last in messages:
            return messages
        await asyncio.sleep(0.1)
    raise AssertionError(f"{last!r} never reached the agent: {messages}")


@pytest.mark.e2e
async def test_typing_restart_while_with_an_agent_keeps_the_handoff(
    new_customer: Opener, agent: AgentClient
) -> None:
    visitor = await new_customer()
    asked = await visitor.say("I want to talk to a person")
    assert "passing you to a colleague" in asked.text
    ticket = await agent.ticket_for(conversation_of(visitor))
    quiet = await visitor.say("/restart")
    assert quiet.messages == []  # still with the agent: the bot says nothing
    still = await visitor.say("hello? is anyone there")
    assert still.messages == []
    forwarded = await forwarded_to_agent(agent, ticket["id"], "hello? is anyone there")
    assert forwarded == ["/restart", "hello? is anyone there"]
    assert (await agent.ticket(ticket["id"]))["status"] != "closed"


@pytest.mark.e2e
async def test_a_button_the_bot_offered_still_works(new_customer: Opener) -> None:
    jane = await new_customer(customer_id=JANE)
    choose = await jane.say("where is my order?")
    payloads = [b["payload"] for b in choose.buttons]
    chosen = next(p for p in payloads if "10001" in p)
    answer = await jane.say(chosen)
    assert "on its way with DPD" in answer.text


@pytest.mark.e2e
async def test_a_message_stored_without_an_intent_leaves_the_support_figures_readable(
    baton: Baton, new_customer: Opener
) -> None:
    """A WhatsApp photo without words is stored without a dialogue turn, so without an intent
    (the fuzz suite found it); so was a "/" alone. Such a message made every later read of the
    analytics fail (a None topic could not be sorted): /api/metrics answered 503."""
    from rasa.shared.core.events import UserUttered
    from rasa.shared.core.trackers import DialogueStateTracker

    from bot.tracker_store import BatonSQLTrackerStore

    store = BatonSQLTrackerStore(url=baton.tracker_url)
    await store.save(
        DialogueStateTracker.from_events(
            "wa-photo-without-words", [UserUttered("[photo]", input_channel="whatsapp")]
        )
    )
    store.engine.dispose()
    visitor = await new_customer()
    for typed in ("/", "//", "/ ", "\u200b"):
        await visitor.say(typed)
    agent = await AgentClient(baton.handoff_url, "demo", "test-agent-password").login()
    try:
        status, body = await agent.request("GET", "/api/metrics")
        assert status == 200, body
    finally:
        await agent.logout()

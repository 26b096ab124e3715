"""Conversations on PostgreSQL, shared by two Rasa replicas (bot/tracker_store.py).

Each ``BatonSQLTrackerStore`` below stands for one replica: its own connection pool and its
own in-memory cache, the same database. Rasa's lock store serialises the turns of one
conversation across replicas; these tests do the same by taking turns in sequence per
conversation, and check what a customer would notice if it went wrong — a lost, doubled or
reordered message, or a replica answering from a stale copy.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator

import pytest
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, BotUttered, SessionStarted, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from bot.tracker_store import BatonSQLTrackerStore
from infra.postgres import Postgres
from tests.support.services import fresh_database, throwaway_postgres

DOMAIN = Domain.empty()


def replicas(url: str, count: int = 2) -> list[BatonSQLTrackerStore]:
    return [BatonSQLTrackerStore(domain=DOMAIN, url=url) for _ in range(count)]


def texts(tracker: DialogueStateTracker | None) -> list[str]:
    assert tracker is not None
    return [e.text for e in tracker.events if isinstance(e, (UserUttered, BotUttered))]


async def take_turn(store: BatonSQLTrackerStore, sender: str, n: int) -> None:
    """One turn as Rasa runs it: read the conversation, add the message and reply, save."""
    tracker = await store.retrieve(sender)
    if tracker is None:
        tracker = DialogueStateTracker.from_events(
            sender, [ActionExecuted("action_session_start"), SessionStarted()]
        )
    tracker.update(UserUttered(f"message {n} from {sender}", {"name": "inform"}))
    tracker.update(ActionExecuted("utter_ack"))
    tracker.update(BotUttered(f"reply {n} to {sender}"))
    tracker.update(ActionExecuted("action_listen"))
    await store.save(tracker)


def expected(sender: str, turns: int) -> list[str]:
    out = []
    for n in range(turns):
        out += [f"message {n} from {sender}", f"reply {n} to {sender}"]
    return out


@pytest.fixture
def tracker_url(new_database: Callable[[str], str]) -> Iterator[str]:
    yield new_database("tracker")


async def test_a_conversation_saved_by_one_replica_is_read_whole_by_the_other(
    tracker_url: str,
) -> None:
    one, two = replicas(tracker_url)
    await take_turn(one, "web-1", 0)
    seen = await two.retrieve("web-1")
    assert texts(seen) == expected("web-1", 1)
    assert await two.retrieve("nobody") is None


async def test_a_replica_never_answers_from_a_stale_copy(tracker_url: str) -> None:
    one, two = replicas(tracker_url)
    await take_turn(one, "web-2", 0)
    await one.retrieve("web-2")  # now cached on replica one
    await take_turn(two, "web-2", 1)  # the next message lands on replica two
    assert texts(await one.retrieve("web-2")) == expected("web-2", 2)
    await take_turn(one, "web-2", 2)
    assert texts(await two.retrieve("web-2")) == expected("web-2", 3)


async def test_many_conversations_across_two_replicas_keep_every_turn_once_and_in_order(
    tracker_url: str,
) -> None:
    stores = replicas(tracker_url)
    senders = [f"load-{i}" for i in range(24)]
    turns = 6

    async def conversation(index: int, sender: str) -> None:
        for n in range(turns):  # alternate replicas, as a load balancer may
            await take_turn(stores[(index + n) % 2], sender, n)

    await asyncio.gather(*(conversation(i, s) for i, s in enumerate(senders)))

    fresh = BatonSQLTrackerStore(domain=DOMAIN, url=tracker_url, cache=False)
    for sender in senders:
        assert texts(await fresh.retrieve_full_tracker(sender)) == expected(sender, turns)


async def test_customers_words_in_any_script_survive_the_round_trip(tracker_url: str) -> None:
    one, two = replicas(tracker_url)
    tracker = DialogueStateTracker.from_events("intl", [SessionStarted()])
    words = ["주문이 어디에 있나요?", "我的订单在哪里？", "Où est ma commande — « 10001 » ?", "🙂"]
    for text in words:
        tracker.update(UserUttered(text, {"name": "order_status"}))
    await one.save(tracker)
    assert texts(await two.retrieve("intl")) == words


async def test_conversations_continue_after_postgresql_restarts() -> None:
    """The fault run's promise for the tracker store: a restart costs no conversation and
    needs no restart of the Rasa server (pooled connections are checked before use)."""
    with throwaway_postgres() as server:
        url = fresh_database(server, "tracker_restart")
        one, two = replicas(url)
        await take_turn(one, "web-r", 0)
        await asyncio.to_thread(server.restart)
        await take_turn(two, "web-r", 1)
        await take_turn(one, "web-r", 2)
        assert texts(await two.retrieve("web-r")) == expected("web-r", 3)


def test_the_tracker_url_names_a_real_postgresql_database(postgres: Postgres) -> None:
    store = BatonSQLTrackerStore(domain=DOMAIN, url=fresh_database(postgres, "t_dialect"))
    assert store.engine.dialect.name == "postgresql"

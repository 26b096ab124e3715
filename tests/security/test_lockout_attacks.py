"""Item 7: the order lockout could be aimed at anyone, and was not atomic.

Five wrong answers for an order — from anyone — locked it for an hour, so a stranger could
lock a customer out of their own order; a new conversation started the count afresh; and the
check and the record were two steps, so parallel conversations got more than five guesses.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from actions.services.verification import (
    CLIENT_SPREAD,
    ORDER_SPREAD,
    Outcome,
    verify_ownership,
)
from actions.store.db import create_engine_for, dispose_all
from actions.store.seed import seed_store
from actions.store.uow import unit_of_work
from connectors.webchat import peer_address

NOW = datetime(2026, 11, 22, 12, 0)
JANE_EMAIL = "jane.doe@example.com"


@pytest.fixture
async def store(tmp_path: Path) -> AsyncIterator[str]:
    url = f"sqlite:///{tmp_path / 'store.db'}"
    engine = create_engine_for(url)
    await seed_store(engine)
    await engine.dispose()
    yield url
    await dispose_all()


async def guess(
    url: str, proof: str, conversation: str, client: str | None, at: datetime = NOW
) -> Outcome:
    async with unit_of_work(url) as repo:
        order = await repo.get_order("10001")
        assert order is not None
        result = await verify_ownership(
            repo, order, proof, conversation, at, 5, timedelta(hours=1), client_key=client
        )
    return result.outcome


async def failures_recorded(url: str) -> int:
    async with unit_of_work(url) as repo:
        return await repo.failures_since(NOW - timedelta(hours=1), order_number="10001")


async def test_a_stranger_typing_wrong_answers_cannot_lock_the_owner_out(store: str) -> None:
    for n in range(5 * CLIENT_SPREAD + 5):  # a new conversation every five guesses
        await guess(store, f"x{n}@evil.test", f"stranger-{n // 5}", "evil")
    assert await guess(store, JANE_EMAIL, "stranger-new", "evil") is Outcome.LOCKED  # stopped...
    owner = await guess(store, JANE_EMAIL, "jane-at-home", "jane-browser")
    assert owner is Outcome.VERIFIED  # ...and Jane is not


async def test_a_new_conversation_from_the_same_browser_gets_no_new_guesses(store: str) -> None:
    for n in range(5 * CLIENT_SPREAD):
        await guess(store, "wrong@evil.test", f"conversation-{n}", "evil")
    assert await guess(store, JANE_EMAIL, "conversation-new", "evil") is Outcome.LOCKED


async def test_one_conversation_gets_five_guesses(store: str) -> None:
    outcomes = [await guess(store, f"x{n}@evil.test", "one", None) for n in range(6)]
    assert outcomes == [Outcome.MISMATCH] * 4 + [Outcome.LOCKED] * 2


async def test_parallel_conversations_from_one_client_get_no_extra_guesses(store: str) -> None:
    limit = 5 * CLIENT_SPREAD
    outcomes = await asyncio.gather(
        *(guess(store, f"x{n}@evil.test", f"parallel-{n}", "evil") for n in range(limit + 10))
    )
    assert await failures_recorded(store) == limit
    assert outcomes.count(Outcome.MISMATCH) == limit - 1


async def test_guessing_spread_over_many_clients_still_closes_the_order(store: str) -> None:
    limit = 5 * ORDER_SPREAD
    outcomes = await asyncio.gather(
        *(guess(store, f"x{n}@evil.test", f"bot-{n}", f"ip-{n}") for n in range(limit + 10))
    )
    assert await failures_recorded(store) == limit
    assert outcomes.count(Outcome.LOCKED) == 11
    assert await guess(store, JANE_EMAIL, "late", "someone") is Outcome.LOCKED


def test_the_web_chat_knows_the_client_behind_its_own_proxy_only() -> None:
    class Request:
        def __init__(self, ip: str) -> None:
            self.ip = ip

    direct = {"sanic.request": Request("203.0.113.9"), "HTTP_X_REAL_IP": "198.51.100.1"}
    assert peer_address(direct) == "203.0.113.9"  # a client cannot choose its address
    proxied = {"sanic.request": Request("127.0.0.1"), "HTTP_X_REAL_IP": "198.51.100.1"}
    assert peer_address(proxied) == "198.51.100.1"  # nginx's X-Real-IP
    assert peer_address({"sanic.request": Request("127.0.0.1")}) == ""  # this machine: unknown

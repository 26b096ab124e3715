"""Claims for delivery problems (actions/store/claims.py) on a real SQLite store: recorded and
listed per order, and made once however the same claim arrives — twice in a row, at the same
moment on one server, from threads with their own engines (two replicas), after a restart."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Optional

import pytest
from sqlalchemy.ext.asyncio import AsyncConnection

from actions.services.problems import idempotency_key
from actions.store import claims
from actions.store.claims import Claim, NewClaim, claim_number
from actions.store.db import create_engine_for, create_schema, dispose_all, get_engine
from actions.store.repository import StoreRepository
from actions.store.seed import seed_store
from actions.store.uow import unit_of_work
from infra.sql import begin
from tests.support.store_env import store_at

pytestmark = pytest.mark.filterwarnings("ignore:Dialect sqlite\\+aiosqlite does \\*not\\*")

NOW = datetime(2026, 11, 22, 10, 0)
PHOTO = "uploads/web-conv-1/0123456789abcdef0123456789abcdef.jpg"
MUGS = NewClaim(
    idempotency_key=idempotency_key("10001", "damaged", 3),
    order_number="10001",
    kind="damaged",
    reason="keep_item",
    remedy="replacement",
    amount=Decimal("14.72"),
    currency="GBP",
    created_at=NOW,
    order_item_id=3,
    quantity=2,
    photo_upload_id=PHOTO,
    conversation_id="web-conv-1",
)


@pytest.fixture
async def store(tmp_path: Path) -> AsyncIterator[str]:
    url = f"sqlite:///{tmp_path / 'store.db'}"
    async with store_at(url):
        await create_schema(get_engine(url))
        yield url


async def create(new: NewClaim) -> tuple[int, bool]:
    async with unit_of_work() as repo:
        claim, made = await repo.create_claim(new)
    return claim.id, made


async def count(number: str) -> int:
    async with unit_of_work() as repo:
        return len(await repo.claims_for_order(number))


async def test_a_claim_is_recorded_as_decided_and_listed_with_its_order(store: str) -> None:
    async with unit_of_work() as repo:
        claim, made = await repo.create_claim(MUGS)
    assert made
    assert (claim.number, claim_number(2)) == ("CLM-30001", "CLM-30002")
    assert (claim.order_number, claim.kind, claim.reason) == ("10001", "damaged", "keep_item")
    assert (claim.order_item_id, claim.quantity) == (3, 2)
    assert (claim.remedy, claim.amount, claim.currency) == ("replacement", Decimal("14.72"), "GBP")
    assert (claim.state, claim.photo_upload_id) == ("open", PHOTO)
    assert (claim.conversation_id, claim.created_by) == ("web-conv-1", "customer via chat")
    assert claim.created_at == NOW

    parcel = NewClaim(
        idempotency_key=idempotency_key("10001", "not_received"),
        order_number="10001",
        kind="not_received",
        reason="not_received",
        remedy="refund",
        amount=Decimal("119.95"),
        currency="GBP",
        created_at=datetime(2026, 11, 23, 9, 0),
    )
    elsewhere = replace(MUGS, idempotency_key=idempotency_key("10002", "damaged", 7),
                        order_number="10002", order_item_id=7)  # fmt: skip
    await create(parcel)
    await create(elsewhere)
    async with unit_of_work() as repo:
        listed = await repo.claims_for_order("10001")
        assert [c.kind for c in listed] == ["damaged", "not_received"]  # oldest first
        assert listed[1].order_item_id is None and listed[1].photo_upload_id is None
        assert [c.order_number for c in await repo.claims_for_order("10002")] == ["10002"]
        assert await repo.claims_for_order("10003") == []


async def test_the_same_claim_twice_in_a_row_is_made_once(store: str) -> None:
    first = await create(MUGS)
    again = await create(
        replace(MUGS, conversation_id="web-conv-2", created_at=NOW.replace(hour=11))
    )
    assert first == (again[0], True) and again[1] is False
    assert await count("10001") == 1
    async with unit_of_work() as repo:
        [kept] = await repo.claims_for_order("10001")
    assert (kept.conversation_id, kept.created_at) == ("web-conv-1", NOW)  # the first stays


async def test_the_same_claim_at_the_same_moment_is_made_once(store: str) -> None:
    results = await asyncio.gather(*(create(MUGS) for _ in range(5)))

    assert len({claim_id for claim_id, _ in results}) == 1
    assert sorted(made for _, made in results) == [False, False, False, False, True]
    assert await count("10001") == 1


async def test_a_claim_made_between_the_check_and_the_insert_is_found_after_all(
    store: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The window the unique key closes: another replica inserts after this one looked."""
    first = await create(MUGS)
    looked = claims.by_key
    calls: list[str] = []

    async def missed_once(conn: AsyncConnection, key: str) -> Optional[Claim]:
        calls.append(key)
        return None if len(calls) == 1 else await looked(conn, key)

    monkeypatch.setattr(claims, "by_key", missed_once)
    again = await create(MUGS)

    assert again == (first[0], False) and len(calls) == 2
    assert await count("10001") == 1


async def test_the_same_claim_from_threads_with_their_own_engines_is_made_once(
    tmp_path: Path,
) -> None:
    """Replicas of the action server: each thread has its own event loop, engine and
    connections, and they all insert at the same moment."""
    url = f"sqlite:///{tmp_path / 'store.db'}"
    await _schema(url)

    results = await asyncio.to_thread(_race, url, MUGS, 4)

    assert len({claim_id for claim_id, _ in results}) == 1
    assert sorted(made for _, made in results) == [False, False, False, True]
    assert await _count_alone(url, "10001") == 1


def _race(url: str, new: NewClaim, replicas: int) -> list[tuple[int, bool]]:
    start = threading.Barrier(replicas)
    results: list[tuple[int, bool]] = []
    failures: list[BaseException] = []

    def replica() -> None:
        try:
            start.wait(timeout=10)
            results.append(asyncio.run(_create_alone(url, new)))
        except BaseException as problem:  # raised below, in the caller's thread
            failures.append(problem)

    threads = [threading.Thread(target=replica) for _ in range(replicas)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    if failures:
        raise failures[0]
    return results


async def test_the_same_claim_after_a_restart_finds_the_first(store: str) -> None:
    first = await create(MUGS)
    await dispose_all()  # every pooled connection closed: a new process opens the file again

    again = await create(MUGS)

    assert again == (first[0], False)
    assert await count("10001") == 1


async def test_a_state_claims_do_not_have_is_refused(store: str) -> None:
    with pytest.raises(ValueError, match="claim state"):
        await create(replace(MUGS, state="pending"))
    assert await count("10001") == 0


async def test_a_return_first_is_awaiting_it_and_long_values_are_cut_to_their_columns(
    store: str,
) -> None:
    long = replace(MUGS, state="awaiting_return", conversation_id="c" * 300, created_by="x" * 99)
    await create(long)
    async with unit_of_work() as repo:
        [claim] = await repo.claims_for_order("10001")
    assert claim.state == "awaiting_return"
    assert (len(claim.conversation_id or ""), len(claim.created_by)) == (120, 40)


async def _schema(url: str) -> None:
    engine = create_engine_for(url)
    try:
        await create_schema(engine)
    finally:
        await engine.dispose()


async def _create_alone(url: str, new: NewClaim) -> tuple[int, bool]:
    engine = create_engine_for(url)
    try:
        async with begin(engine) as conn:
            claim, made = await StoreRepository(conn).create_claim(new)
        return claim.id, made
    finally:
        await engine.dispose()


async def _count_alone(url: str, number: str) -> int:
    engine = create_engine_for(url)
    try:
        async with begin(engine) as conn:
            return len(await StoreRepository(conn).claims_for_order(number))
    finally:
        await engine.dispose()


async def test_the_items_a_claim_covers_are_counted_for_returns(store: str) -> None:
    await create(MUGS)  # 2 mugs (item 3), damaged and kept
    async with unit_of_work() as repo:
        assert await repo.claimed_quantities("10001") == {3: (2, "CLM-30001")}
        assert await repo.claimed_quantities("10002") == {}


@pytest.fixture
async def seeded(tmp_path: Path) -> AsyncIterator[str]:
    url = f"sqlite:///{tmp_path / 'seeded.db'}"
    async with store_at(url):
        await seed_store(get_engine(url), anchor=NOW.date())
        yield url


async def test_a_parcel_claimed_as_never_received_covers_what_it_held_not_the_parcel_on_its_way(
    seeded: str,
) -> None:
    # Order 10010: items 10 and 11 delivered the day before, item 12 still on its way.
    parcel = replace(MUGS, idempotency_key=idempotency_key("10010", "not_received"),
                     order_number="10010", kind="not_received", order_item_id=None,
                     quantity=None)  # fmt: skip
    await create(parcel)
    async with unit_of_work() as repo:
        number = (await repo.claims_for_order("10010"))[0].number
        assert await repo.claimed_quantities("10010") == {10: (1, number), 11: (1, number)}


async def test_a_parcel_claim_made_before_a_delivery_does_not_cover_it(seeded: str) -> None:
    early = replace(MUGS, idempotency_key=idempotency_key("10002", "not_received"),
                    order_number="10002", kind="not_received", order_item_id=None,
                    quantity=None, created_at=datetime(2026, 11, 19, 9, 0))  # fmt: skip
    await create(early)
    async with unit_of_work() as repo:
        assert await repo.claimed_quantities("10002") == {}

"""Baton's record of claims' refunds (actions/store/claim_refunds.py) on a real SQLite store: a
payment is started by one payer at a time, taken over once its lease has run out, given up
without a trace, and once paid settles its claim and shows on the order's list."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest

from actions.store import claim_lease, claim_refunds, claims
from actions.store.claims import NewClaim, claim_id
from actions.store.db import create_schema, get_engine
from actions.store.models import ClaimRefundPaid
from actions.store.uow import unit_of_work
from tests.support.store_env import store_at

pytestmark = pytest.mark.filterwarnings("ignore:Dialect sqlite\\+aiosqlite does \\*not\\*")

NOW = datetime(2026, 11, 22, 10, 0)
VASE = NewClaim(
    "claim-vase", "10011", "damaged", "keep_item", "refund", Decimal("22.00"), "GBP", NOW, 14, 1
)


@pytest.fixture
async def store(tmp_path: Path) -> AsyncIterator[str]:
    url = f"sqlite:///{tmp_path / 'store.db'}"
    async with store_at(url):
        await create_schema(get_engine(url))
        yield url


async def start(claim: str, at: datetime) -> str:
    async with unit_of_work() as repo:
        return await claim_refunds.start(repo.conn, claim, "10011", Decimal("22.00"), "GBP", at)


def test_a_claim_number_stands_for_its_id() -> None:
    assert [claim_id(n) for n in ("CLM-30001", " CLM-30042 ", "CLM-30000", "RMA-20001")] == [
        1, 42, None, None
    ]  # fmt: skip


async def test_one_payer_at_a_time_and_a_stale_one_is_taken_over(store: str) -> None:
    assert await start("CLM-30001", NOW) == "mine"
    assert await start("CLM-30001", NOW + timedelta(seconds=5)) == "busy"
    later = NOW + claim_lease.LEASE + timedelta(seconds=1)  # the first payer died
    assert await start("CLM-30001", later) == "mine"
    assert await start("CLM-30001", later) == "busy"


async def test_a_payment_given_up_leaves_nothing_and_can_start_again(store: str) -> None:
    assert await start("CLM-30001", NOW) == "mine"
    async with unit_of_work() as repo:
        await claim_refunds.abandon(repo.conn, "CLM-30001")
        assert await claim_refunds.for_order(repo.conn, "10011") == ()
    assert await start("CLM-30001", NOW) == "mine"


async def test_paid_it_settles_the_claim_shows_on_the_order_and_is_not_started_again(
    store: str,
) -> None:
    async with unit_of_work() as repo:
        claim, _ = await repo.create_claim(VASE)
    assert await start(claim.number, NOW) == "mine"
    paid = ClaimRefundPaid(claim.number, Decimal("22.00"), "GBP", "Visa ending 4242", NOW, "r-1")
    async with unit_of_work() as repo:
        await claim_refunds.record_paid(repo.conn, "10011", paid)
        await claim_refunds.abandon(repo.conn, claim.number)  # a paid refund is never given up
    async with unit_of_work() as repo:
        assert await claim_refunds.paid(repo.conn, claim.number) == paid
        assert await claim_refunds.for_order(repo.conn, "10011") == (paid,)
        settled = await claims.by_number(repo.conn, claim.number)
    assert settled is not None and settled.state == "settled"
    assert await start(claim.number, NOW + timedelta(hours=1)) == "paid"


async def test_a_refund_read_from_the_platform_is_recorded_once_however_often_it_is_read(
    store: str,
) -> None:
    paid = ClaimRefundPaid("CLM-30009", Decimal("5.00"), "GBP", "PayPal", NOW, "gid://x/1")
    for _ in range(3):
        async with unit_of_work() as repo:
            await claim_refunds.record_paid(repo.conn, "10011", paid)
    async with unit_of_work() as repo:
        assert await claim_refunds.for_order(repo.conn, "10011") == (paid,)


async def test_a_refund_naming_another_orders_claim_leaves_that_claims_record(store: str) -> None:
    paid = ClaimRefundPaid("CLM-30009", Decimal("5.00"), "GBP", "PayPal", NOW, "gid://x/1")
    async with unit_of_work() as repo:
        await claim_refunds.record_paid(repo.conn, "10011", paid)
        await claim_refunds.record_paid(repo.conn, "10046", paid)  # a note with a typo
    async with unit_of_work() as repo:
        assert await claim_refunds.for_order(repo.conn, "10011") == (paid,)
        assert await claim_refunds.for_order(repo.conn, "10046") == ()

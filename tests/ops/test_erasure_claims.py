"""Erasing a customer keeps the claims on their orders as the shop's records — what it owes or
paid — but takes away the conversation that made them and the reference to their photo, and
erases that conversation too; another customer's claims stay as they were."""

from __future__ import annotations

import sqlite3
from datetime import datetime
from decimal import Decimal
from pathlib import Path

import pytest

from actions.services.problems import idempotency_key
from actions.store.claims import NewClaim
from actions.store.db import create_engine_for
from actions.store.repository import StoreRepository
from infra.erasure import Subject, erase
from tests.ops.world import JANE_ANON, JANE_ID, JANE_WEB, PRIYA_ID, PRIYA_WEB, World, build_world

pytestmark = pytest.mark.filterwarnings("ignore:Dialect sqlite\\+aiosqlite does \\*not\\*")

#: A conversation only the claim knows of (the transcript was never tagged with her id).
JANE_CLAIMED_IN = "web-claim-session"


@pytest.fixture
async def world(tmp_path: Path) -> World:
    return await build_world(tmp_path)


def rows(url: str, sql: str, *args: object) -> list[tuple[object, ...]]:
    with sqlite3.connect(url.removeprefix("sqlite:///")) as conn:
        return conn.execute(sql, args).fetchall()


def first_order(world: World, customer_id: int) -> str:
    sql = "SELECT number FROM orders WHERE customer_id = ? ORDER BY id LIMIT 1"
    return str(rows(world.targets.store_url, sql, customer_id)[0][0])


async def claim(world: World, number: str, kind: str, conversation: str) -> None:
    new = NewClaim(
        idempotency_key=idempotency_key(number, kind, 1),
        order_number=number,
        kind=kind,
        reason="keep_item",
        remedy="refund",
        amount=Decimal("12.00"),
        currency="GBP",
        created_at=datetime(2026, 11, 20, 12, 0),
        order_item_id=1,
        quantity=1,
        photo_upload_id=f"uploads/{conversation}/0123456789abcdef0123456789abcdef.jpg",
        conversation_id=conversation,
    )
    engine = create_engine_for(world.targets.store_url)
    try:
        async with engine.begin() as conn:
            await StoreRepository(conn).create_claim(new)
    finally:
        await engine.dispose()


def claims(world: World) -> dict[tuple[str, str], tuple[object, ...]]:
    found = rows(
        world.targets.store_url,
        "SELECT order_number, kind, conversation_id, photo_upload_id, amount FROM claims",
    )
    return {(str(r[0]), str(r[1])): r[2:] for r in found}


async def test_the_customers_claims_stay_without_their_conversation_or_photo(world: World) -> None:
    janes, priyas = first_order(world, JANE_ID), first_order(world, PRIYA_ID)
    await claim(world, janes, "damaged", JANE_WEB)
    await claim(world, janes, "wrong_item", JANE_CLAIMED_IN)
    await claim(world, priyas, "damaged", PRIYA_WEB)

    report = await erase(Subject(customer_id=JANE_ID), world.targets, requested_by="test")

    assert report.counts["store_claims_scrubbed"] == 2
    assert report.conversations == 4  # the world's three, and the one only her claim names
    kept = claims(world)
    assert kept[(janes, "damaged")][:2] == (None, None)
    assert kept[(janes, "wrong_item")][:2] == (None, None)
    assert kept[(janes, "damaged")][2] == 12  # the shop's record stays
    assert kept[(priyas, "damaged")][:2] == (
        PRIYA_WEB,
        f"uploads/{PRIYA_WEB}/0123456789abcdef0123456789abcdef.jpg",
    )


async def test_a_claim_made_in_an_erased_conversation_loses_it_without_a_customer(
    world: World,
) -> None:
    janes = first_order(world, JANE_ID)
    await claim(world, janes, "damaged", JANE_ANON)
    await claim(world, janes, "wrong_item", JANE_WEB)

    report = await erase(Subject(conversation_ids=(JANE_ANON,)), world.targets, "test")

    assert report.customer_id is None and report.counts["store_claims_scrubbed"] == 1
    kept = claims(world)
    assert kept[(janes, "damaged")][:2] == (None, None)
    assert kept[(janes, "wrong_item")][0] == JANE_WEB

"""Erasing a customer removes them everywhere Baton keeps them, and nobody else.

Real SQLite databases with the real schemas (store seeded with the demo shop, Rasa's tracker
table, the outbox, the handoff database) and the real NLU inbox file format (tests/ops/world.py).
"""

from __future__ import annotations

import csv
import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from bot.settings import ROOT
from infra.erasure import ErasureError, Subject, erase, recorded
from tests.ops.world import (
    EVERYONE_SAID,
    JANE_ANON,
    JANE_EMAIL,
    JANE_ID,
    JANE_ONLY_SAID,
    JANE_PHONE,
    JANE_WA,
    JANE_WEB,
    PRIYA_ID,
    PRIYA_WEB,
    World,
    build_world,
)


@pytest.fixture
async def world(tmp_path: Path) -> World:
    return await build_world(tmp_path)


def rows(url: str, sql: str, *args: object) -> list[tuple[object, ...]]:
    with sqlite3.connect(url.removeprefix("sqlite:///")) as conn:
        return conn.execute(sql, args).fetchall()


def conversations_in_tracker(world: World) -> set[str]:
    return {s for (s,) in rows(world.targets.tracker_url, "SELECT DISTINCT sender_id FROM events")}


def inbox(world: World) -> dict[str, dict[str, str]]:
    with world.targets.inbox_file.open(newline="", encoding="utf-8") as handle:
        return {row["text"]: row for row in csv.DictReader(handle)}


async def test_erasing_a_customer_removes_every_conversation_of_theirs_and_keeps_others(
    world: World,
) -> None:
    report = await erase(Subject(customer_id=JANE_ID), world.targets, requested_by="test")

    assert report.customer_id == JANE_ID
    assert report.conversations == 3  # tagged web chat, WhatsApp by phone, anonymous by e-mail
    assert conversations_in_tracker(world) == {PRIYA_WEB}
    outbox = rows(world.targets.tracker_url, "SELECT conversation_id FROM baton_handoff_outbox")
    assert outbox == [(PRIYA_WEB,)]
    inbound = rows(world.targets.tracker_url, "SELECT conversation_id FROM baton_inbound")
    assert inbound == [(PRIYA_WEB,)]
    assert report.counts["inbound_webhooks"] == 1
    tickets = rows(world.targets.handoff_url, "SELECT conversation_id, customer_name FROM tickets")
    assert tickets == [(PRIYA_WEB, "Priya Shah")]
    assert rows(world.targets.handoff_url, "SELECT text FROM messages") == [("Priya Shah here",)]
    assert len(rows(world.targets.handoff_url, "SELECT id FROM outbound")) == 1


async def test_the_customer_row_is_anonymised_and_the_shops_orders_stay(world: World) -> None:
    orders_before = rows(
        world.targets.store_url, "SELECT number, total FROM orders WHERE customer_id = ?", JANE_ID
    )
    await erase(Subject(email=JANE_EMAIL), world.targets, requested_by="test")

    customer = rows(
        world.targets.store_url,
        "SELECT first_name, last_name, email, phone, postal_code FROM customers WHERE id = ?",
        JANE_ID,
    )[0]
    assert customer == ("Erased", "", f"erased-{JANE_ID}@erased.invalid", None, "")
    addresses = rows(
        world.targets.store_url, "SELECT line1, city FROM addresses WHERE customer_id = ?", JANE_ID
    )
    assert addresses and all(a == ("Erased", "Erased") for a in addresses)
    assert (
        rows(
            world.targets.store_url,
            "SELECT number, total FROM orders WHERE customer_id = ?",
            JANE_ID,
        )
        == orders_before
    )
    notes = rows(
        world.targets.store_url,
        "SELECT reason_note, conversation_id FROM returns WHERE customer_id = ?",
        JANE_ID,
    )
    assert all(note == (None, None) for note in notes)
    priya = rows(world.targets.store_url, "SELECT email FROM customers WHERE id = ?", PRIYA_ID)
    assert priya == [("priya.shah@example.com",)]


async def test_inbox_rows_only_the_customer_produced_go_and_shared_ones_are_recounted(
    world: World,
) -> None:
    await erase(Subject(customer_id=JANE_ID), world.targets, requested_by="test")

    remaining = inbox(world)
    assert JANE_ONLY_SAID not in remaining
    assert remaining[EVERYONE_SAID]["conversations"] == "2"
    assert remaining[EVERYONE_SAID]["count"] == "3"  # she said it twice, in two conversations
    assert remaining["can I pay with vouchers"]["count"] == "2"


async def test_a_phone_number_alone_finds_the_whatsapp_conversation(world: World) -> None:
    report = await erase(
        Subject(phone=JANE_PHONE, conversation_ids=()), world.targets, requested_by="test"
    )
    assert JANE_WA not in conversations_in_tracker(world)
    assert report.customer_id == JANE_ID  # the phone is hers in the store


async def test_named_conversations_are_erased_without_touching_the_store(world: World) -> None:
    report = await erase(Subject(conversation_ids=(JANE_ANON,)), world.targets, "test")
    assert report.customer_id is None
    assert conversations_in_tracker(world) == {JANE_WEB, JANE_WA, PRIYA_WEB}
    assert rows(world.targets.store_url, "SELECT email FROM customers WHERE id = ?", JANE_ID) == [
        (JANE_EMAIL,)
    ]


async def test_the_erasure_is_recorded_without_personal_data(world: World) -> None:
    report = await erase(Subject(email=JANE_EMAIL), world.targets, requested_by="test")
    trail = await recorded(world.targets.handoff_url)

    assert [entry["id"] for entry in trail] == [report.erasure_id]
    assert trail[0]["customer_id"] == JANE_ID
    assert trail[0]["counts"]["tracker_events"] == report.counts["tracker_events"] > 0
    stored = json.dumps(rows(world.targets.handoff_url, "SELECT * FROM baton_erasures"))
    for personal in (JANE_EMAIL, JANE_PHONE, "Jane", JANE_WEB, JANE_WA, JANE_ANON):
        assert personal not in stored


async def test_an_unknown_customer_id_is_refused_and_nothing_changes(world: World) -> None:
    before = conversations_in_tracker(world)
    with pytest.raises(ErasureError, match="no customer 999"):
        await erase(Subject(customer_id=999), world.targets, requested_by="test")
    assert conversations_in_tracker(world) == before


@pytest.mark.parametrize(
    "fields, reason",
    [
        ({}, "name a customer_id"),
        ({"email": "not-an-address"}, "e-mail"),
        ({"phone": "07700 900001"}, "E.164"),
        ({"conversation_ids": ("",)}, "1 to 255"),
    ],
)
def test_a_request_that_names_nobody_clearly_is_refused(fields: dict, reason: str) -> None:
    with pytest.raises(ErasureError, match=reason):
        Subject(**fields)


def run_cli(world: World, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bot", "erase", *args],
        cwd=ROOT,
        env={**os.environ, **world.env},
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
        timeout=120,
    )


async def test_the_command_asks_for_confirmation_then_erases(world: World) -> None:
    refused = run_cli(world, "--customer-id", str(JANE_ID))
    assert refused.returncode == 2
    assert "--yes" in refused.stderr
    assert JANE_WEB in conversations_in_tracker(world)

    done = run_cli(world, "--customer-id", str(JANE_ID), "--yes")
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert report["conversations"] == 3 and report["counts"]["tracker_events"] > 0
    assert conversations_in_tracker(world) == {PRIYA_WEB}


async def test_the_command_explains_a_bad_phone_number(world: World) -> None:
    bad = run_cli(world, "--phone", "07700900001", "--yes")
    assert bad.returncode == 2
    assert "E.164" in bad.stderr

"""Erasing in each place Baton keeps a customer (:mod:`infra.erasure`): the tracker store
(under each conversation's turn lock), the outbox, the handoff database, the store (anonymised,
not deleted: returns and claims lose their conversation, a claim its photo's reference), the
NLU inbox file and the files customers sent."""

from __future__ import annotations

import contextlib
import csv
import os
from collections.abc import AsyncIterator, Iterable
from pathlib import Path
from typing import Any, Optional

from sqlalchemy import delete, or_, select, update
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from infra import tracker_events
from infra.erasure_common import _table

ERASED_NAME = "Erased"


@contextlib.asynccontextmanager
async def _conversation_locks(redis_url: Optional[str]) -> AsyncIterator[Any]:
    """Each conversation's turn lock while its transcript is deleted (production profile)."""
    if not redis_url:
        yield None
        return
    from bot.lock_store import AtomicRedisLockStore

    store = AtomicRedisLockStore(url=redis_url)
    try:
        yield store
    finally:
        await store.close()


async def erase_tracker(
    engine: AsyncEngine, conversations: set[str], redis_url: Optional[str]
) -> tuple[int, list[str]]:
    """Delete the transcripts; returns how many events and the customer's own texts."""
    removed = 0
    texts: list[str] = []
    async with _conversation_locks(redis_url) as locks:
        for conversation in sorted(conversations):
            lock = locks.lock(conversation) if locks is not None else contextlib.nullcontext()
            async with lock, engine.begin() as conn:
                if not await tracker_events.exists(conn):
                    return 0, []
                deleted, said = await tracker_events.delete_conversation(conn, conversation)
                removed += deleted
                texts += said
    return removed, texts


async def erase_outbox(engine: AsyncEngine, conversations: set[str]) -> dict[str, int]:
    counts = {"outbox_messages": 0, "inbound_webhooks": 0}
    if not conversations:
        return counts
    async with engine.begin() as conn:
        for name, key in (
            ("baton_handoff_outbox", "outbox_messages"),
            ("baton_handoff_outbox_dead", "outbox_messages"),  # messages given up on
            ("baton_handoff_outbox_attachments", None),  # their photos' references
            ("baton_outbox_leases", None),
            # WhatsApp webhooks accepted but whose turn has not finished (connectors/inbound.py)
            ("baton_inbound", "inbound_webhooks"),
        ):
            table = await _table(conn, name)
            if table is None:
                continue
            result = await conn.execute(
                delete(table).where(table.c.conversation_id.in_(sorted(conversations)))
            )
            if key:
                counts[key] += result.rowcount or 0
    return counts


async def erase_handoff(
    engine: AsyncEngine, conversations: set[str], customer_id: Optional[int]
) -> dict[str, int]:
    counts = {"handoff_tickets": 0, "handoff_messages": 0, "handoff_relay_calls": 0}
    async with engine.begin() as conn:
        tickets = await _table(conn, "tickets")
        if tickets is None:
            return counts
        condition = tickets.c.conversation_id.in_(sorted(conversations))
        if customer_id is not None:
            condition = or_(condition, tickets.c.customer_id == str(customer_id))
        ids = [row_id for (row_id,) in await conn.execute(select(tickets.c.id).where(condition))]
        if not ids:
            return counts
        for name, key in (("outbound", "handoff_relay_calls"), ("messages", "handoff_messages")):
            table = await _table(conn, name)
            if table is not None:
                result = await conn.execute(delete(table).where(table.c.ticket_id.in_(ids)))
                counts[key] = result.rowcount or 0
        result = await conn.execute(delete(tickets).where(tickets.c.id.in_(ids)))
        counts["handoff_tickets"] = result.rowcount or 0
    return counts


async def erase_store(
    engine: AsyncEngine, conversations: set[str], customer: Optional[dict[str, Any]]
) -> dict[str, int]:
    counts = {"store_customer": 0, "store_addresses": 0, "store_case_notes": 0}
    customer_id = customer["id"] if customer else None
    async with engine.begin() as conn:
        if customer_id is not None:
            customers = await _table(conn, "customers")
            assert customers is not None
            await conn.execute(
                update(customers)
                .where(customers.c.id == customer_id)
                .values(
                    first_name=ERASED_NAME,
                    last_name="",
                    email=f"erased-{customer_id}@erased.invalid",
                    phone=None,
                    postal_code="",
                )
            )
            counts["store_customer"] = 1
            addresses = await _table(conn, "addresses")
            if addresses is not None:
                result = await conn.execute(
                    update(addresses)
                    .where(addresses.c.customer_id == customer_id)
                    .values(line1=ERASED_NAME, line2=None, city=ERASED_NAME, postal_code="")
                )
                counts["store_addresses"] = result.rowcount or 0
        returns = await _table(conn, "returns")
        if returns is not None:
            condition = returns.c.conversation_id.in_(sorted(conversations))
            if customer_id is not None:
                condition = or_(condition, returns.c.customer_id == customer_id)
            result = await conn.execute(
                update(returns).where(condition).values(reason_note=None, conversation_id=None)
            )
            counts["store_returns_scrubbed"] = result.rowcount or 0
        counts["store_claims_scrubbed"] = await _scrub_claims(conn, conversations, customer_id)
        requests = await _table(conn, "handoff_requests")
        if requests is not None:
            condition = requests.c.conversation_id.in_(sorted(conversations))
            if customer_id is not None:
                condition = or_(condition, requests.c.customer_id == customer_id)
            result = await conn.execute(delete(requests).where(condition))
            counts["store_case_notes"] = result.rowcount or 0
        attempts = await _table(conn, "verification_attempts")
        if attempts is not None and conversations:
            result = await conn.execute(
                delete(attempts).where(attempts.c.conversation_id.in_(sorted(conversations)))
            )
            counts["store_ownership_checks"] = result.rowcount or 0
    return counts


async def _scrub_claims(
    conn: AsyncConnection, conversations: set[str], customer_id: Optional[int]
) -> int:
    """A customer's claims stay as the shop's records of what it owes or paid, without the
    conversation that made them or the reference to their photo (the file goes with the
    conversation's uploads): those of their conversations, and of their orders."""
    claims = await _table(conn, "claims")
    if claims is None:
        return 0
    condition = claims.c.conversation_id.in_(sorted(conversations))
    orders = await _table(conn, "orders")
    if customer_id is not None and orders is not None:
        theirs = select(orders.c.number).where(orders.c.customer_id == customer_id)
        condition = or_(condition, claims.c.order_number.in_(theirs))
    result = await conn.execute(
        update(claims).where(condition).values(conversation_id=None, photo_upload_id=None)
    )
    return result.rowcount or 0


def erase_inbox(path: Path, texts: list[str]) -> int:
    """Drop review rows only these conversations produced; reduce the counts of shared ones."""
    if not texts or not path.exists():
        return 0
    from bot.inbox import COLUMNS, dedupe_key, read_review_file
    from bot.trainers.privacy import mask

    said: dict[str, int] = {}
    for text in texts:
        key = dedupe_key(mask(text))
        said[key] = said.get(key, 0) + 1
    kept: list[dict[str, str]] = []
    changed = 0
    for row in read_review_file(path):
        occurrences = said.get(dedupe_key(row.get("text", "")))
        if not occurrences:
            kept.append(row)
            continue
        changed += 1
        conversations = int(row.get("conversations") or "1")
        if conversations <= 1:
            continue
        row["conversations"] = str(conversations - 1)
        row["count"] = str(max(1, int(row.get("count") or "1") - occurrences))
        kept.append(row)
    if changed:
        tmp = path.with_suffix(path.suffix + ".erasing")
        with tmp.open("w", newline="", encoding="utf-8") as handle:
            writer = csv.DictWriter(handle, fieldnames=COLUMNS, extrasaction="ignore")
            writer.writeheader()
            writer.writerows(kept)
        os.replace(tmp, path)
    return changed


def erase_uploads(uploads: Optional[Path], conversations: Iterable[str]) -> int:
    """Delete the files customers sent in these conversations; how many were deleted."""
    if uploads is None or not uploads.is_dir():
        return 0
    from connectors.attachments import folder_name

    removed = 0
    for conversation in conversations:
        folder = uploads / folder_name(conversation)
        if folder.parent != uploads or not folder.is_dir():
            continue
        for path in sorted(folder.rglob("*"), reverse=True):
            if path.is_file() or path.is_symlink():
                path.unlink()
                removed += 1
            elif path.is_dir():
                path.rmdir()
        folder.rmdir()
    return removed

"""Erasing a customer: their conversations and personal data, everywhere Baton keeps them.

Rasa has no way to forget a conversation, and Baton keeps a customer in
five places. :func:`erase` clears all of them and records that it did:

============================== =============================================================
tracker store (Rasa server)    every event of the customer's conversations (the transcript)
outbox (Rasa server)           queued messages, forwarding leases and not yet finished
                               inbound webhooks of those conversations
handoff database               their tickets, with the messages, context packets, ratings
                               and pending relay calls
store (action server)          the customer row and addresses anonymised — orders, returns
                               and refunds are the shop's accounting records and stay, with
                               the customer's own words (``reason_note``) removed; ownership
                               checks and handoff case notes of those conversations deleted
NLU inbox file (trainers)      rows only the erased conversations produced; shared rows have
                               their counts reduced
============================== =============================================================

**Who** is found from what the request gives: a store customer (id, e-mail or phone), and
conversation ids. The conversations are those tagged with the customer's id (message metadata
and the ``customer_id`` slot, handoff tickets, returns, handoff cases), those whose events
contain the e-mail address or phone number verbatim (a customer who proved an order by typing
them), the WhatsApp conversation of the phone number (its id is a keyed hash, recomputed
here with ``CHANNEL_ID_SECRET``), and any named explicitly.

**Record**: a row in ``baton_erasures`` (handoff database) with when, who asked (``cli`` or the
API), the store customer id, how many conversations and how many rows went where — never the
e-mail, phone or conversation ids.

**Turns in flight**: with ``REDIS_URL`` set, each conversation's transcript is deleted while
holding its conversation lock (``bot/lock_store.py``), so a turn that is running cannot write
the conversation back after it was erased. In local mode the lock is in the Rasa process;
stop it (or wait for the customer to be idle) before erasing.

Not reachable from here: copies outside Baton — Slack messages already posted to the agents'
channel, WhatsApp/Slack history on those platforms, backups, and training examples a trainer
already copied into ``data/nlu``.

The steps: :mod:`infra.erasure_common` (whom, where, the report), :mod:`infra.erasure_find`
(the customer and their conversations) and :mod:`infra.erasure_places` (each place).
"""

from __future__ import annotations

import asyncio
import json
from typing import Any

from sqlalchemy import Column, DateTime, Integer, MetaData, String, Table, Text, insert, select

from infra.erasure_common import (
    ROOT,
    ErasureError,
    Report,
    Subject,
    Targets,
    _Engines,
    _now,
    _table,
)
from infra.erasure_find import (
    find_customer,
    handoff_conversations,
    proof_conversations,
    store_conversations,
    tracker_conversations,
    whatsapp_conversation,
)
from infra.erasure_places import (
    ERASED_NAME,
    erase_handoff,
    erase_inbox,
    erase_outbox,
    erase_store,
    erase_tracker,
    erase_uploads,
)
from infra.sql import create_async_engine_for

__all__ = [
    "ERASED_NAME",
    "ROOT",
    "ErasureError",
    "Report",
    "Subject",
    "Targets",
    "_Engines",
    "_table",
    "audit_metadata",
    "erase",
    "erase_uploads",
    "erasures",
    "recorded",
]

audit_metadata = MetaData()

#: One row per erasure carried out. No personal data: counts, not identifiers.
erasures = Table(
    "baton_erasures",
    audit_metadata,
    Column("id", Integer, primary_key=True),
    Column("requested_at", DateTime, nullable=False),
    Column("completed_at", DateTime, nullable=False),
    Column("requested_by", String(80), nullable=False),
    # the store's customer id (now pointing at an anonymised row), if a customer was found
    Column("customer_id", Integer, nullable=True),
    Column("conversations", Integer, nullable=False),
    Column("counts", Text, nullable=False),  # JSON: rows removed or changed, per place
)


async def erase(subject: Subject, targets: Targets, requested_by: str) -> Report:
    """Erase ``subject`` everywhere in ``targets`` and record it; returns what was removed."""
    requested_at = _now()
    engines = _Engines()
    try:
        store, tracker = engines(targets.store_url), engines(targets.tracker_url)
        handoff, outbox = engines(targets.handoff_url), engines(targets.outbox_url)
        async with store.connect() as conn:
            customer = await find_customer(conn, subject)
        if customer is None and subject.customer_id is not None and not subject.conversation_ids:
            raise ErasureError(f"no customer {subject.customer_id} in the store")
        customer_id = int(customer["id"]) if customer else None
        email = (customer or {}).get("email") or subject.email
        phone = (customer or {}).get("phone") or subject.phone

        conversations = set(subject.conversation_ids)
        conversations |= whatsapp_conversation(phone, targets.channel_id_secret)
        async with tracker.connect() as conn:
            conversations |= await tracker_conversations(
                conn, customer_id, [v for v in (email, phone) if v]
            )
        async with store.connect() as conn:
            conversations |= await store_conversations(conn, customer_id)
            conversations |= await proof_conversations(conn, customer_id)
        async with handoff.connect() as conn:
            conversations |= await handoff_conversations(conn, customer_id)

        counts: dict[str, int] = {}
        counts["tracker_events"], texts = await erase_tracker(
            tracker, conversations, targets.redis_url
        )
        counts.update(await erase_outbox(outbox, conversations))
        counts.update(await erase_handoff(handoff, conversations, customer_id))
        counts.update(await erase_store(store, conversations, customer))
        counts["inbox_rows"] = await asyncio.to_thread(erase_inbox, targets.inbox_file, texts)
        counts["uploaded_files"] = await asyncio.to_thread(
            erase_uploads, targets.uploads_dir, conversations
        )

        async with handoff.begin() as conn:
            await conn.run_sync(audit_metadata.create_all)
            result = await conn.execute(
                insert(erasures).values(
                    requested_at=requested_at,
                    completed_at=_now(),
                    requested_by=requested_by[:80],
                    customer_id=customer_id,
                    conversations=len(conversations),
                    counts=json.dumps(counts, sort_keys=True),
                )
            )
            erasure_id = int(result.inserted_primary_key[0])
        return Report(erasure_id, customer_id, len(conversations), counts)
    finally:
        await engines.dispose()


async def recorded(handoff_url: str, limit: int = 100) -> list[dict[str, Any]]:
    """The most recent erasures, newest first (the audit trail)."""
    engine = create_async_engine_for(handoff_url, pool_size=1, max_overflow=0)
    try:
        async with engine.begin() as conn:
            await conn.run_sync(audit_metadata.create_all)
            rows = await conn.execute(
                select(erasures).order_by(erasures.c.id.desc()).limit(max(1, min(limit, 1000)))
            )
            return [
                {
                    "id": row.id,
                    "requested_at": row.requested_at.isoformat() + "Z",
                    "completed_at": row.completed_at.isoformat() + "Z",
                    "requested_by": row.requested_by,
                    "customer_id": row.customer_id,
                    "conversations": row.conversations,
                    "counts": json.loads(row.counts),
                }
                for row in rows
            ]
    finally:
        await engine.dispose()

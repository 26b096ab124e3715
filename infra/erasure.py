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
"""

from __future__ import annotations

import asyncio
import contextlib
import csv
import json
import os
import re
from collections.abc import AsyncIterator, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Optional

from sqlalchemy import (
    Column,
    DateTime,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    delete,
    insert,
    or_,
    select,
    update,
)
from sqlalchemy.exc import NoSuchTableError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from infra import tracker_events
from infra.sql import create_async_engine_for

ROOT = Path(__file__).resolve().parent.parent

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

ERASED_NAME = "Erased"
_SAFE_TABLE = re.compile(r"^[a-z_]+$")


class ErasureError(ValueError):
    """The request cannot be carried out as given (the message says why)."""


@dataclass(frozen=True)
class Subject:
    """Whom to erase. At least one field is needed."""

    customer_id: Optional[int] = None
    email: Optional[str] = None
    phone: Optional[str] = None
    conversation_ids: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if not (self.customer_id or self.email or self.phone or self.conversation_ids):
            raise ErasureError("name a customer_id, email, phone or conversation_ids")
        if self.email is not None and "@" not in self.email:
            raise ErasureError("email is not an e-mail address")
        if self.phone is not None and not re.fullmatch(r"\+\d{7,15}", self.phone):
            raise ErasureError("phone must be in E.164 form, e.g. +447700900123")
        for conversation_id in self.conversation_ids:
            if not conversation_id or len(conversation_id) > 255:
                raise ErasureError("conversation ids must be 1 to 255 characters")


@dataclass(frozen=True)
class Targets:
    """Where Baton keeps data: the four databases and the NLU inbox file."""

    store_url: str
    tracker_url: str
    handoff_url: str
    outbox_url: str
    inbox_file: Path
    channel_id_secret: Optional[str] = None
    redis_url: Optional[str] = None
    #: WhatsApp photos and files customers sent (connectors/attachments.py)
    uploads_dir: Optional[Path] = None

    @classmethod
    def from_env(cls, env: Optional[dict[str, str]] = None) -> Targets:
        e = dict(os.environ if env is None else env)
        var = Path(e.get("BATON_VAR_DIR") or ROOT / "var")
        tracker = e.get("TRACKER_DATABASE_URL") or f"sqlite:///{var / 'tracker.db'}"
        return cls(
            store_url=e.get("STORE_DATABASE_URL") or f"sqlite:///{var / 'store.db'}",
            tracker_url=tracker,
            handoff_url=e.get("HANDOFF_DATABASE_URL") or f"sqlite:///{var / 'handoff.db'}",
            outbox_url=e.get("HANDOFF_OUTBOX_DATABASE_URL") or tracker,
            inbox_file=Path(e.get("INBOX_FILE") or ROOT / "reports" / "inbox.csv"),
            channel_id_secret=e.get("CHANNEL_ID_SECRET") or _local_secret(var, "CHANNEL_ID_SECRET"),
            redis_url=e.get("REDIS_URL") or None,
            uploads_dir=var / "uploads",
        )


def _local_secret(var: Path, name: str) -> Optional[str]:
    """Local mode keeps generated secrets in var/secrets (infra/secrets.py), each file
    named in lower case (``channel_id_secret``): read under any other name, the WhatsApp
    conversation of an erased phone number was never found."""
    path = var / "secrets" / name.lower()
    return path.read_text().strip() if path.exists() else None


@dataclass
class Report:
    erasure_id: int
    customer_id: Optional[int]
    conversations: int
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def matched(self) -> bool:
        return self.customer_id is not None or any(self.counts.values())

    def as_dict(self) -> dict[str, Any]:
        return {
            "erasure_id": self.erasure_id,
            "customer_id": self.customer_id,
            "conversations": self.conversations,
            "matched": self.matched,
            "counts": dict(self.counts),
        }


def _now() -> datetime:
    return datetime.now(timezone.utc).replace(tzinfo=None)


async def _table(conn: AsyncConnection, name: str) -> Optional[Table]:
    """The table called ``name`` as it exists in this database, or None if it does not."""
    assert _SAFE_TABLE.match(name)

    def load(sync_conn: Any) -> Optional[Table]:
        try:
            return Table(name, MetaData(), autoload_with=sync_conn)
        except NoSuchTableError:
            return None

    return await conn.run_sync(load)


class _Engines:
    """One engine per distinct URL (the outbox usually shares the tracker's database)."""

    def __init__(self) -> None:
        self._engines: dict[str, AsyncEngine] = {}

    def __call__(self, url: str) -> AsyncEngine:
        if url not in self._engines:
            self._engines[url] = create_async_engine_for(
                url, pool_size=1, max_overflow=1, foreign_keys=False
            )
        return self._engines[url]

    async def dispose(self) -> None:
        for engine in self._engines.values():
            await engine.dispose()


# --- finding the customer and their conversations ------------------------------------------


async def _find_customer(conn: AsyncConnection, subject: Subject) -> Optional[dict[str, Any]]:
    table = await _table(conn, "customers")
    if table is None:
        return None
    conditions = []
    if subject.customer_id is not None:
        conditions.append(table.c.id == subject.customer_id)
    if subject.email:
        conditions.append(table.c.email == subject.email.strip().lower())
        conditions.append(table.c.email == subject.email.strip())
    if subject.phone:
        conditions.append(table.c.phone == subject.phone)
    if not conditions:
        return None
    row = (await conn.execute(select(table).where(or_(*conditions)).limit(1))).mappings().first()
    return dict(row) if row is not None else None


def _mentions_customer(data: str, customer_id: str) -> bool:
    try:
        event = json.loads(data)
    except ValueError:
        return False
    metadata = event.get("metadata") or {}
    if isinstance(metadata, dict) and str(metadata.get("customer_id") or "") == customer_id:
        return True
    return (
        event.get("event") == "slot"
        and event.get("name") == "customer_id"
        and str(event.get("value") or "") == customer_id
    )


async def _tracker_conversations(
    conn: AsyncConnection, customer_id: Optional[int], literals: Iterable[str]
) -> set[str]:
    if not await tracker_events.exists(conn):
        return set()
    found: set[str] = set()
    if customer_id is not None:
        found |= {
            sender
            for sender, data in await tracker_events.slot_mentions(conn)
            if data and _mentions_customer(data, str(customer_id))
        }
    return found | await tracker_events.senders_containing(conn, literals)


async def _store_conversations(conn: AsyncConnection, customer_id: Optional[int]) -> set[str]:
    if customer_id is None:
        return set()
    found: set[str] = set()
    for name in ("returns", "handoff_requests"):
        table = await _table(conn, name)
        if table is not None:
            rows = await conn.execute(
                select(table.c.conversation_id).where(
                    table.c.customer_id == customer_id, table.c.conversation_id.isnot(None)
                )
            )
            found |= {conversation for (conversation,) in rows}
    return found


async def _proof_conversations(conn: AsyncConnection, customer_id: Optional[int]) -> set[str]:
    """Conversations that proved one of the customer's orders, by e-mail *or postcode*: the
    store's verification attempts link them, whatever the customer typed."""
    attempts = await _table(conn, "verification_attempts")
    orders = await _table(conn, "orders")
    if attempts is None or orders is None or customer_id is None:
        return set()
    numbers = select(orders.c.number).where(orders.c.customer_id == customer_id)
    rows = await conn.execute(
        select(attempts.c.conversation_id)
        .where(attempts.c.succeeded.is_(True), attempts.c.order_number.in_(numbers))
        .distinct()
    )
    return {conversation for (conversation,) in rows}


async def _handoff_conversations(conn: AsyncConnection, customer_id: Optional[int]) -> set[str]:
    tickets = await _table(conn, "tickets")
    if tickets is None or customer_id is None:
        return set()
    rows = await conn.execute(
        select(tickets.c.conversation_id).where(tickets.c.customer_id == str(customer_id))
    )
    return {conversation for (conversation,) in rows}


def _whatsapp_conversation(phone: Optional[str], secret: Optional[str]) -> set[str]:
    if not phone or not secret:
        return set()
    from connectors.whatsapp import conversation_id_for

    return {conversation_id_for(f"whatsapp:{phone}", secret)}


# --- erasing -------------------------------------------------------------------------------


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


async def _erase_tracker(
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


async def _erase_outbox(engine: AsyncEngine, conversations: set[str]) -> dict[str, int]:
    counts = {"outbox_messages": 0, "inbound_webhooks": 0}
    if not conversations:
        return counts
    async with engine.begin() as conn:
        for name, key in (
            ("baton_handoff_outbox", "outbox_messages"),
            ("baton_handoff_outbox_dead", "outbox_messages"),  # messages given up on
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


async def _erase_handoff(
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


async def _erase_store(
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


def _erase_inbox(path: Path, texts: list[str]) -> int:
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


async def erase(subject: Subject, targets: Targets, requested_by: str) -> Report:
    """Erase ``subject`` everywhere in ``targets`` and record it; returns what was removed."""
    requested_at = _now()
    engines = _Engines()
    try:
        store, tracker = engines(targets.store_url), engines(targets.tracker_url)
        handoff, outbox = engines(targets.handoff_url), engines(targets.outbox_url)
        async with store.connect() as conn:
            customer = await _find_customer(conn, subject)
        if customer is None and subject.customer_id is not None and not subject.conversation_ids:
            raise ErasureError(f"no customer {subject.customer_id} in the store")
        customer_id = int(customer["id"]) if customer else None
        email = (customer or {}).get("email") or subject.email
        phone = (customer or {}).get("phone") or subject.phone

        conversations = set(subject.conversation_ids)
        conversations |= _whatsapp_conversation(phone, targets.channel_id_secret)
        async with tracker.connect() as conn:
            conversations |= await _tracker_conversations(
                conn, customer_id, [v for v in (email, phone) if v]
            )
        async with store.connect() as conn:
            conversations |= await _store_conversations(conn, customer_id)
            conversations |= await _proof_conversations(conn, customer_id)
        async with handoff.connect() as conn:
            conversations |= await _handoff_conversations(conn, customer_id)

        counts: dict[str, int] = {}
        counts["tracker_events"], texts = await _erase_tracker(
            tracker, conversations, targets.redis_url
        )
        counts.update(await _erase_outbox(outbox, conversations))
        counts.update(await _erase_handoff(handoff, conversations, customer_id))
        counts.update(await _erase_store(store, conversations, customer))
        counts["inbox_rows"] = await asyncio.to_thread(_erase_inbox, targets.inbox_file, texts)
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

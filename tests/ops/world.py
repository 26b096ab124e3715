"""A small Baton "world" on SQLite in a temp dir: what erasure has to find and remove.

Jane (customer 1) has a web chat conversation tagged with her id, a WhatsApp conversation (id
derived from her phone number), an anonymous web chat where she typed her e-mail to prove an
order, a handoff ticket with messages and a pending relay call, a queued outbox message and
rows in the NLU inbox file. Priya (customer 3) has a conversation and a ticket that must survive.
"""

from __future__ import annotations

import csv
import json
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from rasa.shared.core.events import BotUttered, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from sqlalchemy import insert

from actions.store.db import create_engine_for
from actions.store.seed import seed_store
from bot.inbox import COLUMNS
from bot.tracker_store import BatonSQLTrackerStore
from connectors.inbound import inbound
from connectors.inbound import metadata as inbound_metadata
from connectors.outbox import metadata as outbox_metadata
from connectors.outbox import outbox
from connectors.whatsapp import conversation_id_for
from handoff.store import tables as h
from handoff.store.db import create_engine, create_schema
from infra.erasure import Targets
from infra.sql import create_async_engine_for

CHANNEL_SECRET = "test-channel-id-secret"
JANE_ID, JANE_EMAIL, JANE_PHONE = 1, "jane.doe@example.com", "+447700900001"
PRIYA_ID = 3
JANE_WEB = "web-jane-session"
JANE_ANON = "web-anonymous-session"
JANE_WA = conversation_id_for(f"whatsapp:{JANE_PHONE}", CHANNEL_SECRET)
PRIYA_WEB = "web-priya-session"
JANE_ONLY_SAID = "my neighbour Mrs Okafor took the parcel"
EVERYONE_SAID = "where is my order"


@dataclass
class World:
    targets: Targets
    env: dict[str, str]


def _tracker(sender: str, *events: object) -> DialogueStateTracker:
    return DialogueStateTracker.from_events(sender, list(events), slots=[])  # type: ignore[arg-type]


async def build_world(directory: Path, urls: dict[str, str] | None = None) -> World:
    """The world on SQLite files in ``directory``, or on the databases ``urls`` names."""
    urls = urls or {
        "STORE_DATABASE_URL": f"sqlite:///{directory / 'store.db'}",
        "TRACKER_DATABASE_URL": f"sqlite:///{directory / 'tracker.db'}",
        "HANDOFF_DATABASE_URL": f"sqlite:///{directory / 'handoff.db'}",
    }
    env = {
        **urls,
        "INBOX_FILE": str(directory / "inbox.csv"),
        "CHANNEL_ID_SECRET": CHANNEL_SECRET,
        "BATON_VAR_DIR": str(directory),
    }
    store_engine = create_engine_for(urls["STORE_DATABASE_URL"])
    await seed_store(store_engine)
    await store_engine.dispose()

    store = BatonSQLTrackerStore(url=urls["TRACKER_DATABASE_URL"])
    meta = {"channel": "webchat", "customer_id": str(JANE_ID)}
    await store.save(
        _tracker(
            JANE_WEB,
            UserUttered(EVERYONE_SAID, metadata=meta),
            SlotSet("customer_id", str(JANE_ID)),
            BotUttered("Which order?"),
            UserUttered(JANE_ONLY_SAID, metadata=meta),
        )
    )
    await store.save(_tracker(JANE_WA, UserUttered("hello", metadata={"channel": "whatsapp"})))
    await store.save(
        _tracker(JANE_ANON, UserUttered(EVERYONE_SAID), UserUttered(f"it's {JANE_EMAIL}"))
    )
    await store.save(
        _tracker(
            PRIYA_WEB,
            UserUttered(EVERYONE_SAID, metadata={"customer_id": str(PRIYA_ID)}),
            SlotSet("customer_id", str(PRIYA_ID)),
        )
    )
    store.engine.dispose()

    tracker_engine = create_async_engine_for(urls["TRACKER_DATABASE_URL"])
    async with tracker_engine.begin() as conn:
        await conn.run_sync(outbox_metadata.create_all)
        await conn.run_sync(inbound_metadata.create_all)
        for conversation in (JANE_WA, PRIYA_WEB):
            await conn.execute(
                insert(inbound).values(
                    key=f"SM-{conversation}",
                    channel="whatsapp",
                    conversation_id=conversation,
                    payload=json.dumps({"text": "still there?"}),
                    owner="rasa-1",
                    lease_until=1.0,
                    received_at=1.0,
                )
            )
        for conversation, text in ((JANE_WEB, "are you there?"), (PRIYA_WEB, "hello?")):
            await conn.execute(
                insert(outbox).values(
                    conversation_id=conversation,
                    key=f"key-{conversation}",
                    text=text,
                    sent_at=1.0,
                    attempts=0,
                )
            )
    await tracker_engine.dispose()

    handoff = create_engine(urls["HANDOFF_DATABASE_URL"])
    await create_schema(handoff)
    now = datetime(2026, 1, 1, 12, 0)
    async with handoff.begin() as conn:
        for ticket_id, conversation, customer, name in (
            (1, JANE_WEB, JANE_ID, "Jane Doe"),
            (2, PRIYA_WEB, PRIYA_ID, "Priya Shah"),
        ):
            await conn.execute(
                insert(h.tickets).values(
                    id=ticket_id,
                    conversation_id=conversation,
                    channel="webchat",
                    customer_id=str(customer),
                    customer_name=name,
                    reason="customer_asked",
                    status="waiting",
                    created_at=now,
                    after_hours=False,
                    context=json.dumps({"profile": {"name": name}}),
                )
            )
            message = await conn.execute(
                insert(h.messages).values(
                    ticket_id=ticket_id, kind="customer", text=f"{name} here", created_at=now
                )
            )
            await conn.execute(
                insert(h.outbound).values(
                    ticket_id=ticket_id,
                    conversation_id=conversation,
                    kind="message",
                    message_id=message.inserted_primary_key[0],
                    payload="{}",
                    created_at=now,
                    failed=False,
                    attempts=0,
                )
            )
    await handoff.dispose()

    with (directory / "inbox.csv").open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=COLUMNS)
        writer.writeheader()
        for text, count, conversations in (
            (EVERYONE_SAID, "5", "3"),
            (JANE_ONLY_SAID, "1", "1"),
            ("can I pay with vouchers", "2", "2"),
        ):
            writer.writerow(
                {
                    "text": text,
                    "count": count,
                    "conversations": conversations,
                    "predicted_intent": "nlu_fallback",
                    "confidence": "0.40",
                    "reasons": "low_confidence",
                    "last_seen": "2026-01-01 12:00",
                    "label": "",
                }
            )
    return World(Targets.from_env(env), env)

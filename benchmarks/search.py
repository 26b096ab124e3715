"""How long the console's search takes (``GET /api/search``) over a full handoff database.

    .venv/bin/python -m benchmarks.search --tickets 20000 --messages 100000
    .venv/bin/python -m benchmarks.search --tickets 5000 --messages 25000 --repeat 20
    .venv/bin/python -m benchmarks.search --no-postgres          # SQLite only

Run it from the repository's root (``-m``: it imports ``benchmarks.common``).

For each database — a SQLite file, and a throwaway PostgreSQL cluster (infra/postgres.py,
through the tests' ``throwaway_postgres``) when ``initdb`` and ``postgres`` are installed — it
creates the handoff schema with the migrations (``create_schema``), then writes ``--tickets``
tickets and ``--messages`` messages in bulk:

* each ticket's context packet is made by ``contracts.packet.build_packet``, as the handoff
  action makes it: a customer (name, e-mail, phone, WhatsApp identity) for three tickets in
  four, an anonymous visitor otherwise; one to three orders with items, address and parcels;
  the transcript and the intents before the handoff (about 3 KB of JSON);
* ``search_keys`` is ``handoff.search_keys.search_keys(packet)``, what intake writes;
* customers come back (the output says how many cases each has), on web chat, WhatsApp and
  Slack; tickets are spread over 180 days, nearly all closed;
* messages are the handoff's own: the system lines, the customer's and the agents' messages and
  private notes.

Then it times ``HandoffService.search`` (what the route calls: cases, their snippets and, on page
1, the customers) for each kind of query, in turn, ``--repeat`` times each after one round of
warm-up, each time another value from the data: an order number (``#100234`` or ``100234``),
an e-mail in another case, a phone in another format than stored (national, ``00…``), a
customer's full name, a word said in messages, and a query nothing matches. It prints the
median and the p95 per kind and database, with how many cases the first page held, the rows,
the machine and the load average before and after the timed rounds (the machine may be shared).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import shutil
import statistics
import sys
import tempfile
import time
import unicodedata
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, Optional

from sqlalchemy import func, insert, select, text
from sqlalchemy.ext.asyncio import AsyncEngine

from benchmarks.common import machine, percentile
from contracts.packet import build_packet, reason_text
from handoff.domain import ACTIVE, AGENT, CLOSED, CUSTOMER, NOTE, SYSTEM, WAITING
from handoff.hours import BusinessHours
from handoff.live import Hub
from handoff.relay import RelayClient
from handoff.search_keys import search_keys
from handoff.services import HandoffService
from handoff.settings import HandoffSettings
from handoff.store import tables as t
from handoff.store.db import create_engine, create_schema
from infra.sql import begin

KINDS = ("order", "e-mail", "phone", "name", "word", "no hits")
ANCHOR = datetime(2026, 12, 1, 12, 0)  # the newest ticket's day (fixed: same data every run)
DAYS = 180
CHUNK = 2000

_FIRST = (
    "Jane Omar Mina Wei Lucas Sofia Noah Emma Liam Olivia Mateo Chloe Ethan Amara Hugo Lena "
    "Jonas Sara Yuki Hana Min-jun Seo-yeon Jia Hao Priya Arjun Fatima Youssef Ines Tomasz "
    "Agnieszka Pieter Sanne Lars Freya Diego Lucia Marco Giulia Nikos Eleni Aylin Emre Kofi "
    "Ama Tariq Leila Daniel Hannah Oscar Maja Felix Clara Anton Ida Rafael Beatriz Sean Aoife"
)
_LAST = (
    "Doe Ali Kim Lee Park Choi Wang Zhang Liu Chen Nguyen Tran Smith Jones Brown Taylor Wilson "
    "Evans Müller Schmidt Schneider Fischer Weber Meyer Dubois Martin Bernard Moreau Rossi Russo "
    "Ferrari Bianchi García Fernández López Martínez Silva Santos Costa Pereira Kowalski Nowak "
    "Wiśniewski Jansen Visser Dekker Bakker Hansen Johansson Nielsen Larsen Papadopoulos "
    "Yılmaz Kaya Demir Mensah Owusu Okafor Haddad Khan Patel Sharma Singh Gupta Tanaka Suzuki "
    "Sato Ito Murphy Kelly O'Brien Walsh Novak Horvat Popescu Ionescu Petrov Ivanova"
)
FIRST, LAST = _FIRST.split(), _LAST.split()
DOMAINS = ("example.com", "mail.test", "inbox.test", "post.example", "shop-fan.test")
PRODUCTS = (
    ("LL-LAMP-01", "Arc floor lamp", "lighting", "129.00 EUR"),
    ("LL-DUV-KS", "Linen duvet cover, king", "bedding", "89.00 EUR"),
    ("LL-THR-GR", "Wool throw, grey", "textiles", "59.00 EUR"),
    ("LL-MUG-4", "Stoneware mugs, set of 4", "kitchen", "34.00 EUR"),
    ("LL-RUG-160", "Jute rug 160x230", "rugs", "149.00 EUR"),
    ("LL-CUSH-2", "Velvet cushion covers, pair", "textiles", "39.00 EUR"),
    ("LL-VASE-M", "Glass vase, medium", "decor", "45.00 EUR"),
    ("LL-TOWEL-6", "Cotton towel set", "bath", "54.00 EUR"),
)
CITIES = (
    ("Berlin", "DE"),
    ("Amsterdam", "NL"),
    ("Lyon", "FR"),
    ("Milano", "IT"),
    ("London", "GB"),
    ("Seoul", "KR"),
    ("Shanghai", "CN"),
    ("Warszawa", "PL"),
)
REASONS = (
    ("customer_asked", 50),
    ("misunderstood", 15),
    ("complaint", 10),
    ("policy", 10),
    ("shop_topic", 8),
    ("verification_locked", 4),
    ("action_failed", 3),
)
CHANNELS = (("webchat", 55), ("whatsapp", 30), ("slack", 15))
AGENT_NAMES = ("Sam", "Ana Ruiz", "Ben Okoro", "Chloé Martin", "Dae-ho Shin", "Li Na")
# Words agents search for, each in a few per cent of the messages (refund in more).
SEARCH_WORDS = ("scratched", "voucher", "courier", "invoice", "duvet", "refund")
CUSTOMER_LINES = (
    "Hi, my order {order} still hasn't arrived.",
    "The {product} arrived scratched, can I get a replacement?",
    "The courier says it was delivered but nothing is here.",
    "Can I use my voucher on this order?",
    "I need an invoice for {order} with my company's name.",
    "I was charged twice for {order}.",
    "When will the refund for {order} reach my card?",
    "Thanks, that helps a lot.",
    "It's the duvet cover, the colour is not what the photo showed.",
    "OK, I'll wait for the email then.",
    "Can you change the delivery to my office address?",
    "The box was open when it arrived and one mug is broken.",
    "Yes, that's right.",
    "Is there any way to get it before Friday?",
)
AGENT_LINES = (
    "Hi {first}, this is {agent} — I'm looking at {order} now.",
    "I'm sorry about that. I've asked the courier to check where the parcel is.",
    "I've issued the refund for {order}; it shows on your card in 3–5 working days.",
    "I've sent a replacement {product}; you'll get the tracking link by e-mail.",
    "The invoice is on its way to your e-mail address.",
    "Your voucher code works on this order; I've applied it.",
    "Could you send me a photo of the damage, please?",
    "Thanks for waiting, {first}. Anything else I can do?",
    "I've changed the delivery address; the carrier confirmed it.",
)
NOTE_LINES = (
    "Second time this customer had a scratched item from this batch.",
    "Courier claim opened for {order}.",
    "Refund approved by the lead, over the usual limit.",
    "Customer prefers WhatsApp; do not e-mail.",
    "Voucher was expired; honoured it anyway.",
)
SYSTEM_LINES = ("{agent} took the case", "Closed: back to the bot")
TRANSCRIPT = (
    ("user", "hi"),
    ("bot", "Hello! I'm the Lumen & Loom assistant. How can I help?"),
    ("user", "where is my order {order}"),
    ("bot", "To check that it's your order, what's the e-mail address on it?"),
    ("user", "{email}"),
    ("bot", "Thanks! Order {order} is on its way with the courier."),
    ("user", "it says delivered but I have nothing"),
    ("bot", "Sorry, I didn't get that. Could you say it another way?"),
    ("user", "I want to talk to a person"),
    ("bot", "I'm passing you to a colleague."),
)


@dataclass
class Customer:
    number: int
    first: str
    last: str
    email: str
    phone: str  # as the shop stores it
    phone_query: str  # the same number as an agent might type it
    orders: list[str] = field(default_factory=list)

    @property
    def name(self) -> str:
        return f"{self.first} {self.last}"


def _weighted(rng: random.Random, pairs: tuple[tuple[str, int], ...]) -> str:
    return rng.choices([p for p, _ in pairs], [w for _, w in pairs])[0]


def _phone(rng: random.Random, n: int) -> tuple[str, str]:
    """A unique number: as stored, and another way of writing it (national, or ``00…``)."""
    tail = f"{n:06d}"
    country = rng.choice(("uk", "kr", "cn", "us", "de"))
    if country == "uk":
        return f"+44 7700 9{tail[:2]} {tail[2:]}", f"07700 9{tail}"
    if country == "kr":
        return f"+82 10-5{tail[:3]}-{tail[3:]}1", f"010 5{tail} 1"
    if country == "cn":
        return f"+86 139 1{tail[:3]} {tail[3:]}2", f"0086 1391{tail}2"
    if country == "us":
        return f"+1 (415) 7{tail[:2]}-{tail[2:]}", f"415 7{tail}"
    return f"+49 151 4{tail}", f"0151 4{tail}"


def make_customers(rng: random.Random, count: int, orders_from: int) -> list[Customer]:
    customers = []
    order = orders_from
    for n in range(count):
        first, last = rng.choice(FIRST), rng.choice(LAST)
        plain = unicodedata.normalize("NFKD", f"{first}.{last}").encode("ascii", "ignore")
        local = plain.decode().lower().replace("'", "")
        phone, phone_query = _phone(rng, n)
        c = Customer(n, first, last, f"{local}{n}@{rng.choice(DOMAINS)}", phone, phone_query)
        for _ in range(rng.choice((1, 1, 2, 2, 3, 4))):
            c.orders.append(f"#{order}")
            order += 1
        customers.append(c)
    return customers


def _iso(at: datetime) -> str:
    return at.strftime("%Y-%m-%dT%H:%M:%SZ")


def _order(rng: random.Random, number: str, placed: datetime) -> dict[str, Any]:
    city, country = rng.choice(CITIES)
    items = [
        {"sku": sku, "name": name, "category": cat, "quantity": rng.randint(1, 2), "unit_price": p}
        for sku, name, cat, p in rng.sample(PRODUCTS, rng.randint(1, 3))
    ]
    shipped = placed + timedelta(days=1)
    events = [
        {
            "at": _iso(shipped + timedelta(hours=8 * i)),
            "status": status,
            "description": description,
            "location": city,
        }
        for i, (status, description) in enumerate(
            (
                ("label_created", "Shipping label created"),
                ("in_transit", "Parcel picked up by the carrier"),
                ("in_transit", "Arrived at the sorting centre"),
                ("out_for_delivery", "Out for delivery"),
            )[: rng.randint(1, 4)]
        )
    ]
    return {
        "number": number,
        "verified": rng.random() < 0.8,
        "status": rng.choice(("paid", "shipped", "delivered", "shipped")),
        "placed_at": _iso(placed),
        "paid_at": _iso(placed + timedelta(minutes=2)),
        "currency": "EUR",
        "subtotal": "129.00 EUR",
        "shipping_fee": "4.90 EUR",
        "total": "133.90 EUR",
        "payment_status": "paid",
        "payment_method": rng.choice(("card", "paypal", "klarna")),
        "shipping_address": {
            "line1": f"{rng.randint(1, 200)} Example Street",
            "city": city,
            "postal_code": f"{rng.randint(10000, 99999)}",
            "country": country,
        },
        "items": items,
        "shipments": [
            {
                "carrier": rng.choice(("DHL", "PostNL", "DPD", "UPS")),
                "tracking_number": f"TRK{rng.randint(10**9, 10**10 - 1)}",
                "tracking_url": "https://tracking.example/TRK",
                "status": events[-1]["status"],
                "shipped_at": _iso(shipped),
                "estimated_delivery": _iso(shipped + timedelta(days=3)),
                "contents": [{"name": i["name"], "quantity": i["quantity"]} for i in items],
                "events": events,
            }
        ],
    }


def make_ticket(
    rng: random.Random,
    ticket_id: int,
    customer: Optional[Customer],
    agents: list[int],
) -> dict[str, Any]:
    """One ticket row, its context packet made as the handoff action makes it."""
    channel = _weighted(rng, CHANNELS)
    reason = _weighted(rng, REASONS)
    opened = ANCHOR - timedelta(seconds=rng.uniform(0, DAYS * 86400))
    conversation_id = f"{channel}-{ticket_id:07d}-{rng.randrange(16**8):08x}"
    who: Optional[dict[str, Any]] = None
    orders: list[dict[str, Any]] = []
    display = f"Visitor {rng.randint(1000, 9999)}"
    channel_user = None
    if customer is not None:
        display = customer.name
        identities = [{"channel": "webchat", "id": f"web-{customer.number}"}]
        if channel == "whatsapp" or rng.random() < 0.3:
            identities.append({"channel": "whatsapp", "id": f"whatsapp:{customer.phone}"})
        if channel == "whatsapp":
            channel_user = f"whatsapp:{customer.phone}"
        who = {
            "id": f"cust-{customer.number}",
            "name": customer.name,
            "first_name": customer.first,
            "email": customer.email,
            "phone": customer.phone,
            "postal_code": f"{rng.randint(10000, 99999)}",
            "identities": identities,
        }
        picked = rng.sample(customer.orders, min(len(customer.orders), rng.choice((1, 1, 2, 3))))
        orders = [
            _order(rng, number, opened - timedelta(days=rng.uniform(1, 20))) for number in picked
        ]
    first_order = orders[0]["number"] if orders else "#100000"
    email = customer.email if customer is not None else "someone@example.com"
    lines = TRANSCRIPT[: rng.randint(4, len(TRANSCRIPT))]
    packet = build_packet(
        reason=reason,
        reason_text=reason_text(reason),
        conversation={
            "id": conversation_id,
            "channel": channel,
            "channel_user_id": channel_user,
            "display_name": display,
            "started_at": _iso(opened - timedelta(minutes=4)),
            "requested_at": _iso(opened),
            "in_conversation_seconds": 240,
        },
        language={"code": "en", "name": "English"},
        customer=who,
        orders=orders,
        transcript=[
            {
                "sender": sender,
                "text": line.format(order=first_order, email=email),
                "at": _iso(opened - timedelta(seconds=30 * (len(lines) - i))),
            }
            for i, (sender, line) in enumerate(lines)
        ],
        bot_knows={"order_number": first_order.lstrip("#")} if orders else {},
        intents=[
            {
                "text": "where is my order",
                "intent": "order_status",
                "confidence": 0.97,
                "ranking": [
                    {"intent": "order_status", "confidence": 0.97},
                    {"intent": "delivery_problem", "confidence": 0.02},
                ],
                "entities": [{"entity": "order_number", "value": first_order}],
            }
        ],
    )
    roll = rng.random()
    status = CLOSED if roll < 0.97 else ACTIVE if roll < 0.99 else WAITING
    agent = rng.choice(agents)
    claimed = opened + timedelta(minutes=rng.uniform(1, 10))
    closed = claimed + timedelta(minutes=rng.uniform(5, 40))
    return {
        "id": ticket_id,
        "conversation_id": conversation_id,
        "channel": channel,
        "customer_id": who["id"] if who else None,
        "customer_name": display,
        "reason": reason,
        "status": status,
        "created_at": opened,
        "claimed_at": claimed if status != WAITING else None,
        "claimed_by": agent if status != WAITING else None,
        "closed_at": closed if status == CLOSED else None,
        "closed_by": agent if status == CLOSED else None,
        "after_hours": False,
        "context": packet.to_json(),
        "search_keys": search_keys(packet) or None,
    }


def make_messages(
    rng: random.Random,
    tickets: list[dict[str, Any]],
    customers: dict[str, Customer],
    total: int,
    agents: dict[int, str],
) -> list[dict[str, Any]]:
    """``total`` messages: each ticket's "Handed off" line, then the rest spread over them."""
    per_ticket = [1] * len(tickets)
    for _ in range(max(0, total - len(tickets))):
        per_ticket[rng.randrange(len(tickets))] += 1
    rows: list[dict[str, Any]] = []
    for ticket, count in zip(tickets, per_ticket, strict=True):
        at: datetime = ticket["created_at"]
        agent_id = ticket["claimed_by"] or rng.choice(list(agents))
        agent = agents[agent_id]
        customer = customers.get(ticket["customer_id"] or "")
        fill = {
            "order": rng.choice(customer.orders) if customer else "#100000",
            "first": customer.first if customer else "there",
            "agent": agent.split()[0],
            "product": rng.choice(PRODUCTS)[1].lower(),
        }
        rows.append(
            {
                "ticket_id": ticket["id"],
                "kind": SYSTEM,
                "agent_id": None,
                "text": f"Handed off: {reason_text(ticket['reason'])}",
                "created_at": at,
            }
        )
        for i in range(count - 1):
            at += timedelta(seconds=rng.uniform(20, 240))
            roll = rng.random()
            if i == 0 or roll < 0.12:
                kind, line = SYSTEM, rng.choice(SYSTEM_LINES)
            elif roll < 0.52:
                kind, line = CUSTOMER, rng.choice(CUSTOMER_LINES)
            elif roll < 0.94:
                kind, line = AGENT, rng.choice(AGENT_LINES)
            else:
                kind, line = NOTE, rng.choice(NOTE_LINES)
            rows.append(
                {
                    "ticket_id": ticket["id"],
                    "kind": kind,
                    "agent_id": None if kind == CUSTOMER else agent_id,
                    "text": line.format(**fill),
                    "created_at": at,
                }
            )
    return rows


@dataclass
class Data:
    tickets: list[dict[str, Any]]
    messages: list[dict[str, Any]]
    customers: list[Customer]
    queries: dict[str, list[str]]
    built_in: float

    def describe(self) -> str:
        identified = sum(1 for r in self.tickets if r["customer_id"])
        orders = sum(r["search_keys"].count("|o:") for r in self.tickets if r["search_keys"])
        context = statistics.fmean(len(r["context"]) for r in self.tickets)
        return (
            f"{len(self.tickets):,} tickets ({identified:,} of identified customers, "
            f"{len({r['customer_id'] for r in self.tickets if r['customer_id']}):,} customers; "
            f"{orders:,} order numbers in search_keys; context packets {context / 1024:.1f} KB "
            f"on average), {len(self.messages):,} messages"
        )


def _orders_asked(rng: random.Random, rows: list[dict[str, Any]], repeat: int) -> list[str]:
    """Order numbers some case's packet names (as intake normalised them), one per search."""
    keys = [r["search_keys"] for r in rows if r["search_keys"] and "|o:" in r["search_keys"]]
    tokens = (rng.choice(keys).split("|") for _ in range(repeat + 1))
    return [rng.choice([x[2:] for x in found if x.startswith("o:")]) for found in tokens]


def make_data(tickets: int, messages: int, repeat: int, seed: int) -> Data:
    started = time.perf_counter()
    rng = random.Random(seed)
    agent_ids = list(range(1, len(AGENT_NAMES) + 1))
    customers = make_customers(rng, max(1, int(tickets * 0.55)), 100_000)
    by_id = {f"cust-{c.number}": c for c in customers}
    rows = []
    for n in range(1, tickets + 1):
        customer = rng.choice(customers) if rng.random() < 0.75 else None
        rows.append(make_ticket(rng, n, customer, agent_ids))
    rows.sort(key=lambda r: r["created_at"])  # ids in the order the tickets were opened
    for n, row in enumerate(rows, 1):
        row["id"] = n
    texts = make_messages(
        rng, rows, by_id, messages, dict(zip(agent_ids, AGENT_NAMES, strict=True))
    )
    # Queries: values from the data, a different one each time (one more for the warm-up).
    seen = [by_id[r["customer_id"]] for r in rows if r["customer_id"]]
    picked = [rng.choice(seen) for _ in range(repeat + 1)]
    queries = {
        "order": [f"#{o}" if i % 2 else o for i, o in enumerate(_orders_asked(rng, rows, repeat))],
        "e-mail": [c.email.title() if i % 2 else c.email.upper() for i, c in enumerate(picked)],
        "phone": [c.phone_query for c in picked],
        "name": [c.name for c in picked],
        "word": [SEARCH_WORDS[i % len(SEARCH_WORDS)] for i in range(repeat + 1)],
        "no hits": [f"quokka{i:03d}" for i in range(repeat + 1)],
    }
    return Data(rows, texts, customers, queries, time.perf_counter() - started)


async def fill(engine: AsyncEngine, data: Data) -> None:
    """The schema by the migrations, then agents, tickets and messages in bulk."""
    await create_schema(engine)
    async with begin(engine) as conn:
        for n, name in enumerate(AGENT_NAMES, 1):
            await conn.execute(
                insert(t.agents).values(
                    id=n,
                    username=f"agent{n}",
                    display_name=name,
                    password_hash=None,
                    created_at=ANCHOR - timedelta(days=DAYS + 1),
                )
            )
        for start in range(0, len(data.tickets), CHUNK):
            await conn.execute(insert(t.tickets), data.tickets[start : start + CHUNK])
        for start in range(0, len(data.messages), CHUNK * 5):
            await conn.execute(insert(t.messages), data.messages[start : start + CHUNK * 5])
        if conn.dialect.name == "postgresql":  # the ids were given: move the sequences on
            for table in (t.agents, t.tickets, t.messages):
                last = select(func.max(table.c.id)).scalar_subquery()
                sequence = func.pg_get_serial_sequence(table.name, "id")
                await conn.execute(select(func.setval(sequence, last)))
    if engine.dialect.name == "postgresql":
        # Autovacuum would analyse the new tables within a minute; do it now, so the plans
        # timed are the ones a database in use gets.
        async with engine.connect() as conn:
            await conn.execution_options(isolation_level="AUTOCOMMIT")
            await conn.execute(text("VACUUM ANALYZE"))


def settings_for(url: str) -> HandoffSettings:
    return HandoffSettings(
        database_url=url,
        host="127.0.0.1",
        port=0,
        public_url="http://localhost:5080",
        service_token="benchmark",  # noqa: S106
        relay_url="http://127.0.0.1:1/webhooks/relay",
        relay_token="benchmark",  # noqa: S106
        shop_name="Lumen & Loom",
        business_hours=BusinessHours.parse("always"),
    )


@dataclass
class Timings:
    database: str
    size: str
    load_before: tuple[float, float, float]
    load_after: tuple[float, float, float] = (0.0, 0.0, 0.0)
    fill_seconds: float = 0.0
    ms: dict[str, list[float]] = field(default_factory=dict)
    hits: dict[str, list[int]] = field(default_factory=dict)


async def time_searches(name: str, url: str, data: Data, repeat: int, size: Any) -> Timings:
    settings = settings_for(url)
    engine = create_engine(url)
    try:
        started = time.perf_counter()
        await fill(engine, data)
        filled = time.perf_counter() - started
        async with engine.connect() as conn:
            counted = (await conn.execute(select(func.count()).select_from(t.messages))).scalar()
        assert counted == len(data.messages), counted
        service = HandoffService(
            engine, settings, Hub(), RelayClient(settings.relay_url, settings.relay_token)
        )
        result = Timings(name, await size(engine), os.getloadavg(), fill_seconds=filled)
        for round_ in range(repeat + 1):  # round 0 warms the caches and the pool up
            for kind in KINDS:
                query = data.queries[kind][round_]
                began = time.perf_counter()
                answer = await service.search(query)
                took = (time.perf_counter() - began) * 1000
                if round_:
                    result.ms.setdefault(kind, []).append(took)
                    result.hits.setdefault(kind, []).append(len(answer["cases"]))
                if kind == "no hits":
                    assert not answer["cases"], query
                elif kind != "word":
                    assert answer["cases"], (kind, query)  # values from the data: found
        result.load_after = os.getloadavg()
        return result
    finally:
        await engine.dispose()


async def sqlite_size(engine: AsyncEngine) -> str:
    path = Path(engine.url.database or "")
    return f"{path.stat().st_size / 2**20:,.0f} MiB file"


async def postgres_size(engine: AsyncEngine) -> str:
    async with engine.connect() as conn:
        size = (await conn.execute(text("SELECT pg_database_size(current_database())"))).scalar()
    return f"{int(size or 0) / 2**20:,.0f} MiB database"


@contextmanager
def postgres_url() -> Iterator[Optional[str]]:
    """A throwaway cluster's database, as the tests start one; None without the binaries."""
    from infra.procs import MissingBinary, find_binary

    try:
        find_binary("initdb")
        find_binary("postgres")
    except MissingBinary as missing:
        print(f"PostgreSQL: skipped ({missing})")
        yield None
        return
    from tests.support.services import fresh_database, throwaway_postgres

    with throwaway_postgres() as server:
        yield fresh_database(server, "search_bench")


def _load(values: tuple[float, float, float]) -> str:
    return " / ".join(f"{v:.2f}" for v in values)


def report(all_timings: list[Timings], data: Data, repeat: int) -> None:
    print(f"\nConsole search (HandoffService.search, page 1 with customers) — {machine()}")
    print(f"{data.describe()}; {repeat} searches per kind and database, after one warm-up round")
    for r in all_timings:
        print(
            f"  {r.database}: {r.size}, filled in {r.fill_seconds:.1f} s; load average "
            f"(1/5/15 min) {_load(r.load_before)} before the searches, "
            f"{_load(r.load_after)} after"
        )
    print()
    names = [r.database for r in all_timings]
    header = f"  {'query':10s}" + "".join(
        f" | {n + ' p50':>14s} {'p95':>8s} {'cases':>5s}" for n in names
    )
    print(header)
    for kind in KINDS:
        line = f"  {kind:10s}"
        for r in all_timings:
            ms, hits = r.ms[kind], r.hits[kind]
            line += (
                f" | {percentile(ms, 50):11.0f} ms {percentile(ms, 95):5.0f} ms "
                f"{statistics.median(hits):5.0f}"
            )
        print(line)
    print("\n  cases: the median number of cases on the first page (at most 20)")


async def run(args: argparse.Namespace) -> None:
    print(f"Making {args.tickets:,} tickets and {args.messages:,} messages …")
    data = make_data(args.tickets, args.messages, args.repeat, args.seed)
    print(f"  {data.describe()} — made in {data.built_in:.1f} s")
    results = []
    directory = Path(tempfile.mkdtemp(prefix="baton-search-bench-"))
    try:
        url = f"sqlite:///{directory / 'handoff.db'}"
        print("SQLite …")
        results.append(await time_searches("SQLite", url, data, args.repeat, sqlite_size))
    finally:
        shutil.rmtree(directory, ignore_errors=True)
    if not args.no_postgres:
        with postgres_url() as pg:
            if pg is not None:
                print("PostgreSQL …")
                results.append(
                    await time_searches("PostgreSQL", pg, data, args.repeat, postgres_size)
                )
    report(results, data, args.repeat)


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n", 1)[0])
    parser.add_argument("--tickets", type=int, default=20_000)
    parser.add_argument("--messages", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=30, help="searches per kind and database")
    parser.add_argument("--seed", type=int, default=7, help="the data's random seed")
    parser.add_argument("--no-postgres", action="store_true", help="SQLite only")
    args = parser.parse_args()
    if args.messages < args.tickets:
        parser.error("--messages must be at least --tickets (each ticket has its handoff line)")
    sys.stdout.reconfigure(line_buffering=True)  # type: ignore[union-attr]
    asyncio.run(run(args))
    return 0


if __name__ == "__main__":
    sys.exit(main())

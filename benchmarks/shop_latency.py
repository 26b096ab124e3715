"""Turn latency per shop backend: built-in tables, Shopify and WooCommerce (their local fakes),
with the platform 0 ms and 100 ms away.

Each conversation is an order-status conversation over the real web chat — greet, ask about
an order by number, prove it with the order's e-mail, thanks — about a *different* order each
time (the demo shop's 120, in turn), so the first read of every order goes to the platform
and the cache (``SHOP_CACHE_SECONDS``) only helps within the conversation, as with real
customers. The fake's delay is added to every API request (``POST /_fake/delay``); a
WooCommerce order read is two requests (the order, its notes), a Shopify one a single GraphQL
query.

Two rounds per setting: one customer (20 conversations), then 8 customers at once who pause
0.25-0.75 s between messages (32 conversations).

    .venv/bin/python benchmarks/shop_latency.py                  # all three backends
    .venv/bin/python benchmarks/shop_latency.py --backend shopify --delay 100
"""

from __future__ import annotations

import argparse
import asyncio
import random
import tempfile
import time
from pathlib import Path

import requests
from common import machine, summary, wait_until_ready

from actions.shop.demo import demo_platform_orders
from bot.launcher import stop
from bot.training import ensure_model
from tests.support.servers import start_baton
from tests.support.webchat_client import WebChatCustomer

#: (number, e-mail) of every demo order: any visitor can prove an order with its e-mail.
ORDERS = [(o.number, o.customer.email) for o in demo_platform_orders()]
UNANSWERED: list[str] = []


async def conversation(url: str, index: int, latencies: list[float], pause: float) -> None:
    number, email = ORDERS[index % len(ORDERS)]
    rng = random.Random(index)
    customer = WebChatCustomer(url)
    await customer.connect()
    try:
        for i, text in enumerate(("hi", f"where is my order {number}?", email, "thanks!")):
            if pause and i:
                await asyncio.sleep(rng.uniform(0.5 * pause, 1.5 * pause))
            turn = await customer.say(text, timeout=60)
            if not turn.texts:
                UNANSWERED.append(f"{text!r} in {customer.session_id}")
            latencies.append(turn.seconds * 1000)
    finally:
        await customer.close()


async def round_(
    url: str, first: int, concurrency: int, count: int, pause: float
) -> tuple[list[float], float]:
    latencies: list[float] = []
    queue: asyncio.Queue[int] = asyncio.Queue()
    for i in range(first, first + count):
        queue.put_nowait(i)

    async def worker() -> None:
        while not queue.empty():
            await conversation(url, queue.get_nowait(), latencies, pause)

    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    return latencies, time.perf_counter() - started


async def measure(url: str, backend: str, delay: int, first: int) -> int:
    await round_(url, first, 2, 4, 0.0)  # warm up (TensorFlow graphs, connections)
    first += 4
    for concurrency, count, pause in ((1, 20, 0.0), (8, 32, 0.5)):
        latencies, seconds = await round_(url, first, concurrency, count, pause)
        first += count
        print(
            f"{backend:>11}, platform {delay:>3} ms away, {concurrency} customer(s): "
            f"{len(latencies):3d} turns in {seconds:5.1f} s   {summary(latencies)}",
            flush=True,
        )
    return first


def set_delay(shop_url: str, ms: int) -> None:
    requests.post(f"{shop_url}/_fake/delay", json={"ms": ms}, timeout=10).raise_for_status()


def run(backends: list[str], delays: list[int]) -> None:
    print(f"machine: {machine()}")
    model = ensure_model()
    first = 0  # each conversation about an order not asked about before (in this run)
    for backend in backends:
        with tempfile.TemporaryDirectory(prefix=f"baton-bench-{backend}-") as tmp:
            baton = start_baton(model, Path(tmp), shop=backend)
            try:
                wait_until_ready(baton.rasa_url)
                for delay in delays if backend != "builtin" else [0]:
                    if backend != "builtin":
                        set_delay(baton.shop_url, delay)
                    first = asyncio.run(measure(baton.rasa_url, backend, delay, first))
            finally:
                stop(baton.procs)
    print(f"turns without an answer: {len(UNANSWERED)}" + "".join(f"\n  {u}" for u in UNANSWERED))


if __name__ == "__main__":
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--backend", action="append", choices=("builtin", "shopify", "woocommerce"))
    parser.add_argument("--delay", action="append", type=int, help="ms (default: 0 and 100)")
    args = parser.parse_args()
    run(args.backend or ["builtin", "shopify", "woocommerce"], args.delay or [0, 100])

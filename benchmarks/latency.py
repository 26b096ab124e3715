"""Web chat latency: concurrent full order-status conversations over socket.io.

Each conversation is what a real customer does: greet, ask about an order by number, prove
ownership with the order's e-mail, get the answer, say thanks. A turn is timed from sending
the message to the server's end-of-turn marker (all of the bot's messages received).

Four rounds: one customer; 32 customers each sending the next message the moment the last
answer arrives (a closed loop: this measures saturation throughput, and latency is then
mostly queueing, 32 / throughput); 32 customers who pause between messages as people do,
each for a different time (uniformly 0.5 to 1.5 times ``--pause``) and starting at different
moments; and, as the worst case, 32 customers who start together and all pause exactly
``--pause``, so their messages keep arriving in bursts of 32.

    .venv/bin/python benchmarks/latency.py                # starts its own Baton on a temp dir
    .venv/bin/python benchmarks/latency.py --url http://localhost:5005   # an already running one
    .venv/bin/python benchmarks/latency.py --language mixed  # en, ko and zh customers in turn
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import tempfile
import time
from pathlib import Path

from common import machine, nlu_worker, rss_kib, summary, wait_until_ready

from bot.launcher import stop
from bot.training import ensure_model
from tests.support.servers import start_baton
from tests.support.webchat_client import WebChatCustomer

# (order number, proof) for showcase orders any anonymous visitor can prove.
ORDERS = [
    ("10001", "jane.doe@example.com"),
    ("10002", "SW1A 1AA"),
    ("10003", "liam.murphy@example.ie"),
    ("10005", "M1 1AE"),
    ("10007", "jane.doe@example.com"),
    ("10010", "D02 X285"),
]


UNANSWERED: list[str] = []

# What a customer writes, per language: greet, ask with the number, (proof), thanks.
SCRIPTS = {
    "en": ("hi", "where is my order {number}?", "thanks!"),
    "ko": ("안녕하세요", "주문 {number} 어디쯤 왔어요?", "감사합니다"),
    "zh": ("你好", "我的订单{number}到哪了？", "谢谢"),
}
LANGUAGE = "en"  # or "ko", "zh", "mixed" (customers take turns: en, ko, zh)


def script(index: int, number: str, proof: str) -> tuple[str, ...]:
    lang = ("en", "ko", "zh")[index % 3] if LANGUAGE == "mixed" else LANGUAGE
    greet, ask, thanks = SCRIPTS[lang]
    return (greet, ask.format(number=number), proof, thanks)


async def conversation(
    url: str,
    index: int,
    latencies: list[float],
    pause: float = 0.0,
    rng: random.Random | None = None,
) -> int:
    number, proof = ORDERS[index % len(ORDERS)]
    customer = WebChatCustomer(url)
    await customer.connect()
    turns = 0
    try:
        for i, text in enumerate(script(index, number, proof)):
            if pause and i:  # the customer reads the answer and types
                await asyncio.sleep(rng.uniform(0.5 * pause, 1.5 * pause) if rng else pause)
            turn = await customer.say(text, timeout=60)
            if not turn.texts:
                UNANSWERED.append(f"{text!r} in session {customer.session_id}")
            latencies.append(turn.seconds * 1000)
            turns += 1
    finally:
        await customer.close()
    return turns


async def load(
    url: str, concurrency: int, conversations: int, pause: float = 0.0, lockstep: bool = False
) -> tuple[list[float], float]:
    """Latencies (ms) of every turn and the seconds the round took. With a ``pause``, customers
    pause a random 0.5-1.5 times it and start within the first pause, unless ``lockstep``."""
    latencies: list[float] = []
    queue: asyncio.Queue[int] = asyncio.Queue()
    for i in range(conversations):
        queue.put_nowait(i)

    async def worker(number: int) -> None:
        rng = None if lockstep or not pause else random.Random(number)
        if rng:
            await asyncio.sleep(rng.uniform(0, pause))
        while not queue.empty():
            await conversation(url, queue.get_nowait(), latencies, pause, rng)

    started = time.perf_counter()
    await asyncio.gather(*(worker(n) for n in range(concurrency)))
    return latencies, time.perf_counter() - started


async def main(
    url: str,
    rounds: list[tuple[int, int, float, bool]],
    rasa_pid: int | None = None,
    started: float = 0.0,
) -> None:
    await asyncio.to_thread(wait_until_ready, url)
    if rasa_pid is not None:  # a Baton this script started: the model loaded by both processes
        print(f"ready {time.perf_counter() - started:.1f} s after its processes were started")
    await load(url, 4, 8)  # warm up: first predictions compile TensorFlow graphs
    print(f"machine: {machine()}")
    print(f"customers write in: {LANGUAGE}")
    for concurrency, conversations, pause, lockstep in rounds:
        latencies, seconds = await load(url, concurrency, conversations, pause, lockstep)
        if not pause:
            mode = "no pause"
        elif lockstep:
            mode = f"pause {pause:.2f} s, in lockstep"
        else:
            mode = f"pause {0.5 * pause:.2f}-{1.5 * pause:.2f} s"
        print(
            f"{concurrency:>3} concurrent, {mode:>26}: {len(latencies):4d} turns "
            f"in {seconds:5.1f} s = {len(latencies) / seconds:6.1f} turns/s   {summary(latencies)}"
        )
    print(f"turns without an answer: {len(UNANSWERED)}" + "".join(f"\n  {u}" for u in UNANSWERED))
    if rasa_pid is not None:
        worker = nlu_worker(rasa_pid)
        for name, pid in (("Rasa server", rasa_pid), ("its NLU worker", worker)):
            kib = rss_kib(pid)
            print(f"resident memory after the rounds, {name}: {kib // 1024 if kib else '?'} MiB")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--url", help="a running Baton (default: start one on a temp dir)")
    parser.add_argument(
        "--conversations", type=int, default=128, help="conversations at 32 concurrent"
    )
    parser.add_argument(
        "--pause",
        type=float,
        default=0.5,
        help="mean seconds a paced customer waits between messages",
    )
    parser.add_argument(
        "--language",
        choices=("en", "ko", "zh", "mixed"),
        default="en",
        help="the language the customers write in (mixed: en, ko and zh in turn)",
    )
    parser.add_argument(
        "--no-nlu-cache",
        action="store_true",
        help="the Baton it starts keeps no sentence vectors (BATON_SENTENCE_CACHE=0): every "
        "message costs the encoder, as a customer's new sentence does",
    )
    args = parser.parse_args()
    LANGUAGE = args.language
    if args.no_nlu_cache:
        os.environ["BATON_SENTENCE_CACHE"] = "0"
    # 1 customer; 32 customers firing back-to-back (saturation); 32 customers who pause
    # between messages (still far faster than people type), then the same in lockstep.
    rounds = [
        (1, 25, 0.0, False),
        (32, args.conversations, 0.0, False),
        (32, args.conversations, args.pause, False),
        (32, args.conversations, args.pause, True),
    ]
    if args.url:
        asyncio.run(main(args.url, rounds))
    else:
        with tempfile.TemporaryDirectory(prefix="baton-bench-") as tmp:
            model = ensure_model()
            started = time.perf_counter()
            baton = start_baton(model, Path(tmp))
            try:
                asyncio.run(main(baton.rasa_url, rounds, baton.running["rasa"].pid, started))
            finally:
                stop(baton.procs)

"""Load: many customers at once on web chat and WhatsApp together; nothing may be lost.

Each customer has a 10-turn conversation (greet, two order-status questions with their
ownership proofs, thanks, "are you a bot?", the returns policy, goodbye), sending each
message only when the whole answer to the previous one has arrived, as a person would. Half
the customers use web chat (python-socketio, as the widget does, a turn ends at
``baton_turn_end``), half WhatsApp (signed Twilio webhooks; replies read back from the local
Twilio fake; a turn ends when no more replies come for ``--quiet`` seconds, and its latency is
taken at the last reply).

It prints what was sent and what arrived, and checks:

* **lost**: a message that got no answer within ``--turn-timeout`` seconds;
* **errors**: a webhook not acknowledged with 200, a socket that failed, an apology;
* **out of order**: an answer that does not belong to the message just sent (each proof's
  answer must name its order; "are you a bot?" must be answered as such; and so on);

then p50/p95/p99 of the turn latency per channel and turns per second overall.

    .venv/bin/python benchmarks/load.py --profile        # the production profile, via nginx
    .venv/bin/python benchmarks/load.py                   # one process of each (make run)
    .venv/bin/python benchmarks/load.py --url http://127.0.0.1:8080 \\
        --twilio-url http://127.0.0.1:5101               # something already running

The exit status is 0 only with 0 lost, 0 errors and every conversation in order.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import secrets
import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Optional

import aiohttp
import socketio
from common import machine, percentile, summary

from fakes.clients import WhatsAppCustomer
from tests.support.webchat_client import WebChatCustomer

# (order number, proof, a word the status answer must contain)
ORDERS = [
    ("10001", "jane.doe@example.com", "DPD"),
    ("10003", "liam.murphy@example.ie", "An Post"),
    ("10007", "jane.doe@example.com", "Evri"),
    ("10005", "M1 1AE", "10005"),
    ("10010", "D02 X285", "10010"),
    ("10002", "SW1A 1AA", "10002"),
]
APOLOGY_MARK = "something went wrong on our side"


def script(n: int) -> list[tuple[str, Optional[str]]]:
    """Conversation ``n``'s ten messages, each with a word its answer must contain."""
    first, proof1, mark1 = ORDERS[n % len(ORDERS)]
    second, proof2, mark2 = ORDERS[(n + 3) % len(ORDERS)]
    return [
        ("hi", None),
        (f"where is my order {first}?", None),
        (proof1, mark1),
        ("thanks!", "welcome"),
        ("are you a bot?", "assistant"),
        (f"and where is order {second}", None),
        (proof2, mark2),
        ("what's your returns policy?", "days"),
        ("thank you", "welcome"),
        ("bye", "Bye"),
    ]


@dataclass
class Result:
    """Everything one run saw, per channel."""

    sent: dict[str, int] = field(default_factory=lambda: {"webchat": 0, "whatsapp": 0})
    answered: dict[str, int] = field(default_factory=lambda: {"webchat": 0, "whatsapp": 0})
    replies: dict[str, int] = field(default_factory=lambda: {"webchat": 0, "whatsapp": 0})
    latencies: dict[str, list[float]] = field(
        default_factory=lambda: {"webchat": [], "whatsapp": []}
    )
    lost: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    out_of_order: list[str] = field(default_factory=list)
    conversations: int = 0
    completed: int = 0
    # fault runs: web chat sockets that reconnected, answers read back from the transcript,
    # messages sent again because their turn was cut off before it was logged or answered
    reconnects: int = 0
    recovered: int = 0
    resent: int = 0

    @property
    def ok(self) -> bool:
        return not (self.lost or self.errors or self.out_of_order) and (
            self.completed == self.conversations
        )


@dataclass
class Target:
    """Where the customers write: the public URL (nginx on the profile) and the Twilio fake."""

    url: str
    twilio_url: str
    public_url: str


def _check(
    result: Result, who: str, turn: int, text: str, mark: Optional[str], answer: str
) -> None:
    if APOLOGY_MARK in answer:
        result.errors.append(f"{who} turn {turn} ({text!r}) got the apology for a failed turn")
    elif mark is not None and mark.lower() not in answer.lower():
        result.out_of_order.append(
            f"{who} turn {turn} ({text!r}): expected {mark!r} in {answer[:120]!r}"
        )


class ResilientWebChat:
    """A web chat customer whose widget reconnects when its server goes away (fault runs).

    Like the bundled widget it reconnects and asks to resume its signed session; the server
    answers with the transcript (``baton_history``). A message whose answer was cut off is
    then found answered in the transcript (``recovered``), or sent again (``resent``): what a
    customer does when a chat goes quiet."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.session_id: Optional[str] = None
        self.sio = socketio.AsyncClient(reconnection=True, reconnection_delay=0.5)
        self.inbox: asyncio.Queue[tuple[str, Any]] = asyncio.Queue()
        self.confirmed = asyncio.Event()
        self.history: Optional[list[dict[str, Any]]] = None
        self.history_event = asyncio.Event()
        self.user_messages = 0  # how many of our messages the conversation holds
        self.recovered = 0
        self.resent = 0
        self.reconnects = 0

        @self.sio.on("connect")
        async def _connect() -> None:
            if self.session_id is not None:
                self.reconnects += 1
            self.confirmed.clear()
            await self.sio.emit("session_request", {"session_id": self.session_id})

        @self.sio.on("disconnect")
        async def _disconnect() -> None:
            self.confirmed.clear()  # nothing may be sent until the session is resumed
            await self.inbox.put(("gone", None))

        @self.sio.on("session_confirm")
        async def _confirm(data: Any) -> None:
            token = data if isinstance(data, str) else (data or {}).get("session_id")
            if self.session_id is not None and token != self.session_id:
                await self.inbox.put(("new-session", token))
            self.session_id = token
            self.confirmed.set()

        @self.sio.on("bot_uttered")
        async def _bot(data: Any) -> None:
            await self.inbox.put(("bot", data))

        @self.sio.on("baton_turn_end")
        async def _end(_: Any) -> None:
            await self.inbox.put(("end", None))

        @self.sio.on("baton_history")
        async def _history(data: Any) -> None:
            self.history = list((data or {}).get("messages") or [])
            self.history_event.set()

    async def connect(self, timeout: float) -> None:
        await self.sio.connect(self.url, socketio_path="/socket.io", transports=["websocket"])
        await asyncio.wait_for(self.confirmed.wait(), timeout)

    async def _resumed_answer(self, timeout: float) -> Optional[list[dict[str, Any]]]:
        """After a reconnect: the answer to our last message from the transcript, or None."""
        self.history_event.clear()
        await asyncio.wait_for(self.confirmed.wait(), timeout)
        await asyncio.wait_for(self.history_event.wait(), timeout)
        history = self.history or []
        users = [i for i, m in enumerate(history) if m.get("sender") == "user"]
        if len(users) < self.user_messages:
            return None  # our message never reached the conversation
        after = history[users[-1] + 1 :] if users else []
        return after or None

    async def say(self, text: str, timeout: float) -> tuple[list[dict[str, Any]], float]:
        """Send one message; its answer and the seconds it took (reconnecting if needed)."""
        started = time.perf_counter()
        deadline = time.monotonic() + timeout
        while True:
            await asyncio.wait_for(self.confirmed.wait(), max(0.1, deadline - time.monotonic()))
            while not self.inbox.empty():
                self.inbox.get_nowait()  # late messages of an earlier, recovered turn
            try:
                await self.sio.emit(
                    "user_uttered", {"message": text, "session_id": self.session_id}
                )
            except socketio.exceptions.BadNamespaceError:  # went away just now: wait
                self.confirmed.clear()
                continue
            self.user_messages += 1
            messages: list[dict[str, Any]] = []
            while True:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise asyncio.TimeoutError
                kind, data = await asyncio.wait_for(self.inbox.get(), left)
                if kind == "bot":
                    messages.append(data)
                elif kind == "end":
                    return messages, time.perf_counter() - started
                elif kind == "new-session":
                    raise RuntimeError("the server did not resume the session")
                elif kind == "gone":
                    break
            # The socket went away mid-turn: reconnect, then read the transcript.
            answer = await self._resumed_answer(max(0.1, deadline - time.monotonic()))
            if answer is not None:
                self.recovered += 1
                return answer, time.perf_counter() - started
            self.resent += 1
            if self.history is not None:
                self.user_messages = sum(1 for m in self.history if m.get("sender") == "user")

    async def close(self) -> None:
        await self.sio.disconnect()


async def webchat_customer(
    target: Target,
    n: int,
    result: Result,
    turn_timeout: float,
    start: asyncio.Event,
    resilient: bool = False,
    pause: float = 0.0,
) -> None:
    who = f"webchat #{n}"
    customer: Any = ResilientWebChat(target.url) if resilient else WebChatCustomer(target.url)
    try:
        await start.wait()
        await customer.connect(timeout=turn_timeout)
    except Exception as exc:
        result.errors.append(f"{who} could not connect: {type(exc).__name__}: {exc}")
        return
    try:
        for turn, (text, mark) in enumerate(script(n), 1):
            if pause and turn > 1:
                await asyncio.sleep(pause)  # the customer reads and types
            result.sent["webchat"] += 1
            try:
                if resilient:
                    messages, seconds = await customer.say(text, timeout=turn_timeout)
                else:
                    answer = await customer.say(text, timeout=turn_timeout)
                    messages, seconds = answer.messages, answer.seconds
            except asyncio.TimeoutError:
                result.lost.append(f"{who} turn {turn} ({text!r}): no answer in {turn_timeout} s")
                return
            result.latencies["webchat"].append(seconds * 1000)
            result.replies["webchat"] += len(messages)
            texts = [m.get("text") or "" for m in messages if m.get("text")]
            if not texts:
                result.lost.append(f"{who} turn {turn} ({text!r}): the turn ended with no answer")
                return
            result.answered["webchat"] += 1
            _check(result, who, turn, text, mark, "\n".join(texts))
        result.completed += 1
    except Exception as exc:
        result.errors.append(f"{who}: {type(exc).__name__}: {exc}")
    finally:
        if resilient:
            result.recovered += customer.recovered
            result.resent += customer.resent
            result.reconnects += customer.reconnects
        with contextlib.suppress(Exception):
            await customer.close()


class Mailbox:
    """Every message Baton sent through the Twilio fake, sorted into one queue per phone.

    One long-poll for all customers instead of one each: the fake rescans its whole record on
    every message for every waiting poll, which with 100 customers would cost more CPU than
    the bot itself. Latencies use the time the fake recorded each message (``at``)."""

    def __init__(self, http: aiohttp.ClientSession, twilio_url: str) -> None:
        self.http = http
        self.url = f"{twilio_url.rstrip('/')}/_fake/messages"
        self.queues: dict[str, asyncio.Queue[dict[str, Any]]] = {}
        self.seen = 0

    def queue(self, address: str) -> asyncio.Queue[dict[str, Any]]:
        return self.queues.setdefault(address, asyncio.Queue())

    async def _fetch(self, after: int, wait: float) -> list[dict[str, Any]]:
        params = {"after": str(after), "wait": str(wait)}
        async with self.http.get(self.url, params=params) as resp:
            return list((await resp.json())["messages"])

    async def run(self) -> None:
        self.seen = len(await self._fetch(-1, 0))
        while True:
            try:
                found = await self._fetch(self.seen, 5)
            except (aiohttp.ClientError, asyncio.TimeoutError):
                await asyncio.sleep(0.5)
                continue
            for message in found[self.seen :]:
                self.queue(message["to"]).put_nowait(message)
            self.seen = max(self.seen, len(found))
            await asyncio.sleep(0.05)


async def _whatsapp_turn(
    inbox: asyncio.Queue[dict[str, Any]], timeout: float, quiet: float
) -> list[dict[str, Any]]:
    """The replies to one message: wait for the first, then until none comes for ``quiet``."""
    try:
        replies = [await asyncio.wait_for(inbox.get(), timeout)]
    except asyncio.TimeoutError:
        return []
    while True:
        try:
            replies.append(await asyncio.wait_for(inbox.get(), quiet))
        except asyncio.TimeoutError:
            return replies


async def whatsapp_customer(
    target: Target,
    http: aiohttp.ClientSession,
    mailbox: Mailbox,
    n: int,
    tag: str,
    result: Result,
    turn_timeout: float,
    quiet: float,
    start: asyncio.Event,
    pause: float = 0.0,
) -> None:
    who = f"whatsapp #{n}"
    customer = WhatsAppCustomer(
        http, target.url, target.twilio_url, f"+1555{tag}{n:05d}", public_url=target.public_url
    )
    inbox = mailbox.queue(customer.address)
    await start.wait()
    try:
        for turn, (text, mark) in enumerate(script(n), 1):
            if pause and turn > 1:
                await asyncio.sleep(pause)
            result.sent["whatsapp"] += 1
            sent_at = time.time()
            ack = await customer.send(text)
            if ack.status != 200:
                result.errors.append(f"{who} turn {turn}: webhook answered HTTP {ack.status}")
                return
            replies = await _whatsapp_turn(inbox, turn_timeout, quiet)
            if not replies:
                result.lost.append(f"{who} turn {turn} ({text!r}): no reply in {turn_timeout} s")
                return
            last = max(float(r.get("at") or time.time()) for r in replies)
            result.latencies["whatsapp"].append((last - sent_at) * 1000)
            result.replies["whatsapp"] += len(replies)
            result.answered["whatsapp"] += 1
            _check(result, who, turn, text, mark, "\n".join(r.get("body") or "" for r in replies))
        result.completed += 1
    except Exception as exc:
        result.errors.append(f"{who}: {type(exc).__name__}: {exc}")


async def run_load(
    target: Target,
    conversations: int,
    turn_timeout: float = 180.0,
    quiet: float = 0.6,
    webchat_share: float = 0.5,
    during: Optional[Callable[[], Any]] = None,
    resilient: bool = False,
    pause: float = 0.0,
    tag: Optional[str] = None,
) -> tuple[Result, float]:
    """``conversations`` customers at once (web chat and WhatsApp); (what happened, seconds).

    ``during``, if given, is awaited alongside the load (the fault runs inject faults with it).
    ``tag`` goes into the WhatsApp customers' phone numbers; a run of many rounds (the soak)
    passes one per round, because two rounds drawing the same random tag would continue each
    other's conversations and look like duplicated or reordered messages.
    """
    result = Result(conversations=conversations)
    on_webchat = round(conversations * webchat_share)
    tag = tag or f"{secrets.randbelow(90) + 10:02d}"
    start = asyncio.Event()
    connector = aiohttp.TCPConnector(limit=0)
    timeout = aiohttp.ClientTimeout(total=turn_timeout + 30)
    async with aiohttp.ClientSession(connector=connector, timeout=timeout) as http:
        mailbox = Mailbox(http, target.twilio_url)
        postman = asyncio.ensure_future(mailbox.run())
        tasks = [
            webchat_customer(target, n, result, turn_timeout, start, resilient, pause)
            for n in range(on_webchat)
        ] + [
            whatsapp_customer(
                target, http, mailbox, n, tag, result, turn_timeout, quiet, start, pause
            )
            for n in range(on_webchat, conversations)
        ]
        started = time.perf_counter()
        start.set()
        extra = [during()] if during is not None else []
        try:
            await asyncio.gather(*tasks, *extra)
        finally:
            seconds = time.perf_counter() - started
            postman.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await postman
    return result, seconds


def report(result: Result, seconds: float, title: str) -> None:
    turns = sum(result.answered.values())
    print(f"\n== {title} ==")
    print(
        f"conversations: {result.conversations} ({result.completed} finished all 10 turns); "
        f"{seconds:.1f} s"
    )
    for channel in ("webchat", "whatsapp"):
        lat = result.latencies[channel]
        if not result.sent[channel]:
            continue
        print(
            f"  {channel:8s} sent {result.sent[channel]:5d} messages, "
            f"{result.answered[channel]:5d} answered ({result.replies[channel]} bot messages "
            f"arrived); {summary(lat) if lat else 'no answers'}"
        )
    every = result.latencies["webchat"] + result.latencies["whatsapp"]
    if every:
        print(
            f"  all      {turns} turns at {turns / seconds:.1f} turns/s; p50 "
            f"{percentile(every, 50):.0f} ms, p95 {percentile(every, 95):.0f} ms"
        )
    print(
        f"  lost {len(result.lost)}, errors {len(result.errors)}, "
        f"out of order {len(result.out_of_order)}"
    )
    if result.reconnects or result.recovered or result.resent:
        print(
            f"  web chat sockets reconnected {result.reconnects}; cut-off answers read from "
            f"the transcript {result.recovered}; messages sent again {result.resent}"
        )
    for label, items in (
        ("lost", result.lost),
        ("error", result.errors),
        ("out of order", result.out_of_order),
    ):
        for item in items[:10]:
            print(f"    {label}: {item}")
        if len(items) > 10:
            print(f"    ... and {len(items) - 10} more")


# --- what to run against -----------------------------------------------------------------


@contextlib.contextmanager
def single_process() -> Any:
    """One Rasa server, one action server, one handoff service and the fakes (``make run``)."""
    from bot.launcher import stop
    from bot.training import ensure_model
    from tests.support.servers import start_baton

    with tempfile.TemporaryDirectory(prefix="baton-load-") as tmp:
        baton = start_baton(ensure_model(), Path(tmp))
        try:
            yield Target(baton.rasa_url, baton.twilio_url, baton.rasa_url), baton
        finally:
            stop(baton.procs)


@contextlib.contextmanager
def production_profile(keep_logs: Optional[Path] = None) -> Any:
    """The production profile (:mod:`infra.prod`) on free ports in a temp dir, with the
    local Twilio fake; WhatsApp webhooks are signed for its ``PUBLIC_URL``, as Twilio would."""
    from bot.production import programs
    from bot.training import ensure_model
    from infra.prod import Ports, start_profile

    with tempfile.TemporaryDirectory(prefix="baton-load-prod-") as tmp:
        # As root, PostgreSQL runs as its own user and must be able to reach its directory.
        os.chmod(tmp, 0o755)  # noqa: S103
        (Path(tmp) / "logs").mkdir()
        profile = start_profile(
            Path(tmp),
            ensure_model(),
            programs=programs(),
            ports=Ports.free(),
            durable=False,
            fake_channels=True,
            base_env={**os.environ, "BATON_SEED_DEMO": "1"},  # the conversations use demo orders
        )
        try:
            yield Target(profile.public_url, profile.twilio_url, profile.env["PUBLIC_URL"]), profile
        finally:
            profile.stop()
            if keep_logs is not None:  # every replica's log, for reading after the run
                shutil.copytree(Path(tmp) / "logs", keep_logs, dirs_exist_ok=True)
                print(f"logs kept in {keep_logs}")


async def main(target: Target, conversations: int, turn_timeout: float, quiet: float) -> bool:
    warm, _ = await run_load(target, 8, turn_timeout, quiet)  # first turns build TF graphs
    if not warm.ok:
        report(warm, 1.0, "warm-up (not counted)")
    print(f"machine: {machine()}; load average {os.getloadavg()[0]:.1f} before the run")
    result, seconds = await run_load(target, conversations, turn_timeout, quiet)
    report(result, seconds, f"{conversations} concurrent conversations x 10 turns")
    return result.ok


if __name__ == "__main__":
    sys.stdout.reconfigure(line_buffering=True)  # type: ignore[union-attr]  # progress, live
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--profile", action="store_true", help="start the production profile")
    parser.add_argument("--url", help="an already running Baton (its public URL)")
    parser.add_argument("--twilio-url", help="with --url: the Twilio fake it sends through")
    parser.add_argument("--public-url", help="with --url: PUBLIC_URL, if not --url")
    parser.add_argument("--conversations", type=int, default=200)
    parser.add_argument("--turn-timeout", type=float, default=180.0)
    parser.add_argument("--quiet", type=float, default=0.6)
    args = parser.parse_args()
    if args.url:
        if not args.twilio_url:
            parser.error("--url needs --twilio-url")
        target = Target(args.url, args.twilio_url, args.public_url or args.url)
        ok = asyncio.run(main(target, args.conversations, args.turn_timeout, args.quiet))
    else:
        with production_profile() if args.profile else single_process() as (target, _):
            ok = asyncio.run(main(target, args.conversations, args.turn_timeout, args.quiet))
    print("0 lost, 0 errors, all in order" if ok else "FAILED: see above")
    raise SystemExit(0 if ok else 1)

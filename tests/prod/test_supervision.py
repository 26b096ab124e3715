"""Crash-only supervision of the production profile (infra/supervise.py via infra/prod.py):
each kind of process is killed from outside with SIGKILL, as the kernel's OOM killer or an
operator would, while a web chat customer is in the middle of a conversation. The customer
must still be answered through nginx, with the conversation's state intact, and the killed
process must be back — a new pid — and ready.

One profile for the module; the Rasa replica, whose restart reloads the model, goes last.
"""

from __future__ import annotations

import asyncio
import os
import signal
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Optional

import pytest
import requests

from bot.production import programs
from infra.prod import Ports, Profile, start_profile
from tests.support.services import require, service_dir
from tests.support.webchat_client import WebChatCustomer

pytestmark = pytest.mark.e2e

BACK_WITHIN = 300.0  # seconds: a Rasa replica reloads its model on a busy 2-core machine


@pytest.fixture(scope="module")
def prod(model: Path) -> Iterator[Profile]:
    require("initdb", "postgres", "redis-server", "nginx")
    with service_dir("baton-supervise-") as directory:
        running = start_profile(
            directory,
            model,
            programs=programs(),
            ports=Ports.free(),
            durable=False,
            base_env={**os.environ, "BATON_SEED_DEMO": "1"},  # the form asks for order 10001
        )
        try:
            yield running
        finally:
            running.stop()


def ready(url: str) -> bool:
    try:
        return requests.get(f"{url}/ready", timeout=5).status_code == 200
    except requests.RequestException:
        return False


async def eventually(condition: Callable[[], bool], timeout: float = BACK_WITHIN) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if await asyncio.to_thread(condition):
            return True
        await asyncio.sleep(0.5)
    return False


def nlu_worker_of(pid: int) -> Optional[int]:
    """The NLU worker process a Rasa server spawned (bot/nlu_workers.py), if it has one."""
    tasks = Path(f"/proc/{pid}/task").glob("*/children")  # children of any of its threads
    for child in (c for task in tasks for c in task.read_text().split()):
        try:
            cmdline = Path(f"/proc/{child}/cmdline").read_bytes().decode(errors="replace")
        except FileNotFoundError:
            continue
        if "spawn_main" in cmdline and "resource_tracker" not in cmdline:
            return int(child)
    return None


async def mid_conversation(url: str) -> tuple[WebChatCustomer, str]:
    """A customer who asked where an order is and was asked for its number."""
    customer = WebChatCustomer(url)
    session = await customer.connect()
    asked = await customer.say("where is my order?", timeout=120)
    assert "order number" in asked.text, asked.text
    return customer, session


async def goes_on(customer: WebChatCustomer) -> None:
    """The order-status form carries on where it was: the answer asks for the proof."""
    try:
        proof = await customer.say("10001", timeout=120)
        assert "e-mail address or the delivery postcode" in proof.text, proof.text
    finally:
        await customer.close()


def every_replica_ready(prod: Profile) -> bool:
    return all(ready(r.url) for r in prod.replicas.values())


@pytest.mark.parametrize("name", ["actions-1", "handoff-1", "redis", "postgres"])
async def test_a_killed_process_is_started_again_while_customers_keep_being_answered(
    prod: Profile, name: str
) -> None:
    customer, _ = await mid_conversation(prod.public_url)
    old = prod.pid(name)
    assert old is not None
    os.kill(old, signal.SIGKILL)

    await goes_on(customer)
    assert await eventually(lambda: prod.pid(name) not in (None, old)), prod.log_text(name)[-2000:]
    assert await eventually(lambda: every_replica_ready(prod))
    assert requests.get(f"{prod.handoff_url}/health", timeout=10).status_code == 200
    supervisor = prod.supervisor
    assert supervisor is not None
    # The new pid shows as soon as the process is spawned; the supervisor counts the restart
    # only once its start() returned (PostgreSQL: accepting connections), a moment later.
    assert await eventually(lambda: supervisor.status()[name]["restarts"] >= 1, timeout=120)
    assert supervisor.status()[name]["state"] == "running"
    assert supervisor.crash_loops() == []


async def test_a_killed_nlu_worker_is_replaced_and_the_message_still_understood(
    prod: Profile,
) -> None:
    """The worker is the Rasa server's child, not the supervisor's: the server replaces it."""
    replica = prod.replicas["rasa-2"]
    assert replica.pid is not None
    assert await eventually(lambda: nlu_worker_of(replica.pid or 0) is not None)
    worker = nlu_worker_of(replica.pid)
    assert worker is not None
    customer, _ = await mid_conversation(replica.url)
    os.kill(worker, signal.SIGKILL)

    await goes_on(customer)
    assert await eventually(lambda: nlu_worker_of(replica.pid or 0) not in (None, worker))
    assert await eventually(lambda: ready(replica.url))
    assert prod.pid("rasa-2") == replica.pid  # the server itself was not restarted


async def test_a_killed_rasa_replica_is_started_again_and_its_customers_go_on_elsewhere(
    prod: Profile,
) -> None:
    replica = prod.replicas["rasa-1"]
    customer, session = await mid_conversation(replica.url)
    old = replica.pid
    assert old is not None
    os.kill(old, signal.SIGKILL)
    await customer.close()

    again = WebChatCustomer(prod.public_url)  # the widget reconnects through nginx
    await again.connect(resume=session, timeout=30)
    await goes_on(again)
    assert await eventually(lambda: replica.pid not in (None, old))
    assert await eventually(lambda: ready(replica.url))

    later, _ = await mid_conversation(replica.url)  # the restarted replica answers itself
    await goes_on(later)

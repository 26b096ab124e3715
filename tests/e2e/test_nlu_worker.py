"""The Rasa server understands messages in a worker process (bot/nlu_workers.py); a worker that
dies costs no customer an answer, and is replaced."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import time
from pathlib import Path

import pytest

from tests.support.servers import Baton
from tests.support.webchat_client import WebChatCustomer

pytestmark = pytest.mark.e2e

READY = "NLU runs in 1 worker process(es)"


def _workers(baton: Baton) -> list[int]:
    """The Rasa server's NLU worker processes (not multiprocessing's resource tracker)."""
    found = subprocess.run(
        ["pgrep", "-P", str(baton.running["rasa"].pid)], capture_output=True, text=True
    ).stdout.split()
    workers = []
    for pid in map(int, found):
        try:
            cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().decode(errors="replace")
        except OSError:
            continue
        if "spawn_main" in cmdline and "resource_tracker" not in cmdline:
            workers.append(pid)
    return workers


async def _wait_for_ready(baton: Baton, times: int) -> None:
    for _ in range(1200):
        if baton.log_text().count(READY) >= times:
            return
        await asyncio.sleep(0.1)
    raise AssertionError(f"no NLU worker became ready:\n{baton.log_text()[-3000:]}")


async def test_a_killed_nlu_worker_costs_no_answer_and_is_replaced(
    baton: Baton, customer: WebChatCustomer
) -> None:
    await _wait_for_ready(baton, 1)  # started with the server, ready once it has the model
    await customer.say("hi")
    ready_before = baton.log_text().count(READY)
    workers = _workers(baton)
    assert len(workers) == 1, workers

    os.kill(workers[0], signal.SIGKILL)
    turn = await customer.say("where is my order 10001?")
    assert "e-mail address or the delivery postcode" in turn.text  # understood all the same
    turn = await customer.say("jane.doe@example.com")
    assert "on its way with DPD" in turn.text

    await _wait_for_ready(baton, ready_before + 1)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and not (new := _workers(baton)):
        await asyncio.sleep(0.2)
    assert new and new != workers
    assert "NLU worker failed (BrokenProcessPool); restarting it" in baton.log_text()
    # the new worker understands the next message
    assert "You're welcome" in (await customer.say("thanks!")).text


def test_the_servers_keep_what_they_loaded_out_of_garbage_collection(baton: Baton) -> None:
    import re

    def frozen(log: Path) -> int:
        found = re.findall(r"(\d+) objects frozen", log.read_text(errors="replace"))
        assert found, f"{log.name}: the heap was not frozen after start-up"
        return int(found[0])

    action_log, rasa_log = baton.logs[0], baton.logs[1]
    assert frozen(rasa_log) > 100_000  # TensorFlow, the pipeline and the domain
    assert frozen(action_log) > 10_000  # rasa-sdk, SQLAlchemy and the actions

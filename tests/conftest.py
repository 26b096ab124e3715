"""Session-wide fixtures: one trained model (cached by hash) and one running Baton; and the
hook that sorts tests into layers (tests/support/layers.py)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from bot.launcher import stop
from tests.support.layers import mark_integration, refuse_in_unit_layer
from tests.support.servers import Baton, start_baton
from tests.support.shop_backends import platform_batons  # noqa: F401  (Batons on platform fakes)
from tests.support.webchat_client import WebChatCustomer


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Mark what `make unit` must leave out as ``integration`` (tests/support/layers.py)."""
    mark_integration(items, Path(__file__).parent)


@pytest.fixture(scope="session")
def model() -> Path:
    refuse_in_unit_layer("a trained model")
    from bot.training import ensure_model

    return ensure_model()


@pytest.fixture(scope="session")
def baton(model: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Baton]:
    running = start_baton(model, tmp_path_factory.mktemp("baton"))
    yield running
    stop(running.procs)


@pytest.fixture
async def customer(baton: Baton) -> AsyncIterator[WebChatCustomer]:
    client = WebChatCustomer(baton.rasa_url)
    await client.connect()
    yield client
    await client.close()


def pytest_unconfigure(config: pytest.Config) -> None:
    """Let the test process end even if a test left an aiosqlite connection open.

    aiosqlite runs each connection on a non-daemon thread that stops only when the connection
    is closed; one engine a test forgot to dispose keeps the interpreter waiting for it after
    the last test — in CI, until the job's time limit. Each such thread is told to stop, as
    closing the connection would, and the count is printed so the leak can be found.
    """
    import threading

    from aiosqlite import core

    left = [
        t
        for t in threading.enumerate()
        if getattr(t, "_target", None) is core._connection_worker_thread and t.is_alive()
    ]
    for thread in left:
        queue = thread._args[0]  # type: ignore[attr-defined]
        queue.put_nowait((None, lambda: core._STOP_RUNNING_SENTINEL))
    for thread in left:
        thread.join(timeout=5)
    if left:
        print(f"\n{len(left)} aiosqlite connection(s) were left open by tests; closed at exit")

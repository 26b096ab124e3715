"""A throwaway redis-server for the cross-replica tests (the same one the lock store tests use)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.lock_store.conftest import REDIS_SERVER, RedisServer


@pytest.fixture
def redis_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RedisServer]:
    """A fresh server per test: several tests stop it to simulate an outage."""
    if REDIS_SERVER is None:
        pytest.skip("redis-server is not installed (Debian: apt-get install redis-server)")
    server = RedisServer(tmp_path_factory.mktemp("redis"))
    server.start()
    yield server
    server.stop()

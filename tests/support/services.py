"""Throwaway PostgreSQL and Redis servers for integration tests (infra/postgres.py and
infra/redis_server.py on free loopback ports, data in a temp directory, no fsync).

Without the binaries the tests that need them skip and say what to install — except in CI
(``BATON_REQUIRE_SERVICES=1``, set by .ci/run after installing them), where a missing server
is a failure rather than a silently smaller test run.
"""

from __future__ import annotations

import os
import secrets
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from infra.postgres import Postgres
from infra.procs import MissingBinary, find_binary, free_port
from infra.redis_server import RedisServer
from tests.support.layers import refuse_in_unit_layer


def require(*binaries: str) -> None:
    """Skip (or, in CI, fail) unless every one of ``binaries`` is installed."""
    refuse_in_unit_layer(f"a service binary ({', '.join(binaries)})")
    for name in binaries:
        try:
            find_binary(name)
        except MissingBinary as missing:
            if os.environ.get("BATON_REQUIRE_SERVICES", "").lower() in ("1", "true", "yes"):
                pytest.fail(f"{missing} (BATON_REQUIRE_SERVICES is set)")
            pytest.skip(str(missing))


@contextmanager
def service_dir(prefix: str) -> Iterator[Path]:
    """A temp directory every user can traverse: as root the cluster belongs to ``postgres``,
    and pytest's own temp root is private to the user running it."""
    path = Path(tempfile.mkdtemp(prefix=prefix))
    path.chmod(0o755)
    try:
        yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)


@contextmanager
def throwaway_postgres() -> Iterator[Postgres]:
    require("initdb", "postgres")
    with service_dir("baton-pg-") as base:
        server = Postgres(base / "data", free_port(), secrets.token_urlsafe(16), durable=False)
        server.start()
        try:
            yield server
        finally:
            server.stop()


@contextmanager
def throwaway_redis() -> Iterator[RedisServer]:
    require("redis-server")
    with service_dir("baton-redis-") as base:
        server = RedisServer(base, free_port(), secrets.token_urlsafe(16), persistent=False)
        server.start()
        try:
            yield server
        finally:
            server.stop()


def fresh_database(server: Postgres, name: str) -> str:
    """An empty database called ``name`` (dropped first if a previous test left it); its URL."""
    server.drop_database(name)
    server.create_databases([name])
    return server.url(name)

"""The handoff database's migrations on PostgreSQL: tests/handoff/test_migrations.py's tests,
with ``make_engine`` opening PostgreSQL databases."""

from __future__ import annotations

from tests.handoff import test_migrations
from tests.prod.test_store_postgres import make_engine

__all__ = ["make_engine"]

globals().update(
    {
        name: getattr(test_migrations, name)
        for name in vars(test_migrations)
        if name.startswith("test_")
    }
)

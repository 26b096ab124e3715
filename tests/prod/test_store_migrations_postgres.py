"""The store's migrations on a real PostgreSQL server (the production profile's store): the
SQLite suite's tests (tests/store/test_migrations.py), imported; only ``make_engine`` differs,
and it is the one tests/prod/test_store_postgres.py gives the seed tests."""

from __future__ import annotations

from tests.prod.test_store_postgres import make_engine
from tests.store import test_migrations

__all__ = ["make_engine"]

globals().update(
    {
        name: getattr(test_migrations, name)
        for name in vars(test_migrations)
        if name.startswith("test_")
    }
)

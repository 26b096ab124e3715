"""Two partial covering indexes on Rasa's ``events`` table, made for the analytics read.

Without them, reading a month of conversations scans the whole table — every bot message,
action and the large JSON of each customer message — although the reader only wants a
third of the rows and none of their JSON but the slots'. The indexes hold just those rows,
with the columns the reader needs, ordered by customer and id (the order
:class:`analytics.sources.Reader` wants), so a full read walks the two indexes side by side
and never touches the table:

* ``ix_events_analytics``: customer messages, session starts and restarts, pauses and
  resumes (``READ_TYPES``) — their type, time and intent;
* ``ix_events_analytics_slots``: the slot events of ``READ_SLOTS`` only, on SQLite with
  their JSON (about 90 bytes each), whose value SQLite extracts.

The table is Rasa's (its SQLTrackerStore creates it), so the indexes are added afterwards by
:func:`ensure_analytics_index`: idempotent, called by the cold read (``make report``), the
handoff service's cache warm-up and the demo history seed. Creating them on an existing
large store takes seconds, once; each event written afterwards costs a little more (see
``benchmarks/analytics.py``). Their ``WHERE`` clauses are built by the same functions as the
reader's, so the query planner can prove they match.
"""

from __future__ import annotations

import logging
import threading
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlalchemy.schema import CreateIndex

from bot import names
from infra.events_table import events

logger = logging.getLogger(__name__)

# "_v2": with the flows' form activations and outcomes; the first indexes (``OLD_NAMES``)
# are dropped when these are created
INDEX_NAME = "ix_events_analytics_v2"
SLOTS_INDEX_NAME = "ix_events_analytics_slots_v2"
OLD_NAMES = ("ix_events_analytics", "ix_events_analytics_slots")
READ_TYPES = ("user", "session_started", "restart", "pause", "resume")
# The slots the analytics read; every other slot event is left out.
READ_SLOTS = (
    names.SLOT_CHANNEL,
    names.SLOT_LANGUAGE,
    names.SLOT_RETURN_REASON,
    names.SLOT_RETURN_METHOD,
    names.SLOT_LAST_RMA,
    names.SLOT_FLOW_OUTCOME,
)
#: The forms whose activation starts a self-service flow, and the flow's name in the figures
#: (the ``flow`` of its ``flow_outcome`` event).
FLOW_FORMS = names.FLOW_FORMS


def turn_rows(table: sa.Table) -> Any:
    """Customer messages, session starts and restarts, pauses and resumes, and the start of
    a self-service flow (its form's activation)."""
    c = table.c
    return sa.or_(
        c.type_name.in_(READ_TYPES),
        sa.and_(c.type_name == "active_loop", c.action_name.in_(sorted(FLOW_FORMS))),
    )


def slot_rows(table: sa.Table) -> Any:
    """The slot events the analytics read."""
    c = table.c
    return sa.and_(c.type_name == "slot", c.action_name.in_(READ_SLOTS))


TURN_ROWS = turn_rows(events)
SLOT_ROWS = slot_rows(events)


def _indexes(dialect: str) -> list[sa.Index]:
    # On a private copy of the table: an index on ``events`` itself would make
    # ``metadata.create_all`` create it and tell Rasa's table definition apart from ours.
    table = events.to_metadata(sa.MetaData())
    c = table.c
    turns, slots = turn_rows(table), slot_rows(table)
    slot_columns = [c.sender_id, c.id, c.type_name, c.action_name, c.timestamp]
    if dialect == "sqlite":
        # PostgreSQL refuses index entries over ~2.7 kB, and would then refuse Rasa's write
        # of a slot with a long value: there the JSON stays in the table only.
        slot_columns.append(c.data)
    return [
        sa.Index(
            INDEX_NAME,
            *(c.sender_id, c.id, c.type_name, c.timestamp, c.intent_name, c.action_name),
            sqlite_where=turns,
            postgresql_where=turns,
        ),
        sa.Index(SLOTS_INDEX_NAME, *slot_columns, sqlite_where=slots, postgresql_where=slots),
    ]


def create_index_sql(engine: Engine) -> list[str]:
    """``CREATE INDEX IF NOT EXISTS …`` for each index, for the engine's database."""
    head = "CREATE INDEX "
    if engine.dialect.name == "postgresql":
        head += "CONCURRENTLY "
    return [
        head + "IF NOT EXISTS " + str(CreateIndex(i).compile(dialect=engine.dialect))[13:]
        for i in _indexes(engine.dialect.name)
    ]


_done: set[str] = set()
_done_lock = threading.Lock()


def index_state(engine: Engine) -> str:
    """``"ready"`` (both indexes there), ``"missing"``, or (PostgreSQL) ``"invalid"``: a
    build that failed half-way left one unusable."""
    wanted = {INDEX_NAME, SLOTS_INDEX_NAME}
    with engine.connect() as conn:
        if engine.dialect.name == "postgresql":
            valid = dict(
                conn.execute(
                    sa.text(
                        "SELECT c.relname, i.indisvalid FROM pg_index i"
                        " JOIN pg_class c ON c.oid = i.indexrelid"
                        " WHERE c.relname IN (:a, :b)"
                        " AND c.relnamespace = current_schema()::regnamespace"
                    ),
                    {"a": INDEX_NAME, "b": SLOTS_INDEX_NAME},
                ).all()
            )
            if not all(valid.values()):
                return "invalid"
            return "ready" if set(valid) == wanted else "missing"
        found = {i["name"] for i in sa.inspect(conn).get_indexes("events")}
        return "ready" if wanted <= found else "missing"


def ensure_analytics_index(engine: Engine) -> bool:
    """Create the indexes the ``events`` table lacks; ``True`` if both are there now.

    Safe to call on every start and from several processes at once (``IF NOT EXISTS``). On
    PostgreSQL they are built ``CONCURRENTLY``, so Rasa keeps writing meanwhile; a build that
    failed half-way leaves an invalid index, which is dropped and built again. A database
    user without the right to create indexes gets a warning and the slower full-table read,
    not an error. Checked once per database and process.
    """
    key = engine.url.render_as_string(hide_password=True)
    with _done_lock:
        if key in _done:
            return True
    if not sa.inspect(engine).has_table("events"):
        return False
    try:
        if index_state(engine) != "ready":
            _create(engine)
    except sa.exc.DBAPIError:
        logger.warning(
            "could not create the analytics indexes on the tracker store's events table; "
            "the support analytics will read the whole table",
            exc_info=True,
        )
        return False
    with _done_lock:
        _done.add(key)
    return True


def _create(engine: Engine) -> None:
    logger.info("creating the analytics indexes on the tracker store (once; seconds when large)")
    if engine.dialect.name == "postgresql":
        # CONCURRENTLY cannot run inside a transaction
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            invalid = conn.execute(
                sa.text(
                    "SELECT c.relname FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid"
                    " WHERE c.relname IN (:a, :b) AND NOT i.indisvalid"
                    " AND c.relnamespace = current_schema()::regnamespace"
                ),
                {"a": INDEX_NAME, "b": SLOTS_INDEX_NAME},
            ).scalars()
            for name in list(invalid):  # a build that failed half-way: start it again
                conn.execute(sa.text(f"DROP INDEX CONCURRENTLY IF EXISTS {name}"))
            for statement in create_index_sql(engine):
                conn.execute(sa.text(statement))
            for name in OLD_NAMES:  # the first version's, which the reader no longer uses
                conn.execute(sa.text(f"DROP INDEX CONCURRENTLY IF EXISTS {name}"))
        return
    with engine.begin() as conn:
        for statement in create_index_sql(engine):
            conn.execute(sa.text(statement))
        for name in OLD_NAMES:
            conn.execute(sa.text(f"DROP INDEX IF EXISTS {name}"))


def forget_checked() -> None:
    """Check again on the next call (for tests that drop the indexes)."""
    with _done_lock:
        _done.clear()

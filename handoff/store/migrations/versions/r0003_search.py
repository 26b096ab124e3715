"""Search in the console: the tickets' ``search_keys`` column, filled in for existing tickets.

Intake writes the column for every new ticket (handoff/search_keys.py); this revision adds it
and computes it from each existing ticket's stored context packet, in batches, so cases
handed off before the upgrade are found by order number, e-mail and phone too.

Revision ID: 0003
Revises: 0002
Created: 2026-12-07
"""

from __future__ import annotations

import json

import sqlalchemy as sa
from alembic import op

from contracts.packet import ContextPacket
from handoff.search_keys import search_keys

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

_BATCH = 500


def upgrade() -> None:
    with op.batch_alter_table("tickets") as batch:
        batch.add_column(sa.Column("search_keys", sa.Text(), nullable=True))
    _backfill(op.get_bind())


def _backfill(conn: sa.engine.Connection) -> None:
    tickets = sa.table(
        "tickets",
        sa.column("id", sa.Integer()),
        sa.column("context", sa.Text()),
        sa.column("search_keys", sa.Text()),
    )
    last = 0
    while True:
        rows = conn.execute(
            sa.select(tickets.c.id, tickets.c.context)
            .where(tickets.c.id > last)
            .order_by(tickets.c.id)
            .limit(_BATCH)
        ).all()
        if not rows:
            return
        for ticket_id, context in rows:
            try:
                stored = json.loads(context) if context else {}
            except ValueError:
                stored = {}  # an unreadable packet: the case is still found by name and text
            keys = search_keys(ContextPacket.from_stored(stored))
            if keys:
                conn.execute(
                    sa.update(tickets).where(tickets.c.id == ticket_id).values(search_keys=keys)
                )
        last = rows[-1][0]


def downgrade() -> None:
    with op.batch_alter_table("tickets") as batch:
        batch.drop_column("search_keys")

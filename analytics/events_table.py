"""Rasa's SQL tracker store table, as Rasa 3.6 defines it (``SQLTrackerStore.SQLEvent``).

Declared here so the analytics reader and the history seed can use it without importing
Rasa (seconds of start-up); ``tests/analytics`` checks that the two definitions agree. The
tracker store saves the slot name of a ``slot`` event in ``action_name`` and the intent of
a ``user`` event in ``intent_name``, which is what lets the reader skip decoding most rows.
"""

from __future__ import annotations

import sqlalchemy as sa

metadata = sa.MetaData()

events = sa.Table(
    "events",
    metadata,
    sa.Column("id", sa.Integer, sa.Sequence("events_seq", optional=True), primary_key=True),
    sa.Column("sender_id", sa.String(255), nullable=False, index=True),
    sa.Column("type_name", sa.String(255), nullable=False),
    sa.Column("timestamp", sa.Float),
    sa.Column("intent_name", sa.String(255)),
    sa.Column("action_name", sa.String(255)),
    sa.Column("data", sa.Text),
)

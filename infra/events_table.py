"""Rasa's SQL tracker store table, as Rasa 3.6 defines it (``SQLTrackerStore.SQLEvent``).

Declared here once, without importing Rasa (seconds of start-up); ``tests/analytics`` checks
that the two definitions agree. The tracker store saves the slot name of a ``slot`` event in
``action_name`` and the intent of a ``user`` event in ``intent_name``, which is what lets the
readers skip decoding most rows.

Who reads the table through this declaration (an import contract in pyproject.toml,
``[tool.importlinter]``, and ``tests/test_import_contracts.py``): :mod:`infra.tracker_events`, the
one reader for transcripts (trainers' inbox, the handoff packet, erasure, retention), and the
analytics reader (``analytics/``), whose queries match its covering indexes. Rasa's own
``SQLTrackerStore`` writes it.
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

"""What ``lint-imports`` cannot see about the "one events reader" contract (pyproject.toml,
``[tool.importlinter]``): it checks who imports Rasa's ``events`` table declaration
(infra/events_table.py), so this checks that nobody reaches the table without it — by
declaring it again, reflecting it, or naming it in raw SQL."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("bot", "actions", "connectors", "handoff", "fakes", "infra", "analytics")

# The declaration, and the analytics reader, whose queries match its covering indexes.
ALLOWED = ("infra/events_table.py", "analytics/")

_NAME = r"""["']events["']"""
REACHING_THE_TABLE = re.compile(
    rf"(?:Table|table)\(\s*{_NAME}"  # declaring it
    rf"|only\s*=\s*\[\s*{_NAME}"  # MetaData.reflect(only=["events"])
    rf"|(?:has_table|get_indexes|get_columns|_table)\([^)]*{_NAME}"  # inspecting or reflecting
    r"""|(?i:\b(?:from|into|update|join)\s+["']?events\b["']?\s*(?:where|set|values|\(|$|["']))""",
    re.MULTILINE,
)


def test_only_the_declaration_and_the_analytics_reader_name_the_events_table() -> None:
    found = []
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            relative = path.relative_to(ROOT).as_posix()
            if relative.startswith(ALLOWED):
                continue
            source = path.read_text(encoding="utf-8")
            for match in REACHING_THE_TABLE.finditer(source):
                line = source.count("\n", 0, match.start()) + 1
                found.append(f"{relative}:{line}: {match.group(0).strip()}")
    assert not found, (
        "Rasa's events table is read through infra/tracker_events.py (docs/architecture.md, "
        '"Code dependencies"):\n' + "\n".join(found)
    )


def test_the_pattern_catches_each_way_of_reaching_the_table() -> None:
    for line in (
        'events = sa.table("events", sa.column("id"))',
        'events_table = sa.table(\n    "events",\n    sa.column("id"),\n)',
        "meta.reflect(bind=conn, only=['events'])",
        'table = await _table(conn, "events")',
        'sa.inspect(engine).has_table("events")',
        'conn.execute(text("DELETE FROM events WHERE sender_id = :s"))',
        "SELECT data FROM events",
    ):
        assert REACHING_THE_TABLE.search(line), line
    for line in (
        'events = tracker.get("events")',
        '"events": [',
        "keeps only events from then on",
        'counts["tracker_events"] += 1',
    ):
        assert not REACHING_THE_TABLE.search(line), line

"""Reads and writes of the agents' console preferences (columns of the ``agents`` table)."""

from __future__ import annotations

from typing import Any, Optional

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from handoff.preferences import Preferences
from handoff.store import tables as t

#: The domain's field names and the columns that hold them.
_COLUMNS = {
    "language": "console_language",
    "notifications": "notifications",
    "sound": "notification_sound",
}


class PreferencesRepository:
    def __init__(self, conn: AsyncConnection) -> None:
        self.conn = conn

    async def get(self, agent_id: int) -> Optional[Preferences]:
        """The agent's preferences, or None for no such agent."""
        c = t.agents.c
        row = (
            await self.conn.execute(
                select(c.console_language, c.notifications, c.notification_sound).where(
                    c.id == agent_id
                )
            )
        ).first()
        if row is None:
            return None
        return Preferences(
            language=row.console_language,
            notifications=bool(row.notifications),
            sound=bool(row.notification_sound),
        )

    async def update(self, agent_id: int, changes: dict[str, Any]) -> None:
        values = {_COLUMNS[k]: v for k, v in changes.items()}
        if values:
            await self.conn.execute(
                update(t.agents).where(t.agents.c.id == agent_id).values(**values)
            )

"""Reads and writes of the ``canned_replies`` table (one repository per transaction)."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Optional

from sqlalchemy import func, insert, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncConnection

from handoff.domain import iso
from handoff.store import tables as t

_author = t.agents.alias("author")
_editor = t.agents.alias("editor")


def _public(row: Any) -> dict[str, Any]:
    return {
        "id": row.id,
        "language": row.language,
        "title": row.title,
        "body": row.body,
        "archived": bool(row.archived),
        "created_at": iso(row.created_at),
        "created_by": row.created_by_name,
        "updated_at": iso(row.updated_at),
        "updated_by": row.updated_by_name,
    }


class CannedRepository:
    def __init__(self, conn: AsyncConnection) -> None:
        self.conn = conn

    def _select(self) -> Any:
        c = t.canned_replies.c
        return (
            select(
                t.canned_replies,
                _author.c.display_name.label("created_by_name"),
                _editor.c.display_name.label("updated_by_name"),
            )
            .select_from(
                t.canned_replies.outerjoin(_author, _author.c.id == c.created_by).outerjoin(
                    _editor, _editor.c.id == c.updated_by
                )
            )
            .order_by(c.language, c.id)  # the seed first, in its order; then as added
        )

    async def count(self) -> int:
        return int(
            (await self.conn.execute(select(func.count()).select_from(t.canned_replies))).scalar()
            or 0
        )

    async def all(
        self, language: Optional[str] = None, archived: Optional[bool] = False
    ) -> list[dict[str, Any]]:
        query = self._select()
        if language is not None:
            query = query.where(t.canned_replies.c.language == language)
        if archived is not None:
            query = query.where(t.canned_replies.c.archived == archived)
        return [_public(row) for row in (await self.conn.execute(query)).all()]

    async def get(self, reply_id: int) -> Optional[dict[str, Any]]:
        row = (
            await self.conn.execute(self._select().where(t.canned_replies.c.id == reply_id))
        ).first()
        return _public(row) if row is not None else None

    async def create(
        self, language: str, title: str, body: str, agent_id: Optional[int], now: datetime
    ) -> int:
        result = await self.conn.execute(
            insert(t.canned_replies).values(
                language=language,
                title=title,
                body=body,
                archived=False,
                created_at=now,
                created_by=agent_id,
                updated_at=now,
                updated_by=agent_id,
            )
        )
        return int(result.inserted_primary_key[0])

    async def update(self, reply_id: int, agent_id: int, now: datetime, **values: Any) -> bool:
        result = await self.conn.execute(
            update(t.canned_replies)
            .where(t.canned_replies.c.id == reply_id)
            .values(updated_at=now, updated_by=agent_id, **values)
        )
        return bool(result.rowcount)

    async def seed(self, rows: list[dict[str, str]], now: datetime) -> int:
        """Insert the built-in replies, skipping any seed row already there (by its key)."""
        table = t.canned_replies
        statement = (
            pg_insert(table) if self.conn.dialect.name == "postgresql" else sqlite_insert(table)
        ).on_conflict_do_nothing(index_elements=["seed_key"])
        added = 0
        for row in rows:
            result = await self.conn.execute(
                statement.values(archived=False, created_at=now, updated_at=now, **row)
            )
            added += result.rowcount or 0
        return added

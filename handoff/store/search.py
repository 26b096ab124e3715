"""The console's search over tickets and messages, and a customer's cases (one repository
per transaction, as :class:`handoff.store.repository.HandoffRepository`).

Plain ``LIKE`` on lower-cased columns, so it runs the same on SQLite and PostgreSQL: order
numbers, e-mails and phones against the normalised ``search_keys`` (handoff/search_keys.py),
names against ``customer_name``, text against the customer's, the agents' and the private
notes' messages (not the system lines). Every pattern is escaped: a ``%`` or ``_`` typed by
an agent is a literal character. Newest first; the caller pages.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Optional

from sqlalchemy import and_, case, func, or_, select
from sqlalchemy.ext.asyncio import AsyncConnection

from handoff.domain import AGENT, CUSTOMER, NOTE, Ticket
from handoff.search_keys import Patterns
from handoff.store import tables as t
from handoff.store.repository import ticket_from_row, ticket_query

#: The message kinds a text search reads: what was said and the private notes.
SEARCHED_KINDS = (CUSTOMER, AGENT, NOTE)
ESCAPE = "\\"


def escape_like(value: str) -> str:
    """``value`` as literal text in a LIKE pattern (escape character ``\\``)."""
    return value.replace(ESCAPE, ESCAPE * 2).replace("%", ESCAPE + "%").replace("_", ESCAPE + "_")


def _contains(column: Any, pattern: str) -> Any:
    return func.lower(column).like(pattern, escape=ESCAPE)


@dataclass(frozen=True)
class Hit:
    ticket: Ticket
    matched: tuple[str, ...]  # order, email, phone, name, text


@dataclass(frozen=True)
class CustomerHit:
    customer_id: str
    name: Optional[str]
    cases: int
    last_case_at: Any
    channels: tuple[str, ...]


class SearchRepository:
    def __init__(self, conn: AsyncConnection) -> None:
        self.conn = conn

    @staticmethod
    def _conditions(p: Patterns) -> dict[str, Any]:
        tk, m = t.tickets.c, t.messages.c
        text = f"%{escape_like(p.text)}%"
        conditions: dict[str, Any] = {}
        if p.order:
            conditions["order"] = tk.search_keys.like(f"%|o:{escape_like(p.order)}%", escape=ESCAPE)
        if p.email:
            conditions["email"] = tk.search_keys.like(f"%|e:{escape_like(p.email)}%", escape=ESCAPE)
        if p.phone:
            conditions["phone"] = tk.search_keys.like(f"%{escape_like(p.phone)}:p|%", escape=ESCAPE)
        conditions["name"] = _contains(tk.customer_name, text)
        # One pass over the messages (not one lookup per ticket), then a set membership.
        conditions["text"] = tk.id.in_(
            select(m.ticket_id).where(m.kind.in_(SEARCHED_KINDS), _contains(m.text, text))
        )
        return conditions

    async def search(self, p: Patterns, offset: int, limit: int) -> list[Hit]:
        """Matching tickets newest first, each with the keys it matched by."""
        conditions = self._conditions(p)
        flags = [
            case((condition, 1), else_=0).label(f"by_{key}")
            for key, condition in conditions.items()
        ]
        query = (
            ticket_query()
            .add_columns(*flags)
            .where(or_(*conditions.values()))
            .order_by(t.tickets.c.created_at.desc(), t.tickets.c.id.desc())
            .offset(offset)
            .limit(limit)
        )
        rows = await self.conn.execute(query)
        return [
            Hit(
                ticket=ticket_from_row(row, with_context=False),
                matched=tuple(key for key in conditions if getattr(row, f"by_{key}")),
            )
            for row in rows
        ]

    async def matching_messages(self, p: Patterns, ticket_ids: list[int]) -> dict[int, Any]:
        """The first matching message of each of these tickets (for a snippet)."""
        if not ticket_ids:
            return {}
        m = t.messages.c
        rows = await self.conn.execute(
            select(m.ticket_id, m.kind, m.text)
            .where(
                m.ticket_id.in_(ticket_ids),
                m.kind.in_(SEARCHED_KINDS),
                _contains(m.text, f"%{escape_like(p.text)}%"),
            )
            .order_by(m.id)
        )
        first: dict[int, Any] = {}
        for row in rows:
            first.setdefault(row.ticket_id, row)
        return first

    async def customers(self, p: Patterns, limit: int) -> list[CustomerHit]:
        """The identified customers among the matching tickets, most recent first."""
        tk = t.tickets.c
        matching = and_(tk.customer_id.is_not(None), or_(*self._conditions(p).values()))
        rows = (
            await self.conn.execute(
                select(
                    tk.customer_id,
                    func.max(tk.customer_name).label("name"),
                    func.count().label("cases"),
                    func.max(tk.created_at).label("last_case_at"),
                )
                .where(matching)
                .group_by(tk.customer_id)
                .order_by(func.max(tk.created_at).desc())
                .limit(limit)
            )
        ).all()
        channels = await self._channels([r.customer_id for r in rows])
        return [
            CustomerHit(
                customer_id=r.customer_id,
                name=r.name,
                cases=int(r.cases),
                last_case_at=r.last_case_at,
                channels=tuple(sorted(channels.get(r.customer_id, ()))),
            )
            for r in rows
        ]

    async def _channels(self, customer_ids: list[str]) -> dict[str, set[str]]:
        if not customer_ids:
            return {}
        tk = t.tickets.c
        rows = await self.conn.execute(
            select(tk.customer_id, tk.channel).where(tk.customer_id.in_(customer_ids)).distinct()
        )
        found: dict[str, set[str]] = {}
        for row in rows:
            found.setdefault(row.customer_id, set()).add(row.channel)
        return found

    async def customer_cases(self, customer_id: str, offset: int, limit: int) -> list[Ticket]:
        """One customer's tickets on every channel, newest first."""
        rows = await self.conn.execute(
            ticket_query()
            .where(t.tickets.c.customer_id == customer_id)
            .order_by(t.tickets.c.created_at.desc(), t.tickets.c.id.desc())
            .offset(offset)
            .limit(limit)
        )
        return [ticket_from_row(row, with_context=False) for row in rows]

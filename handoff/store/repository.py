"""Reads and writes of the handoff database, returning :mod:`handoff.domain` values.

One repository per transaction: ``async with engine.begin() as conn: repo =
HandoffRepository(conn)``.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any, Optional

from sqlalchemy import and_, delete, func, insert, or_, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncConnection

from handoff.domain import (
    ACTIVE,
    AGENT_ROLE,
    CLOSED,
    OPEN_STATUSES,
    WAITING,
    Agent,
    Message,
    Ticket,
)
from handoff.store import tables as t

_claimer = t.agents.alias("claimer")


def _attachments(raw: Optional[str]) -> tuple[dict[str, Any], ...]:
    """A message's stored references; anything unreadable reads as none."""
    try:
        found = json.loads(raw) if raw else []
    except ValueError:
        return ()
    return tuple(a for a in found if isinstance(a, dict)) if isinstance(found, list) else ()


def _agent(row: Any) -> Agent:
    return Agent(
        id=row.id,
        username=row.username,
        display_name=row.display_name,
        slack_user_id=row.slack_user_id,
        last_seen_at=row.last_seen_at,
        role=row.role or AGENT_ROLE,
    )


def ticket_from_row(row: Any, with_context: bool = True) -> Ticket:
    """A ticket from a row of :func:`ticket_query` (the search builds on both)."""
    return Ticket(
        id=row.id,
        conversation_id=row.conversation_id,
        channel=row.channel,
        status=row.status,
        reason=row.reason,
        created_at=row.created_at,
        customer_id=row.customer_id,
        customer_name=row.customer_name,
        claimed_at=row.claimed_at,
        claimed_by=row.claimed_by,
        claimed_by_name=row.claimed_by_name,
        closed_at=row.closed_at,
        after_hours=bool(row.after_hours),
        csat_rating=row.csat_rating,
        csat_comment=row.csat_comment,
        rated_at=row.rated_at,
        slack_channel=row.slack_channel,
        slack_ts=row.slack_ts,
        context=json.loads(row.context) if with_context and row.context else {},
        team_id=row.team_id,
        team_name=row.team_name,
        queued_at=row.queued_at,
    )


def ticket_query() -> Any:
    """Tickets with the claimer's name and the team's: the one join every ticket read uses."""
    return select(
        t.tickets,
        _claimer.c.display_name.label("claimed_by_name"),
        t.teams.c.name.label("team_name"),
    ).select_from(
        t.tickets.outerjoin(_claimer, _claimer.c.id == t.tickets.c.claimed_by).outerjoin(
            t.teams, t.teams.c.id == t.tickets.c.team_id
        )
    )


class HandoffRepository:
    def __init__(self, conn: AsyncConnection) -> None:
        self.conn = conn

    def _insert_ignore(self, table: Any) -> Any:
        """INSERT that skips a row whose unique key exists (SQLite and PostgreSQL)."""
        if self.conn.dialect.name == "postgresql":
            return pg_insert(table).on_conflict_do_nothing()
        return sqlite_insert(table).on_conflict_do_nothing()

    # --- agents ----------------------------------------------------------------------

    async def create_agent(
        self,
        username: str,
        display_name: str,
        password_hash: Optional[str],
        now: datetime,
        slack_user_id: Optional[str] = None,
    ) -> int:
        result = await self.conn.execute(
            insert(t.agents).values(
                username=username,
                display_name=display_name,
                password_hash=password_hash,
                slack_user_id=slack_user_id,
                created_at=now,
            )
        )
        return int(result.inserted_primary_key[0])

    async def set_password(self, agent_id: int, password_hash: str) -> None:
        await self.conn.execute(
            update(t.agents).where(t.agents.c.id == agent_id).values(password_hash=password_hash)
        )

    async def set_role(self, agent_id: int, role: str) -> None:
        await self.conn.execute(update(t.agents).where(t.agents.c.id == agent_id).values(role=role))

    async def agent_with_hash(self, username: str) -> tuple[Optional[Agent], Optional[str]]:
        row = (
            await self.conn.execute(select(t.agents).where(t.agents.c.username == username))
        ).first()
        return (_agent(row), row.password_hash) if row else (None, None)

    async def agent_by_id(self, agent_id: int) -> Optional[Agent]:
        row = (await self.conn.execute(select(t.agents).where(t.agents.c.id == agent_id))).first()
        return _agent(row) if row else None

    async def agent_by_slack_user(self, slack_user_id: str) -> Optional[Agent]:
        row = (
            await self.conn.execute(
                select(t.agents).where(t.agents.c.slack_user_id == slack_user_id)
            )
        ).first()
        return _agent(row) if row else None

    async def touch_agent(self, agent_id: int, now: datetime) -> None:
        await self.conn.execute(
            update(t.agents).where(t.agents.c.id == agent_id).values(last_seen_at=now)
        )

    async def clear_presence(self, agent_id: int) -> None:
        await self.conn.execute(
            update(t.agents).where(t.agents.c.id == agent_id).values(last_seen_at=None)
        )

    async def agents_seen_since(self, since: datetime) -> set[int]:
        rows = await self.conn.execute(
            select(t.agents.c.id).where(t.agents.c.last_seen_at >= since)
        )
        return {int(r.id) for r in rows}

    # --- sessions --------------------------------------------------------------------

    async def add_session(
        self, token_hash: str, agent_id: int, now: datetime, expires: datetime
    ) -> None:
        await self.conn.execute(
            insert(t.agent_sessions).values(
                token_hash=token_hash, agent_id=agent_id, created_at=now, expires_at=expires
            )
        )

    async def agent_for_session(self, token_hash: str, now: datetime) -> Optional[Agent]:
        row = (
            await self.conn.execute(
                select(t.agents)
                .join(t.agent_sessions, t.agent_sessions.c.agent_id == t.agents.c.id)
                .where(
                    t.agent_sessions.c.token_hash == token_hash,
                    t.agent_sessions.c.expires_at > now,
                )
            )
        ).first()
        return _agent(row) if row else None

    async def delete_session(self, token_hash: str) -> None:
        await self.conn.execute(
            delete(t.agent_sessions).where(t.agent_sessions.c.token_hash == token_hash)
        )

    async def delete_sessions_of(self, agent_id: int) -> int:
        result = await self.conn.execute(
            delete(t.agent_sessions).where(t.agent_sessions.c.agent_id == agent_id)
        )
        return int(result.rowcount or 0)

    async def record_login_failure(self, username: str, client: str, at: datetime) -> None:
        await self.conn.execute(
            insert(t.login_failures).values(username=username[:80], client=client, at=at)
        )

    async def login_failures_since(
        self, since: datetime, *, username: Optional[str] = None, client: Optional[str] = None
    ) -> int:
        f = t.login_failures
        conds = [f.c.at >= since]
        if username is not None:
            conds.append(f.c.username == username[:80])
        if client is not None:
            conds.append(f.c.client == client)
        query = select(func.count()).select_from(f).where(and_(*conds))
        return int((await self.conn.execute(query)).scalar_one())

    async def forget_login_failures(self, username: str, client: str, before: datetime) -> None:
        f = t.login_failures
        await self.conn.execute(
            delete(f).where(
                or_(f.c.at < before, and_(f.c.username == username[:80], f.c.client == client))
            )
        )

    async def delete_expired_sessions(self, now: datetime) -> None:
        await self.conn.execute(
            delete(t.agent_sessions).where(t.agent_sessions.c.expires_at <= now)
        )

    # --- tickets ---------------------------------------------------------------------

    async def open_ticket_for(self, conversation_id: str) -> Optional[Ticket]:
        row = (
            await self.conn.execute(
                ticket_query()
                .where(
                    t.tickets.c.conversation_id == conversation_id,
                    t.tickets.c.status.in_(OPEN_STATUSES),
                )
                .order_by(t.tickets.c.id.desc())
            )
        ).first()
        return ticket_from_row(row) if row else None

    async def latest_ticket_for(self, conversation_id: str) -> Optional[Ticket]:
        row = (
            await self.conn.execute(
                ticket_query()
                .where(t.tickets.c.conversation_id == conversation_id)
                .order_by(t.tickets.c.id.desc())
            )
        ).first()
        return ticket_from_row(row) if row else None

    async def insert_ticket(
        self,
        *,
        conversation_id: str,
        channel: str,
        customer_id: Optional[str],
        customer_name: Optional[str],
        reason: str,
        after_hours: bool,
        context: dict[str, Any],
        now: datetime,
        search_keys: str = "",
        team_id: Optional[int] = None,
    ) -> int:
        result = await self.conn.execute(
            insert(t.tickets).values(
                team_id=team_id,
                conversation_id=conversation_id,
                channel=channel,
                customer_id=customer_id,
                customer_name=customer_name,
                reason=reason,
                status=WAITING,
                created_at=now,
                after_hours=after_hours,
                context=json.dumps(context, default=str),
                search_keys=search_keys or None,
            )
        )
        return int(result.inserted_primary_key[0])

    async def get_ticket(self, ticket_id: int, with_context: bool = True) -> Optional[Ticket]:
        row = (await self.conn.execute(ticket_query().where(t.tickets.c.id == ticket_id))).first()
        return ticket_from_row(row, with_context) if row else None

    async def ticket_by_slack_ts(self, ts: str) -> Optional[Ticket]:
        row = (await self.conn.execute(ticket_query().where(t.tickets.c.slack_ts == ts))).first()
        return ticket_from_row(row) if row else None

    async def list_tickets(self, statuses: tuple[str, ...], limit: int = 200) -> list[Ticket]:
        """Open tickets oldest first (a queue); closed ones newest first."""
        order = t.tickets.c.id.desc() if statuses == (CLOSED,) else t.tickets.c.id.asc()
        rows = await self.conn.execute(
            ticket_query().where(t.tickets.c.status.in_(statuses)).order_by(order).limit(limit)
        )
        return [ticket_from_row(r, with_context=False) for r in rows]

    async def queue_position(self, ticket_id: int) -> int:
        """1 for the oldest waiting ticket."""
        return int(
            (
                await self.conn.execute(
                    select(func.count()).where(
                        t.tickets.c.status == WAITING, t.tickets.c.id <= ticket_id
                    )
                )
            ).scalar_one()
        )

    async def recent_claim_waits(self, since: datetime, limit: int = 20) -> list[float]:
        rows = await self.conn.execute(
            select(t.tickets.c.created_at, t.tickets.c.claimed_at)
            .where(t.tickets.c.claimed_at.is_not(None), t.tickets.c.created_at >= since)
            .order_by(t.tickets.c.id.desc())
            .limit(limit)
        )
        return [(r.claimed_at - r.created_at).total_seconds() for r in rows]

    async def claim(self, ticket_id: int, agent_id: int, now: datetime) -> bool:
        """Claim a waiting ticket; ``False`` if it is not waiting any more."""
        result = await self.conn.execute(
            update(t.tickets)
            .where(t.tickets.c.id == ticket_id, t.tickets.c.status == WAITING)
            .values(status=ACTIVE, claimed_at=now, claimed_by=agent_id)
        )
        return bool(result.rowcount)

    async def close(self, ticket_id: int, agent_id: Optional[int], now: datetime) -> bool:
        result = await self.conn.execute(
            update(t.tickets)
            .where(t.tickets.c.id == ticket_id, t.tickets.c.status.in_(OPEN_STATUSES))
            .values(status=CLOSED, closed_at=now, closed_by=agent_id)
        )
        return bool(result.rowcount)

    async def set_csat(
        self, ticket_id: int, rating: Optional[int], comment: Optional[str], now: datetime
    ) -> bool:
        values: dict[str, Any] = {"rated_at": now}
        if rating is not None:
            values["csat_rating"] = rating
        if comment is not None:
            values["csat_comment"] = comment
        result = await self.conn.execute(
            update(t.tickets).where(t.tickets.c.id == ticket_id).values(**values)
        )
        return bool(result.rowcount)

    async def set_slack(self, ticket_id: int, channel: str, ts: str) -> None:
        await self.conn.execute(
            update(t.tickets)
            .where(t.tickets.c.id == ticket_id)
            .values(slack_channel=channel, slack_ts=ts)
        )

    async def earlier_tickets(
        self, customer_id: Optional[str], conversation_id: str, before_id: int, limit: int = 5
    ) -> list[Ticket]:
        """This customer's earlier handoffs, on any channel (or this conversation's, if the
        customer is anonymous), newest first."""
        who = (
            or_(
                t.tickets.c.customer_id == customer_id,
                t.tickets.c.conversation_id == conversation_id,
            )
            if customer_id
            else t.tickets.c.conversation_id == conversation_id
        )
        rows = await self.conn.execute(
            ticket_query()
            .where(who, t.tickets.c.id < before_id)
            .order_by(t.tickets.c.id.desc())
            .limit(limit)
        )
        return [ticket_from_row(r, with_context=False) for r in rows]

    # --- messages --------------------------------------------------------------------

    async def add_message(
        self,
        ticket_id: int,
        kind: str,
        text: str,
        now: datetime,
        agent_id: Optional[int] = None,
        external_key: Optional[str] = None,
        attachments: Optional[list[dict[str, Any]]] = None,
    ) -> Optional[int]:
        """The new message's id; ``None`` if a message with this key is already stored."""
        result = await self.conn.execute(
            self._insert_ignore(t.messages).values(
                ticket_id=ticket_id,
                kind=kind,
                text=text,
                created_at=now,
                agent_id=agent_id,
                external_key=external_key,
                attachments=json.dumps(attachments) if attachments else None,
            )
        )
        if not result.rowcount:
            return None
        return int(result.inserted_primary_key[0])

    async def message_with_key(self, external_key: str) -> Optional[Message]:
        rows = await self._messages(t.messages.c.external_key == external_key)
        return rows[0] if rows else None

    async def get_message(self, message_id: int) -> Optional[Message]:
        rows = await self._messages(t.messages.c.id == message_id)
        return rows[0] if rows else None

    async def messages_for(self, ticket_id: int) -> list[Message]:
        return await self._messages(t.messages.c.ticket_id == ticket_id)

    async def _messages(self, where: Any) -> list[Message]:
        m, a, o = t.messages, t.agents, t.outbound
        rows = await self.conn.execute(
            select(
                m,
                a.c.display_name.label("agent_name"),
                o.c.id.label("outbound_id"),
                o.c.delivered_at,
                o.c.failed,
            )
            .outerjoin(a, a.c.id == m.c.agent_id)
            .outerjoin(o, o.c.message_id == m.c.id)
            .where(where)
            .order_by(m.c.id)
        )
        return [
            Message(
                id=r.id,
                ticket_id=r.ticket_id,
                kind=r.kind,
                text=r.text,
                created_at=r.created_at,
                agent_id=r.agent_id,
                agent_name=r.agent_name,
                delivered=(r.delivered_at is not None)
                if r.kind == "agent" or r.outbound_id is not None
                else None,
                attachments=_attachments(r.attachments),
            )
            for r in rows
        ]

    # --- outbound (to the relay) -----------------------------------------------------

    async def add_outbound(
        self,
        ticket_id: int,
        conversation_id: str,
        kind: str,
        payload: dict[str, Any],
        now: datetime,
        message_id: Optional[int] = None,
    ) -> int:
        result = await self.conn.execute(
            insert(t.outbound).values(
                ticket_id=ticket_id,
                conversation_id=conversation_id,
                kind=kind,
                message_id=message_id,
                payload=json.dumps(payload),
                created_at=now,
                attempts=0,
                failed=False,
            )
        )
        return int(result.inserted_primary_key[0])

    async def pending_conversations(self, now: datetime) -> list[str]:
        o = t.outbound
        rows = await self.conn.execute(
            select(o.c.conversation_id)
            .where(
                o.c.delivered_at.is_(None),
                o.c.failed.is_(False),
                or_(o.c.next_attempt_at.is_(None), o.c.next_attempt_at <= now),
            )
            .group_by(o.c.conversation_id)
        )
        return [r.conversation_id for r in rows]

    async def pending_for(self, conversation_id: str) -> list[Any]:
        o = t.outbound
        return list(
            await self.conn.execute(
                select(o)
                .where(
                    and_(
                        o.c.conversation_id == conversation_id,
                        o.c.delivered_at.is_(None),
                        o.c.failed.is_(False),
                    )
                )
                .order_by(o.c.id)
            )
        )

    async def mark_delivered(self, outbound_id: int, now: datetime) -> None:
        o = t.outbound
        await self.conn.execute(
            update(o)
            .where(o.c.id == outbound_id)
            .values(delivered_at=now, attempts=o.c.attempts + 1)
        )

    async def mark_attempt_failed(
        self, outbound_id: int, error: str, retry_at: Optional[datetime]
    ) -> None:
        o = t.outbound
        await self.conn.execute(
            update(o)
            .where(o.c.id == outbound_id)
            .values(
                attempts=o.c.attempts + 1,
                last_error=error[:200],
                next_attempt_at=retry_at,
                failed=retry_at is None,
            )
        )

    # --- slack -----------------------------------------------------------------------

    async def remember_slack_event(self, event_id: str, now: datetime) -> bool:
        """``True`` the first time an event id is seen."""
        result = await self.conn.execute(
            self._insert_ignore(t.slack_events).values(event_id=event_id, received_at=now)
        )
        return bool(result.rowcount)

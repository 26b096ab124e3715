"""Agents' accounts: creating them, console logins and sessions, presence, Slack users."""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime, timedelta
from typing import Optional

from handoff.domain import LEAD_ROLE, ROLES, Agent
from handoff.security import hash_password, new_session_token, token_digest, verify_password
from handoff.service_core import (
    LOGIN_MAX_FAILURES,
    LOGIN_WINDOW,
    TOUCH_EVERY,
    LoginThrottled,
    ServiceCore,
)
from handoff.store.repository import HandoffRepository
from infra.sql import begin

logger = logging.getLogger(__name__)


class Accounts(ServiceCore):
    """Who the agents are, who is logged in and who is online."""

    async def create_agent(
        self, username: str, display_name: str, password: str, role: Optional[str] = None
    ) -> int:
        """Add an agent, or reset an existing one's password; ``role`` ("agent" or "lead")
        is changed only when given."""
        if role is not None and role not in ROLES:
            raise ValueError(f"role is one of {', '.join(ROLES)}")
        async with begin(self.engine) as conn:
            repo = HandoffRepository(conn)
            existing, _ = await repo.agent_with_hash(username)
            hashed = await asyncio.to_thread(hash_password, password)
            if existing is not None:
                await repo.set_password(existing.id, hashed)
                # A new password ends every session: whoever knew the old one is logged out.
                ended = await repo.delete_sessions_of(existing.id)
                if ended:
                    logger.info("password reset: %s console session(s) ended", ended)
                agent_id = existing.id
            else:
                agent_id = await repo.create_agent(username, display_name, hashed, self.now())
            if role is not None:
                await repo.set_role(agent_id, role)
            return agent_id

    async def ensure_demo_agent(self) -> None:
        s = self.settings
        if not (s.demo_agent and s.demo_password):
            return
        async with self.engine.connect() as conn:
            agent, stored = await HandoffRepository(conn).agent_with_hash(s.demo_username)
        if (
            agent is not None
            and stored is not None
            and agent.is_lead
            and await asyncio.to_thread(verify_password, s.demo_password, stored)
        ):
            return
        # The demo agent is a lead, so a fresh `make run` shows the analytics dashboard too.
        await self.create_agent(s.demo_username, s.demo_display_name, s.demo_password, LEAD_ROLE)

    async def login(
        self, username: str, password: str, client: str = "unknown"
    ) -> Optional[tuple[str, Agent]]:
        """A new session for the agent, or None for a wrong username or password.

        Raises :class:`LoginThrottled` after too many failures within ``LOGIN_WINDOW``: from
        this client for this username, from this client for any username, or for this
        username from everyone (guessing spread over many addresses). A stranger at another
        address cannot lock an agent out with a few wrong passwords."""
        now = self.now()
        since = now - LOGIN_WINDOW
        async with self.engine.connect() as conn:
            repo = HandoffRepository(conn)
            if (
                await repo.login_failures_since(since, username=username, client=client)
                >= LOGIN_MAX_FAILURES
                or await repo.login_failures_since(since, client=client) >= LOGIN_MAX_FAILURES * 4
                or await repo.login_failures_since(since, username=username)
                >= LOGIN_MAX_FAILURES * 20
            ):
                raise LoginThrottled(int(LOGIN_WINDOW.total_seconds()))
            agent, stored = await repo.agent_with_hash(username)
        ok = await asyncio.to_thread(verify_password, password, stored)
        if agent is None or not ok:
            async with begin(self.engine) as conn:
                await HandoffRepository(conn).record_login_failure(username, client, now)
            return None
        token = new_session_token()
        async with begin(self.engine) as conn:
            repo = HandoffRepository(conn)
            await repo.forget_login_failures(username, client, since)
            await repo.delete_expired_sessions(now)
            await repo.add_session(
                token_digest(token),
                agent.id,
                now,
                now + timedelta(hours=self.settings.session_hours),
            )
            await repo.touch_agent(agent.id, now)
        self._touched[agent.id] = now
        return token, agent

    async def agent_for_token(self, token: str) -> Optional[Agent]:
        now = self.now()
        async with self.engine.connect() as conn:
            agent = await HandoffRepository(conn).agent_for_session(token_digest(token), now)
        if agent is not None and now - self._touched.get(agent.id, datetime.min) > TOUCH_EVERY:
            self._touched[agent.id] = now
            async with begin(self.engine) as conn:
                await HandoffRepository(conn).touch_agent(agent.id, now)
        return agent

    async def logout(self, token: str, agent: Agent) -> None:
        async with begin(self.engine) as conn:
            repo = HandoffRepository(conn)
            await repo.delete_session(token_digest(token))
            await repo.clear_presence(agent.id)
        self._touched.pop(agent.id, None)

    async def agents_online(self) -> int:
        since = self.now() - timedelta(seconds=self.settings.presence_seconds)
        async with self.engine.connect() as conn:
            seen = await HandoffRepository(conn).agents_seen_since(since)
        return len(seen | self.hub.connected_agents())

    async def slack_agent(self, slack_user_id: str, name: str) -> Agent:
        """The agent record of a Slack user (created on first use; no password)."""
        async with begin(self.engine) as conn:
            repo = HandoffRepository(conn)
            agent = await repo.agent_by_slack_user(slack_user_id)
            if agent is None:
                agent_id = await repo.create_agent(
                    f"slack:{slack_user_id}", name, None, self.now(), slack_user_id=slack_user_id
                )
                agent = await repo.agent_by_id(agent_id)
            assert agent is not None
            await repo.touch_agent(agent.id, self.now())
        return agent

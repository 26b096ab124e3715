"""The lead role on agent accounts: older databases gain it, the demo agent is a lead."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa

from handoff.domain import Agent
from handoff.store.db import create_engine, create_schema
from handoff.store.repository import HandoffRepository


async def test_a_database_from_before_roles_gets_the_column_and_everyone_stays_an_agent(
    tmp_path: Path,
) -> None:
    url = f"sqlite:///{tmp_path / 'old.db'}"
    old = sa.create_engine(url, future=True)
    with old.begin() as conn:  # the agents table as the first release created it
        conn.execute(
            sa.text(
                "CREATE TABLE agents (id INTEGER PRIMARY KEY, username VARCHAR(80) NOT NULL "
                "UNIQUE, display_name VARCHAR(80) NOT NULL, password_hash VARCHAR(200), "
                "slack_user_id VARCHAR(40) UNIQUE, created_at DATETIME NOT NULL, "
                "last_seen_at DATETIME)"
            )
        )
        conn.execute(
            sa.text(
                "INSERT INTO agents (username, display_name, created_at) "
                "VALUES ('sam', 'Sam', '2026-01-01 00:00:00')"
            )
        )
    old.dispose()
    engine = create_engine(url)
    await create_schema(engine)
    await create_schema(engine)  # and again: nothing to add the second time
    async with engine.begin() as conn:
        repo = HandoffRepository(conn)
        sam, _ = await repo.agent_with_hash("sam")
        assert sam is not None and sam.role == "agent" and not sam.is_lead
        await repo.set_role(sam.id, "lead")
        lead, _ = await repo.agent_with_hash("sam")
    await engine.dispose()
    assert lead is not None and lead.is_lead
    assert lead.public()["role"] == "lead"


def test_only_the_lead_role_sees_the_analytics() -> None:
    assert Agent(1, "a", "A", role="lead").is_lead
    assert not Agent(2, "b", "B").is_lead


@pytest.mark.parametrize("role", ["admin", ""])
async def test_an_unknown_role_is_refused(tmp_path: Path, role: str) -> None:
    from handoff.live import Hub
    from handoff.relay import RelayClient
    from handoff.services import HandoffService
    from handoff.settings import load_settings

    engine = create_engine(f"sqlite:///{tmp_path / 'h.db'}")
    await create_schema(engine)
    service = HandoffService(engine, load_settings(), Hub(), RelayClient("http://127.0.0.1:9", ""))
    with pytest.raises(ValueError, match="role is one of agent, lead"):
        await service.create_agent("kim", "Kim", "a long password", role)
    await engine.dispose()

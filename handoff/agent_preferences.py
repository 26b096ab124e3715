"""Agents' console preferences: read with ``/api/me``, changed with ``PUT /api/me/preferences``.

A part of :class:`handoff.services.HandoffService` (see handoff/services.py). What may be
saved is decided in :mod:`handoff.preferences`; the values are columns of the ``agents`` table
(handoff/store/preferences.py). An agent only ever reads and changes their own.
"""

from __future__ import annotations

from typing import Any

from handoff.preferences import Preferences, parse_changes
from handoff.service_core import ServiceCore
from handoff.store.preferences import PreferencesRepository
from infra.sql import begin


class AgentPreferences(ServiceCore):
    async def preferences(self, agent_id: int) -> Preferences:
        """The agent's preferences (the defaults for an agent who never changed them)."""
        async with self.engine.connect() as conn:
            found = await PreferencesRepository(conn).get(agent_id)
        return found or Preferences()

    async def set_preferences(self, agent_id: int, body: Any) -> Preferences:
        """Save what ``body`` changes (only the fields it holds); raises
        :class:`handoff.preferences.PreferencesInvalid` with the reason, saving nothing."""
        changes: dict[str, Any] = parse_changes(body)
        async with begin(self.engine) as conn:
            repo = PreferencesRepository(conn)
            await repo.update(agent_id, changes)
            saved = await repo.get(agent_id)
        return saved or Preferences()

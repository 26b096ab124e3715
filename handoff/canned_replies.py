"""Canned replies as data: leads add, edit and archive them; every agent lists them.

A part of :class:`handoff.services.HandoffService` (see handoff/services.py). The rules (what
a lead may save, the placeholders) are in :mod:`handoff.canned`; the rows in the
``canned_replies`` table (handoff/store/canned.py).
"""

from __future__ import annotations

import logging
from typing import Any, Optional

from handoff import canned
from handoff.domain import Agent
from handoff.service_core import NotFound, ServiceCore
from handoff.store.canned import CannedRepository
from infra.sql import begin

logger = logging.getLogger(__name__)


class CannedReplies(ServiceCore):
    async def seed_canned_replies(self) -> int:
        """On the first start (no canned reply at all yet), the built-in replies in every
        language, so a fresh install offers what Baton always offered. Idempotent, and
        replicas starting together add each once (the rows' ``seed_key`` is unique); a shop
        whose leads archived every reply is not seeded again."""
        async with begin(self.engine) as conn:
            repo = CannedRepository(conn)
            if await repo.count():
                return 0
            added = await repo.seed(canned.seed_rows(self.settings.canned_replies), self.now())
        if added:
            logger.info("canned replies: %s built-in replies added", added)
        return added

    async def canned_replies(
        self, language: Optional[str] = None, archived: Optional[bool] = False
    ) -> list[dict[str, Any]]:
        async with self.engine.connect() as conn:
            return await CannedRepository(conn).all(language, archived)

    async def create_canned_reply(
        self, agent: Agent, language: object, title: object, body: object
    ) -> dict[str, Any]:
        lang, clean_title, clean_body = canned.validate(language, title, body)
        async with begin(self.engine) as conn:
            repo = CannedRepository(conn)
            reply_id = await repo.create(lang, clean_title, clean_body, agent.id, self.now())
            created = await repo.get(reply_id)
        assert created is not None
        logger.info("canned reply %s added by agent %s", reply_id, agent.id)
        return created

    async def edit_canned_reply(
        self, agent: Agent, reply_id: int, changes: dict[str, Any]
    ) -> dict[str, Any]:
        """Change a reply's language, title, body or ``archived`` (what ``changes`` holds)."""
        async with begin(self.engine) as conn:
            repo = CannedRepository(conn)
            current = await repo.get(reply_id)
            if current is None:
                raise NotFound(reply_id)
            values: dict[str, Any] = {}
            if {"language", "title", "body"} & changes.keys():
                lang, title, body = canned.validate(
                    changes.get("language", current["language"]),
                    changes.get("title", current["title"]),
                    changes.get("body", current["body"]),
                )
                values.update(language=lang, title=title, body=body)
            if "archived" in changes:
                if not isinstance(changes["archived"], bool):
                    raise canned.CannedReplyInvalid("archived is true or false")
                values["archived"] = changes["archived"]
            if not values:
                raise canned.CannedReplyInvalid("send language, title, body or archived")
            await repo.update(reply_id, agent.id, self.now(), **values)
            updated = await repo.get(reply_id)
        assert updated is not None
        return updated

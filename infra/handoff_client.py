"""HTTP client for the handoff service, used by the action server and the Rasa server.

Every call has a short timeout (the customer is waiting) and the service token; a failure is
raised as :class:`HandoffUnavailable` so callers decide what the customer hears. The client
keeps one keep-alive session per event loop. No request or response body is logged: the
context packet is full of personal data.
"""

from __future__ import annotations

import asyncio
import logging
import os
from typing import Any, Optional

import aiohttp

from contracts.packet import ContextPacket, fallback_packet
from contracts.relayed import RelayedMessage, attachment_of
from infra.secrets import secret_from_env

logger = logging.getLogger(__name__)

DEFAULT_URL = "http://localhost:5080"
# Pooled connections are dropped before the service would close them (it keeps them 75 s).
KEEPALIVE_SECONDS = 30


class HandoffUnavailable(Exception):
    """The handoff service could not be reached or refused the call.

    ``status`` is the HTTP status when it answered: a 4xx other than 401, 403, 408 or 429
    means this request will never be accepted as it is (the outbox gives up on it).
    ``reason`` is the service's own explanation of a 4xx, when it gave one."""

    def __init__(
        self, message: str, status: Optional[int] = None, reason: Optional[str] = None
    ) -> None:
        super().__init__(message)
        self.status = status
        self.reason = reason


async def _error_of(resp: aiohttp.ClientResponse) -> Optional[str]:
    """The ``error`` of a 4xx answer: the service's reason (it never holds personal data)."""
    if not 400 <= resp.status < 500:
        return None
    try:
        data = await resp.json(content_type=None)
    except Exception:
        return None
    error = data.get("error") if isinstance(data, dict) else None
    return error[:500] if isinstance(error, str) else None


class HandoffClient:
    def __init__(
        self,
        base_url: Optional[str] = None,
        token: Optional[str] = None,
        timeout_seconds: float = 3.0,
    ) -> None:
        self.base_url = (base_url or os.environ.get("HANDOFF_URL") or DEFAULT_URL).rstrip("/")
        self._token = token or secret_from_env("HANDOFF_SERVICE_TOKEN")
        self._timeout = aiohttp.ClientTimeout(total=timeout_seconds, connect=1.0)
        self._sessions: dict[int, aiohttp.ClientSession] = {}

    def _session(self) -> aiohttp.ClientSession:
        key = id(asyncio.get_running_loop())
        session = self._sessions.get(key)
        if session is None or session.closed:
            session = aiohttp.ClientSession(
                timeout=self._timeout,
                headers={"Authorization": f"Bearer {self._token}"},
                connector=aiohttp.TCPConnector(keepalive_timeout=KEEPALIVE_SECONDS),
            )
            self._sessions[key] = session
        return session

    async def _post(self, path: str, body: dict[str, Any]) -> dict[str, Any]:
        """POST once more if a pooled connection turns out closed: every call is idempotent
        (a ticket per conversation, a message per key, a rating per ticket)."""
        for attempt in (1, 2):
            try:
                async with self._session().post(f"{self.base_url}{path}", json=body) as resp:
                    if resp.status >= 300:
                        reason = await _error_of(resp)
                        raise HandoffUnavailable(
                            f"handoff service answered HTTP {resp.status}"
                            + (f": {reason}" if reason else ""),
                            status=resp.status,
                            reason=reason,
                        )
                    data = await resp.json(content_type=None)
                return data if isinstance(data, dict) else {}
            except (aiohttp.ServerDisconnectedError, aiohttp.ClientOSError) as exc:
                if attempt == 2:
                    raise HandoffUnavailable(
                        f"handoff service unreachable: {type(exc).__name__}"
                    ) from exc
            except (aiohttp.ClientError, asyncio.TimeoutError, ValueError) as exc:
                raise HandoffUnavailable(
                    f"handoff service unreachable: {type(exc).__name__}"
                ) from exc
        raise HandoffUnavailable("unreachable")  # pragma: no cover

    async def open_ticket(self, packet: ContextPacket) -> dict[str, Any]:
        """Open (or find) the handoff for this conversation: ticket id, queue position,
        agents online, estimate, business hours.

        If the service refuses the packet itself (HTTP 400: a part it cannot read, a version
        it does not know), the parts a ticket needs are sent once more on their own
        (:func:`contracts.packet.fallback_packet`, the refusal noted for the agent), so the
        customer still reaches a person."""
        try:
            return await self._post("/api/bot/tickets", packet.to_dict())
        except HandoffUnavailable as exc:
            if exc.status != 400:
                raise
            logger.warning("the handoff service refused the context packet: %s", exc)
            fallback = fallback_packet(packet, exc.reason or str(exc))
            return await self._post("/api/bot/tickets", fallback.to_dict())

    async def forward(
        self,
        conversation_id: str,
        key: str,
        text: str,
        sent_at: Optional[float] = None,
        attachments: Optional[list[dict[str, Any]]] = None,
    ) -> dict[str, Any]:
        """A customer message written while the conversation is with an agent, with the
        references of the photos or files it brought (:mod:`contracts.relayed`)."""
        message = RelayedMessage(
            conversation_id=conversation_id,
            key=key,
            text=text,
            sent_at=sent_at,
            attachments=[attachment_of(a) for a in attachments or []],
        )
        return await self._post("/api/bot/messages", message.to_dict())

    async def record_csat(
        self, ticket_id: int, rating: Optional[int] = None, comment: Optional[str] = None
    ) -> dict[str, Any]:
        body: dict[str, Any] = {}
        if rating is not None:
            body["rating"] = rating
        if comment:
            body["comment"] = comment
        return await self._post(f"/api/bot/tickets/{int(ticket_id)}/csat", body)

    async def close(self) -> None:
        for session in self._sessions.values():
            await session.close()
        self._sessions.clear()


_default: Optional[HandoffClient] = None


def get_client() -> HandoffClient:
    """The process-wide client (configured from the environment)."""
    global _default
    if _default is None:
        _default = HandoffClient(timeout_seconds=float(os.environ.get("HANDOFF_TIMEOUT", "3")))
    return _default

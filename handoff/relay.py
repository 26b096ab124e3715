"""The handoff service's side of the relay: calls to the Rasa server's ``/webhooks/relay``.

Each call carries the relay bearer token and an idempotency key (``message_id``): the relay
stores the keys it has delivered, so retrying after a timeout never shows the customer the
same message twice.
"""

from __future__ import annotations

import asyncio
from typing import Any, Optional

import aiohttp


class RelayError(Exception):
    """The relay could not take the call now; try again later."""


class RelayRejected(Exception):
    """The relay refused the call for good (unknown conversation, bad request).
    ``window_closed``: WhatsApp's 24-hour window is why (only a template may go now)."""

    def __init__(self, message: str, reason: Optional[str] = None, window_closed: bool = False):
        super().__init__(message)
        self.reason = reason
        self.window_closed = window_closed


class RelayClient:
    def __init__(self, base_url: str, token: str, timeout_seconds: float = 3.0) -> None:
        self.base_url = base_url.rstrip("/")
        self._token = token
        self._timeout = aiohttp.ClientTimeout(total=timeout_seconds, connect=1.0)
        self._session: Optional[aiohttp.ClientSession] = None

    async def start(self) -> None:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(
                timeout=self._timeout,
                headers={"Authorization": f"Bearer {self._token}"},
                connector=aiohttp.TCPConnector(limit=50, keepalive_timeout=30),
            )

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None

    async def send(self, kind: str, payload: dict[str, Any]) -> dict[str, Any]:
        """POST one delivery (``message`` or ``close``) to the relay."""
        await self.start()
        assert self._session is not None
        for attempt in (1, 2):  # once more on a pooled connection found closed (idempotent)
            try:
                async with self._session.post(f"{self.base_url}/{kind}", json=payload) as resp:
                    body = await resp.json(content_type=None) if resp.content_length != 0 else {}
                    if resp.status in (400, 404, 409, 422):
                        reason = body.get("error") if isinstance(body, dict) else None
                        raise RelayRejected(
                            f"relay refused the {kind}: HTTP {resp.status}"
                            + (f" ({reason})" if reason else ""),
                            str(reason) if reason else None,
                            isinstance(body, dict) and body.get("window_closed") is True,
                        )
                    if resp.status >= 300:
                        raise RelayError(f"relay answered HTTP {resp.status}")
                    return body if isinstance(body, dict) else {}
            except (aiohttp.ServerDisconnectedError, aiohttp.ClientOSError) as exc:
                if attempt == 2:
                    raise RelayError(f"relay unreachable: {type(exc).__name__}") from exc
            except (aiohttp.ClientError, asyncio.TimeoutError) as exc:
                raise RelayError(f"relay unreachable: {type(exc).__name__}") from exc
        raise RelayError("relay unreachable")  # pragma: no cover

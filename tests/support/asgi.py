"""Requests to a Sanic app in this process, through its ASGI interface: no socket, no server.

What ``sanic-testing``'s ``app.asgi_client`` does for Sanic 21.12, in a few lines over
``httpx2`` (already pinned in requirements.lock): sanic-testing 0.8.x, the line for Sanic
21.12, needs ``httpx<0.24`` and with it two more packages the lock does not have. Unlike
sanic-testing, the app's server listeners run once per client (``before_server_start`` ...
``after_server_stop``) rather than around every request, so one test can log in and then use
the session.
"""

from __future__ import annotations

import warnings
from types import TracebackType
from typing import Any, Optional

import httpx2
from sanic import Sanic

BASE_URL = "http://127.0.0.1:5080"


class SanicClient:
    """``async with SanicClient(app) as client: await client.get("/api/tickets")``."""

    def __init__(self, app: Sanic, base_url: str = BASE_URL) -> None:
        self.app = app
        app.asgi = True
        self.http = httpx2.AsyncClient(
            transport=httpx2.ASGITransport(app=app, client=("127.0.0.1", 50000)),
            base_url=base_url,
        )

    async def __aenter__(self) -> SanicClient:
        # Test mode: Sanic keeps its original request handler to rewrite at each start (it can
        # rewrite an already rewritten one only once) and allows apps of the same name.
        self._test_mode = Sanic.test_mode
        Sanic.test_mode = True
        with warnings.catch_warnings():  # "a listener ... in ASGI mode": we run them ourselves
            warnings.simplefilter("ignore", UserWarning)
            self.app.router.reset()
            self.app.signal_router.reset()
            await self.app._startup()
            await self.app._server_event("init", "before")  # before_server_start
            await self.app._server_event("init", "after")  # after_server_start
        return self

    async def __aexit__(
        self,
        kind: Optional[type[BaseException]],
        error: Optional[BaseException],
        trace: Optional[TracebackType],
    ) -> None:
        await self.http.aclose()
        await self.app._server_event("shutdown", "before")  # before_server_stop
        await self.app._server_event("shutdown", "after")  # after_server_stop
        Sanic.test_mode = self._test_mode

    async def request(self, method: str, path: str, **kwargs: Any) -> httpx2.Response:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)
            return await self.http.request(method, path, **kwargs)

    async def get(self, path: str, **kwargs: Any) -> httpx2.Response:
        return await self.request("GET", path, **kwargs)

    async def post(self, path: str, **kwargs: Any) -> httpx2.Response:
        return await self.request("POST", path, **kwargs)

    async def patch(self, path: str, **kwargs: Any) -> httpx2.Response:
        return await self.request("PATCH", path, **kwargs)

    async def put(self, path: str, **kwargs: Any) -> httpx2.Response:
        return await self.request("PUT", path, **kwargs)

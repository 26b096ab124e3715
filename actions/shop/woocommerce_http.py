"""The HTTP side of the WooCommerce adapter: settings, one aiohttp session, retries, errors.

What each failure becomes (:class:`~actions.shop.platform.ShopUnavailable` kinds) is listed
in :mod:`actions.shop.woocommerce`. Log lines name the method, the path and the status, never
a query string (searches carry e-mails and phones) and never the key.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
from dataclasses import dataclass, field
from typing import Any, Optional
from urllib.parse import urlsplit

import aiohttp

from actions.shop.platform import ShopUnavailable, is_loopback

log = logging.getLogger("actions.shop.woocommerce")
API = "/wp-json/wc/v3/"
RATE_LIMIT_BUDGET = 3.0  # seconds we wait on Retry-After, in all, before giving up
RETRY_PAUSE = 0.3


@dataclass(frozen=True)
class WooSettings:
    site_url: str
    consumer_key: str = field(repr=False)
    consumer_secret: str = field(repr=False)
    timeout: float = 5.0

    def __post_init__(self) -> None:
        parts = urlsplit(self.site_url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError(
                "WOOCOMMERCE_URL must be the shop's address, e.g. https://shop.example"
            )
        if parts.scheme == "http" and not is_loopback(parts.hostname):
            raise ValueError(
                "WOOCOMMERCE_URL uses plain http: WooCommerce keys may only be sent over https "
                "(http is allowed to a loopback host, for the local fake)"
            )
        if not self.consumer_key or not self.consumer_secret:
            raise ValueError("WOOCOMMERCE_CONSUMER_KEY and WOOCOMMERCE_CONSUMER_SECRET are needed")

    @classmethod
    def from_env(cls, env: Optional[dict[str, str]] = None) -> WooSettings:
        env = dict(os.environ) if env is None else env
        return cls(
            site_url=env.get("WOOCOMMERCE_URL", "").rstrip("/"),
            consumer_key=env.get("WOOCOMMERCE_CONSUMER_KEY", ""),
            consumer_secret=env.get("WOOCOMMERCE_CONSUMER_SECRET", ""),
            timeout=float(env.get("WOOCOMMERCE_TIMEOUT") or 5.0),
        )


class WooHttp:
    """One shop's REST API: requests with auth, timeout and the retry rules."""

    def __init__(self, settings: WooSettings) -> None:
        self.settings = settings
        self._session: Optional[aiohttp.ClientSession] = None

    def _http(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(
                auth=aiohttp.BasicAuth(self.settings.consumer_key, self.settings.consumer_secret),
                timeout=aiohttp.ClientTimeout(total=self.settings.timeout),
                headers={"User-Agent": "Baton (WooCommerce adapter)"},
            )
        return self._session

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None

    async def _send(
        self,
        method: str,
        path: str,
        params: Optional[dict[str, Any]] = None,
        body: Any = None,
        root: bool = False,
    ) -> tuple[int, Any, Any]:
        """(status, parsed JSON or None, headers), retried as the module says."""
        url = self.settings.site_url + ("/wp-json/" if root else API) + path
        retry, waited = method != "POST", 0.0
        while True:
            try:
                async with self._http().request(method, url, params=params, json=body) as resp:
                    raw = await resp.read()
                    status, headers = resp.status, resp.headers
            except asyncio.TimeoutError as exc:
                log.warning("woocommerce %s %s: timeout", method, path)
                raise ShopUnavailable("timeout", f"{method} {path}") from exc
            except aiohttp.ClientError as exc:
                log.warning("woocommerce %s %s: %s", method, path, type(exc).__name__)
                if retry:
                    retry = False
                    await asyncio.sleep(RETRY_PAUSE)
                    continue
                raise ShopUnavailable("down", f"{method} {path}: {type(exc).__name__}") from exc
            log.info("woocommerce %s %s: %s", method, path, status)
            if status >= 500 and retry:
                retry = False
                await asyncio.sleep(RETRY_PAUSE)
                continue
            if status == 429:
                pause = _retry_after(headers.get("Retry-After"))
                if waited + pause > RATE_LIMIT_BUDGET:
                    raise ShopUnavailable("rate_limited", f"{method} {path}")
                waited += pause
                await asyncio.sleep(pause)
                continue
            try:
                data = _json(raw)
            except ValueError as exc:
                if status >= 500:
                    raise ShopUnavailable("down", f"{method} {path}: {status}") from exc
                raise ShopUnavailable("bad_response", f"{method} {path}: not JSON") from exc
            return status, data, headers

    async def _call(
        self,
        method: str,
        path: str,
        params: Optional[dict[str, Any]] = None,
        body: Any = None,
        missing_ok: bool = False,
        root: bool = False,
    ) -> Any:
        status, data, _ = await self._send(method, path, params, body, root)
        return checked(method, path, status, data, missing_ok)

    async def _list(self, path: str, params: dict[str, Any]) -> list[dict[str, Any]]:
        data = await self._call("GET", path, params)
        if not isinstance(data, list):
            raise ShopUnavailable("bad_response", f"GET {path}: not a list")
        return data


def _json(raw: bytes) -> Any:
    return json.loads(raw.decode("utf-8")) if raw.strip() else None


def checked(method: str, path: str, status: int, data: Any, missing_ok: bool) -> Any:
    code = data.get("code") if isinstance(data, dict) else None
    if status in (401, 403):
        raise ShopUnavailable("unauthorized", f"{method} {path}: {code or status}")
    if status == 404 and missing_ok:
        return None
    if status >= 500:
        raise ShopUnavailable("down", f"{method} {path}: {status}")
    if status >= 400 or data is None:
        raise ShopUnavailable("bad_response", f"{method} {path}: {code or status}")
    return data


def _retry_after(value: Optional[str]) -> float:
    try:
        return max(0.2, float(value or 1))  # never a busy loop: the budget bounds the tries
    except ValueError:
        return RATE_LIMIT_BUDGET + 1  # an HTTP date: longer than we wait anyway

"""The HTTP side of the Shopify adapter: settings, one aiohttp session, Baton's retry policy.

Failures become :class:`ShopUnavailable` so the customer hears "the order system cannot be
reached" instead of a guess:

* timeout (``ClientTimeout``, 5 s by default) → ``timeout``, not retried: the customer is
  waiting and a second 5 s is worse than a handoff offer;
* connection refused/reset or 5xx → one retry after a short backoff, then ``down``;
* 401/403, or a GraphQL ``ACCESS_DENIED`` (a missing scope) → ``unauthorized``;
* 429 → wait ``Retry-After`` (bounded), retry; a 200 whose ``errors`` say ``THROTTLED`` →
  wait what ``extensions.cost.throttleStatus`` says the bucket needs to refill
  (``(requestedQueryCost - currentlyAvailable) / restoreRate``) and retry. Both share one
  waiting budget (3 s by default), after which → ``rate_limited``;
* unparseable JSON, other GraphQL ``errors``, unexpected status → ``bad_response``.

A mutation's ``userErrors`` are not an outage: they raise :class:`ShopifyUserError`, a
:class:`~actions.shop.platform.PlatformRefused` (a ``ValueError``) carrying Shopify's message
(e.g. "Order has already been cancelled").

Nothing here logs the token, e-mail addresses or phone numbers.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import time
from dataclasses import dataclass
from typing import Any, Optional
from urllib.parse import urlsplit

import aiohttp

from actions.shop.platform import PlatformRefused, ShopUnavailable, is_loopback

log = logging.getLogger(__name__)

API_VERSION = "2024-10"


class ShopifyUserError(PlatformRefused):
    """Shopify refused a mutation for a business reason (``userErrors``)."""


@dataclass(frozen=True)
class ShopifySettings:
    shop_domain: str
    access_token: str
    api_version: str = API_VERSION
    api_url: str = ""  # base URL; "" → https://{shop_domain}

    @classmethod
    def from_env(cls) -> ShopifySettings:
        domain = os.environ.get("SHOPIFY_SHOP_DOMAIN", "").strip()
        token = os.environ.get("SHOPIFY_ACCESS_TOKEN", "").strip()
        if not domain or not token:
            raise ValueError("SHOPIFY_SHOP_DOMAIN and SHOPIFY_ACCESS_TOKEN must both be set")
        return cls(
            shop_domain=domain,
            access_token=token,
            api_version=os.environ.get("SHOPIFY_API_VERSION", "").strip() or API_VERSION,
            api_url=os.environ.get("SHOPIFY_API_URL", "").strip(),
        )

    @property
    def endpoint(self) -> str:
        """The GraphQL URL; refuses to send the token in clear text beyond this machine."""
        base = (self.api_url or f"https://{self.shop_domain}").rstrip("/")
        parts = urlsplit(base)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError(f"SHOPIFY_API_URL is not an http(s) URL: {base!r}")
        if parts.scheme == "http" and not is_loopback(parts.hostname):
            raise ValueError(
                "refusing to send the Shopify access token over plain http to "
                f"{parts.hostname}: use https (plain http is only for a local fake on loopback)"
            )
        return f"{base}/admin/api/{self.api_version}/graphql.json"


class ShopifyGraphQL:
    """POSTs GraphQL documents to one shop. The session is opened on first use (inside the
    running event loop) and closed by :meth:`close`."""

    def __init__(
        self, settings: ShopifySettings, timeout: float, wait_budget: float, backoff: float
    ) -> None:
        self.settings = settings
        self.endpoint = settings.endpoint  # validated now, not at the first customer's turn
        self.timeout = timeout
        self.wait_budget = wait_budget
        self.backoff = backoff
        self._session: Optional[aiohttp.ClientSession] = None

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None

    async def call(self, query: str, variables: dict[str, Any]) -> dict[str, Any]:
        """One GraphQL call with Baton's retry policy (module docstring); returns ``data``."""
        operation = query.split("(", 1)[0].split("{", 1)[0].split()[-1]
        if self._session is None:
            self._session = aiohttp.ClientSession(
                headers={"X-Shopify-Access-Token": self.settings.access_token},
            )
        budget_ends = time.monotonic() + self.wait_budget
        retried_down = False
        body = {"query": query, "variables": variables, "operationName": operation}
        while True:
            try:
                async with self._session.post(
                    self.endpoint, json=body, timeout=aiohttp.ClientTimeout(total=self.timeout)
                ) as resp:
                    status, text = resp.status, await resp.text()
                    retry_after = resp.headers.get("Retry-After")
            except asyncio.TimeoutError:
                raise ShopUnavailable("timeout", f"{operation} took over {self.timeout}s") from None
            except aiohttp.ClientError as exc:
                status, text, retry_after = 0, type(exc).__name__, None
            wait = 0.0
            if status == 0 or status >= 500:
                if retried_down:
                    raise ShopUnavailable("down", f"{operation}: {status or text}")
                retried_down, wait = True, self.backoff
            elif status in (401, 403):
                raise ShopUnavailable("unauthorized", f"{operation}: HTTP {status}")
            elif status == 429:
                wait = _seconds(retry_after, 1.0)
            elif status != 200:
                raise ShopUnavailable("bad_response", f"{operation}: HTTP {status}")
            else:
                parsed = _parse(text, operation)
                errors = parsed.get("errors")
                if not errors:
                    return dict(parsed.get("data") or {})
                codes = {str((e.get("extensions") or {}).get("code")) for e in _errors(errors)}
                if "THROTTLED" in codes:
                    wait = _throttle_wait(parsed)
                elif "ACCESS_DENIED" in codes:
                    raise ShopUnavailable("unauthorized", f"{operation}: ACCESS_DENIED")
                else:
                    raise ShopUnavailable("bad_response", f"{operation}: {sorted(codes)}")
            if status in (200, 429):
                left = budget_ends - time.monotonic()
                if wait > left:
                    raise ShopUnavailable("rate_limited", f"{operation}: throttled")
            log.info("shopify %s: HTTP %s, retrying in %.2fs", operation, status, wait)
            await asyncio.sleep(wait)


def quote(value: str) -> str:
    """A search-syntax value in double quotes (emails and ``#`` names need them)."""
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _seconds(header: Optional[str], default: float) -> float:
    try:
        return max(0.0, float(header)) if header else default
    except ValueError:
        return default


def _parse(text: str, operation: str) -> dict[str, Any]:
    try:
        parsed = json.loads(text)
    except ValueError:
        raise ShopUnavailable("bad_response", f"{operation}: not JSON") from None
    if not isinstance(parsed, dict):
        raise ShopUnavailable("bad_response", f"{operation}: not a JSON object")
    return parsed


def _errors(errors: Any) -> list[dict[str, Any]]:
    """``errors`` is a list of objects, but Shopify sends a bare string for auth problems."""
    if isinstance(errors, list):
        return [e for e in errors if isinstance(e, dict)]
    return [{"message": str(errors)}]


def _throttle_wait(parsed: dict[str, Any]) -> float:
    cost = ((parsed.get("extensions") or {}).get("cost")) or {}
    status = cost.get("throttleStatus") or {}
    try:
        needed = float(cost.get("requestedQueryCost") or 0) - float(status["currentlyAvailable"])
        return max(0.05, needed / float(status["restoreRate"]))
    except (KeyError, TypeError, ValueError, ZeroDivisionError):
        return 1.0


def mutation_payload(data: dict[str, Any], root: str, errors: str) -> dict[str, Any]:
    """A mutation's payload, or :class:`ShopifyUserError` with its ``userErrors``' messages."""
    payload = data.get(root) or {}
    problems = payload.get(errors) or []
    if problems:
        raise ShopifyUserError("; ".join(str(p.get("message")) for p in problems))
    return dict(payload)

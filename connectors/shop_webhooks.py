"""Order webhooks from Shopify and WooCommerce: ``POST /webhooks/shop/<platform>``.

The platform calls this when an order changes (Shopify ``orders/updated``,
``orders/cancelled``, ``orders/fulfilled``, ``refunds/create``; WooCommerce ``order.updated``).
A verified webhook marks Baton's copy of that order stale (:mod:`actions.shop.mirror`), so the
next question about it is answered from the platform and not from a copy up to
``SHOP_CACHE_SECONDS`` old. The copy lives in the shared store database, so this works
whichever Rasa replica receives the webhook and whichever action server answers next.

Refusals: unknown platform or no secret configured → 404; a body over 1 MB → 413; a missing
or wrong signature → 401 (counted in ``baton_shop_webhooks_total{outcome="rejected"}``); a
signed body that is not an order → 400 with the reason. Registered in bot/credentials.yml.
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Awaitable, Callable
from typing import Any, Optional

from rasa.core.channels.channel import InputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from actions.shop import mirror_sql
from actions.shop.webhooks import (
    SECRET_VARIABLES,
    SIGNATURE_HEADERS,
    TOPIC_HEADERS,
    changed_order,
    signature_valid,
)
from actions.store.uow import unit_of_work
from infra import metrics

logger = logging.getLogger(__name__)

MAX_BODY = 1024 * 1024


def _reply(status: int, reason: str, **extra: Any) -> HTTPResponse:
    return response.json(
        {"status": "ok" if status == 200 else "error", "reason": reason, **extra}, status=status
    )


async def receive(request: Request, platform: str) -> HTTPResponse:
    secret = os.environ.get(SECRET_VARIABLES.get(platform, ""), "")
    if platform not in SIGNATURE_HEADERS or not secret:
        return _reply(404, "no webhooks are configured for this platform")
    body = request.body or b""
    if len(body) > MAX_BODY:
        return _reply(413, "the body is larger than 1 MB")
    if not signature_valid(body, request.headers.get(SIGNATURE_HEADERS[platform]), secret):
        metrics.SHOP_WEBHOOKS.labels(platform, "rejected").inc()
        return _reply(401, "the signature does not match the body")
    if platform == "woocommerce" and body.startswith(b"webhook_id="):
        return _reply(200, "ping")  # WooCommerce's test delivery when the webhook is created
    try:
        payload = json.loads(body)
    except ValueError:
        return _reply(400, "the body is not JSON")
    changed = changed_order(platform, payload)
    if changed is None:
        return _reply(400, "the payload does not name an order")
    invalidated = await _invalidate(changed.number, changed.platform_ref)
    metrics.SHOP_WEBHOOKS.labels(platform, "invalidated" if invalidated else "unknown").inc()
    logger.info(
        "shop webhook %s %s: %s",
        platform,
        str(request.headers.get(TOPIC_HEADERS[platform], ""))[:40],
        "copy invalidated" if invalidated else "no copy held",
    )
    return _reply(200, "invalidated" if invalidated else "no copy held")


async def _invalidate(number: Optional[str], platform_ref: Optional[str]) -> bool:
    async with unit_of_work() as repo:
        done = False
        if number is not None:
            done = await mirror_sql.mark_stale(repo.conn, number)
        if not done and platform_ref is not None:
            done = await mirror_sql.mark_stale_by_ref(repo.conn, platform_ref)
        return done


class ShopWebhooksInput(InputChannel):
    """Not a conversation channel: it receives the shop platform's order webhooks."""

    @classmethod
    def name(cls) -> str:
        return "shop"

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        bp = Blueprint("shop_webhooks", __name__)

        @bp.route("/<platform:str>", methods=["POST"])
        async def webhook(request: Request, platform: str) -> HTTPResponse:
            try:
                return await receive(request, platform)
            except Exception:
                logger.exception("shop webhook could not be processed")
                return _reply(503, "the store database could not be written; retry later")

        return bp

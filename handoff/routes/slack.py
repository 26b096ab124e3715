"""Slack for agents: ``POST /slack/events`` (Events API and interactivity).

Every request is authenticated with Slack's signing secret (HMAC-SHA256 over the timestamp
and body, compared in constant time, within a five-minute replay window). Slack wants an
answer within 3 s and retries otherwise, so each request is acknowledged at once and its work
runs in the background; the event id (or the action's trigger id) is remembered, so a retry
is acknowledged and not handled twice: one answer per event.
"""

from __future__ import annotations

import json
import logging
import re
from typing import Any

from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse
from slack_sdk.signature import SignatureVerifier

from connectors.text import as_object, as_str, clean_text
from handoff.services import Conflict, HandoffService, NotFound
from handoff.slack import CLAIM, CLOSE

logger = logging.getLogger(__name__)

slack = Blueprint("handoff_slack")

NOTE_PREFIX = "note:"
_LINK = re.compile(r"<([^<>|]+)(?:\|([^<>]+))?>")


def slack_to_text(text: str) -> str:
    """Slack's mrkdwn as plain text: links and mentions unwrapped, entities decoded."""

    def link(match: re.Match[str]) -> str:
        target, label = match.group(1), match.group(2)
        if target.startswith("mailto:") or target.startswith("tel:"):
            return label or target.split(":", 1)[1]
        return label if label and not target.startswith("http") else target

    plain = _LINK.sub(link, text)
    return plain.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def _ack() -> HTTPResponse:
    """Slack wants a plain 200 within 3 s; anything else and it retries."""
    return response.text("", status=200)


def _service(request: Request) -> HandoffService:
    return request.app.ctx.service


def _verified(request: Request, secret: str) -> bool:
    return SignatureVerifier(secret).is_valid(
        body=request.body.decode("utf-8", errors="replace"),
        timestamp=request.headers.get("x-slack-request-timestamp", ""),
        signature=request.headers.get("x-slack-signature", ""),
    )


@slack.post("/slack/events")
async def events(request: Request) -> HTTPResponse:
    return await _events(request)


@slack.post("/slack/interactions")
async def interactions(request: Request) -> HTTPResponse:
    """Slack apps have one interactivity URL; it may point here or at /slack/events."""
    return await _events(request)


async def _events(request: Request) -> HTTPResponse:
    service = _service(request)
    settings = service.settings
    if service.slack is None or not settings.slack_signing_secret:
        return response.json({"error": "Slack for agents is not configured"}, status=404)
    if not _verified(request, settings.slack_signing_secret):
        return response.json({"error": "bad signature"}, status=401)
    if (request.content_type or "").startswith("application/x-www-form-urlencoded"):
        return await _interaction(request, service)
    try:
        body = as_object(json.loads(request.body or b"{}"))
    except ValueError:
        return response.json({"error": "bad JSON"}, status=400)
    kind = body.get("type")
    if kind == "url_verification":
        return response.json({"challenge": as_str(body.get("challenge"), 500) or ""})
    if kind != "event_callback":
        return _ack()
    event_id = as_str(body.get("event_id")) or ""
    if not event_id or not await service.first_time_slack_event(event_id):
        return _ack()  # a retry of an event we already have
    event = as_object(body.get("event"))
    request.app.add_task(_handle_event(service, event))
    return _ack()


async def _handle_event(service: HandoffService, event: dict[str, Any]) -> None:
    try:
        if event.get("type") != "message" or event.get("subtype") or event.get("bot_id"):
            return
        thread_ts, user = as_str(event.get("thread_ts")), as_str(event.get("user"))
        if not thread_ts or thread_ts == event.get("ts") or not user:
            return
        if event.get("channel") and service.slack and event["channel"] != service.slack.channel:
            return
        ticket = await service.ticket_for_slack_thread(str(thread_ts))
        if ticket is None or service.slack is None:
            return
        agent = await service.slack_agent(str(user), await service.slack.user_name(str(user)))
        raw = event.get("text")
        text = clean_text(slack_to_text(raw if isinstance(raw, str) else "")).strip()
        if text.lower().startswith(NOTE_PREFIX):
            await service.note(ticket.id, agent, text[len(NOTE_PREFIX) :].strip(), from_slack=True)
        else:
            await service.reply(ticket.id, agent, text, from_slack=True)
    except (Conflict, NotFound, ValueError) as exc:
        logger.info("Slack reply not taken: %s", exc)
        if service.slack is not None and as_str(event.get("thread_ts")):
            ticket = await service.ticket_for_slack_thread(str(event["thread_ts"]))
            if ticket is not None:
                await service.slack.post_in_thread(
                    ticket, f"Not sent to the customer: {exc}. This handoff is closed."
                )
    except Exception:
        logger.exception("Slack event failed")


async def _interaction(request: Request, service: HandoffService) -> HTTPResponse:
    try:
        payload = as_object(json.loads(request.form.get("payload") or "{}"))
    except ValueError:
        return response.json({"error": "bad payload"}, status=400)
    if payload.get("type") != "block_actions":
        return _ack()
    actions = payload.get("actions")
    action = as_object(actions[0]) if isinstance(actions, list) and actions else {}
    key = as_str(payload.get("trigger_id")) or as_str(action.get("action_ts")) or ""
    if not key or not await service.first_time_slack_event(f"action:{key}"):
        return _ack()
    user = as_str(as_object(payload.get("user")).get("id")) or ""
    request.app.add_task(_handle_action(service, action, user))
    return _ack()


async def _handle_action(service: HandoffService, action: dict[str, Any], user: str) -> None:
    try:
        value = action.get("value")
        ticket_id = int(value) if isinstance(value, str) and value.isdigit() else 0
        if not user or not ticket_id or service.slack is None:
            return
        agent = await service.slack_agent(user, await service.slack.user_name(user))
        if action.get("action_id") == CLAIM:
            await service.claim(ticket_id, agent)
        elif action.get("action_id") == CLOSE:
            await service.close(ticket_id, agent)
    except (Conflict, NotFound) as exc:
        logger.info("Slack action not taken: %s", exc)
    except Exception:
        logger.exception("Slack action failed")

"""Agents on Slack: each handoff as a Block Kit card in ``SLACK_AGENT_CHANNEL``.

The card carries the context at a glance and Claim / Close buttons; the customer's later
messages go into the card's thread; an agent's reply in the thread goes to the customer, and
a reply starting with ``note:`` stays internal (:mod:`handoff.routes.slack` receives them).

Calls go through the official ``slack_sdk`` client, whose base URL is ``SLACK_API_URL`` — so
tests and demos use a local fake that speaks Slack's wire format.
"""

from __future__ import annotations

import logging
from typing import Any, Optional

from slack_sdk.web.async_client import AsyncWebClient

from contracts.packet import Customer, Order
from handoff.domain import Ticket, reason_text

logger = logging.getLogger(__name__)

CLAIM = "baton_claim"
CLOSE = "baton_close"
_MAX_TRANSCRIPT = 6


def _escape(text: Any) -> str:
    """Slack mrkdwn treats &, < and > as control characters."""
    return str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _order_line(order: Order) -> str:
    line = f"*{_escape(order.number)}* · {_escape(order.status or '')}"
    if order.total:
        line += f" · {_escape(order.total)}"
    for parcel in order.shipments:
        url, number = parcel.tracking_url, parcel.tracking_number
        if url and number:
            line += f" · {_escape(parcel.carrier or '')} <{url}|{_escape(number)}>"
    return line


def ticket_card(ticket: Ticket, status_line: Optional[str] = None) -> list[dict[str, Any]]:
    """The Block Kit blocks for one handoff."""
    packet = ticket.packet
    customer = packet.customer or Customer()
    name = customer.name or ticket.customer_name or "Anonymous visitor"
    contact = (
        " · ".join(_escape(v) for v in (customer.email, customer.phone) if v) or "not identified"
    )
    fields = [
        {"type": "mrkdwn", "text": f"*Customer*\n{_escape(name)}"},
        {"type": "mrkdwn", "text": f"*Channel*\n{_escape(ticket.channel)}"},
        {"type": "mrkdwn", "text": f"*Why*\n{_escape(reason_text(ticket.reason))}"},
        {"type": "mrkdwn", "text": f"*Contact*\n{contact}"},
    ]
    language = packet.language
    if language is not None and language.code not in ("", "en"):
        # Prominent for agents: answer in the customer's language.
        writes = _escape(language.name or language.code)
        fields.insert(1, {"type": "mrkdwn", "text": f"*Writes in*\n{writes}"})
    blocks: list[dict[str, Any]] = [
        {
            "type": "header",
            "text": {"type": "plain_text", "text": f"Handoff #{ticket.id}: {name}"[:150]},
        },
        {"type": "section", "fields": fields},
    ]
    if packet.orders:
        lines = "\n".join(_order_line(o) for o in packet.orders[:5])
        blocks.append({"type": "section", "text": {"type": "mrkdwn", "text": f"*Orders*\n{lines}"}})
    known = ", ".join(
        f"{k}: {_escape(v)}" for k, v in packet.bot_knows.items() if v not in (None, "", [])
    )
    if known:
        blocks.append(
            {"type": "context", "elements": [{"type": "mrkdwn", "text": f"Bot knows: {known}"}]}
        )
    if packet.transcript:
        lines = "\n".join(
            f"{'>' if m.sender == 'user' else '>_'} *{_escape(m.sender)}*: {_escape(m.text)[:300]}"
            for m in packet.transcript[-_MAX_TRANSCRIPT:]
        )
        blocks.append(
            {"type": "section", "text": {"type": "mrkdwn", "text": f"*Latest messages*\n{lines}"}}
        )
    blocks.append(
        {
            "type": "context",
            "elements": [
                {
                    "type": "mrkdwn",
                    "text": status_line or f"Waiting since {ticket.created_at:%H:%M} UTC",
                }
            ],
        }
    )
    if ticket.is_open:
        buttons: list[dict[str, Any]] = []
        if ticket.claimed_by is None:
            buttons.append(
                {
                    "type": "button",
                    "action_id": CLAIM,
                    "text": {"type": "plain_text", "text": "Claim"},
                    "style": "primary",
                    "value": str(ticket.id),
                }
            )
        buttons.append(
            {
                "type": "button",
                "action_id": CLOSE,
                "text": {"type": "plain_text", "text": "Close"},
                "style": "danger",
                "value": str(ticket.id),
                "confirm": {
                    "title": {"type": "plain_text", "text": "Close this handoff?"},
                    "text": {
                        "type": "plain_text",
                        "text": "The conversation goes back to the bot, which asks for a rating.",
                    },
                    "confirm": {"type": "plain_text", "text": "Close"},
                    "deny": {"type": "plain_text", "text": "Cancel"},
                },
            }
        )
        blocks.append({"type": "actions", "block_id": f"ticket_{ticket.id}", "elements": buttons})
    return blocks


class SlackBridge:
    """Posts and updates handoff cards; looks up Slack users' names (cached)."""

    def __init__(self, token: str, channel: str, base_url: Optional[str] = None) -> None:
        kwargs: dict[str, Any] = {"token": token}
        if base_url:
            kwargs["base_url"] = base_url.rstrip("/") + "/"
        self.client = AsyncWebClient(**kwargs)
        self.channel = channel
        self._names: dict[str, str] = {}

    async def post_card(self, ticket: Ticket) -> tuple[str, str]:
        name = ticket.customer_name or "a customer"
        resp = await self.client.chat_postMessage(
            channel=self.channel,
            text=f"Handoff #{ticket.id}: {name} needs a person ({reason_text(ticket.reason)})",
            blocks=ticket_card(ticket),
            unfurl_links=False,
        )
        return str(resp["channel"]), str(resp["ts"])

    async def update_card(self, ticket: Ticket, status_line: str) -> None:
        if not ticket.slack_ts:
            return
        await self.client.chat_update(
            channel=ticket.slack_channel or self.channel,
            ts=ticket.slack_ts,
            text=f"Handoff #{ticket.id}: {status_line}",
            blocks=ticket_card(ticket, status_line),
        )

    async def post_in_thread(self, ticket: Ticket, text: str) -> None:
        if not ticket.slack_ts:
            return
        await self.client.chat_postMessage(
            channel=ticket.slack_channel or self.channel,
            thread_ts=ticket.slack_ts,
            text=text,
            unfurl_links=False,
        )

    async def user_name(self, user_id: str) -> str:
        if user_id not in self._names:
            try:
                resp = await self.client.users_info(user=user_id)
                user = resp.get("user") or {}
                profile = user.get("profile") or {}
                self._names[user_id] = (
                    profile.get("display_name")
                    or profile.get("real_name")
                    or user.get("real_name")
                    or user.get("name")
                    or "Slack agent"
                )
            except Exception:
                logger.warning("could not look up a Slack user's name")
                return "Slack agent"
        return self._names[user_id]

    async def close(self) -> None:
        session = getattr(self.client, "session", None)
        if session is not None and not session.closed:
            await session.close()


def escape(text: Any) -> str:
    return _escape(text)

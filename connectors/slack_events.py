"""What a Slack request says, read without side effects (:mod:`connectors.slack`): the
customer message in an Events API event, and the click in a ``block_actions`` payload."""

from __future__ import annotations

from collections.abc import Callable, Collection
from typing import Any, Optional

from connectors.slack_common import MAX_MESSAGE_CHARS, Address, Inbound
from connectors.text import as_object, as_str

HANDLED_SUBTYPES = (None, "file_share", "thread_broadcast")


def bot_user_in(payload: dict[str, Any]) -> Optional[str]:
    """The bot's own user id, as the event's first authorization names it."""
    authorizations = payload.get("authorizations")
    first = authorizations[0] if isinstance(authorizations, list) and authorizations else {}
    return as_str(as_object(first).get("user_id"))


def message_inbound(
    payload: dict[str, Any],
    event: dict[str, Any],
    ours: Collection[Optional[str]],
    following: Callable[[str, Optional[str]], bool],
) -> Optional[Inbound]:
    """The customer message in a ``message`` or ``app_mention`` event, or None for anything
    the bot should not answer: bots (``ours``: the bot's user ids), edits and other subtypes,
    and channel messages outside a thread the bot is ``following``."""
    user, channel, ts = (
        as_str(event.get("user")),
        as_str(event.get("channel")),
        as_str(event.get("ts")),
    )
    if (
        event.get("bot_id")
        or event.get("subtype") not in HANDLED_SUBTYPES
        or event.get("hidden")
        or not isinstance(user, str)
        or user in ours
        or not isinstance(channel, str)
        or not isinstance(ts, str)
    ):
        return None
    direct = event.get("channel_type") == "im" or channel.startswith("D")
    thread_ts = as_str(event.get("thread_ts"))
    if event["type"] == "message" and not direct and not following(channel, thread_ts):
        return None  # a channel conversation the bot was not asked into
    reply_in = thread_ts or (None if direct else ts)
    team = as_str(payload.get("team_id")) or as_str(event.get("team")) or "T"
    text = event.get("text")
    text = text[:MAX_MESSAGE_CHARS] if isinstance(text, str) else ""
    return Inbound(team, user, text, Address(channel, reply_in), ts)


def choice_inbound(payload: dict[str, Any]) -> Optional[Inbound]:
    """The clicked button's message, or None without a value, a user, a channel or a ts."""
    actions = payload.get("actions")
    first = as_object(actions[0]) if isinstance(actions, list) and actions else {}
    user = as_object(payload.get("user"))
    container = as_object(payload.get("container"))
    message = as_object(payload.get("message"))
    channel = as_str(as_object(payload.get("channel")).get("id")) or as_str(
        container.get("channel_id")
    )
    ts = as_str(container.get("message_ts")) or as_str(message.get("ts"))
    user_id = as_str(user.get("id"))
    if not as_str(first.get("value"), MAX_MESSAGE_CHARS) or not user_id or not channel or not ts:
        return None
    team = as_str(as_object(payload.get("team")).get("id")) or as_str(user.get("team_id"))
    thread_ts = as_str(message.get("thread_ts")) or as_str(container.get("thread_ts"))
    return Inbound(team or "T", user_id, "", Address(channel, thread_ts), ts)

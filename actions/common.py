"""Small glue between rasa-sdk and Baton's business functions."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any, Optional

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.services import i18n
from actions.services.replies import Reply
from bot import names


def utc_now() -> datetime:
    """Now as naive UTC, the way the store keeps times."""
    return datetime.now(timezone.utc).replace(tzinfo=None)


def send(dispatcher: CollectingDispatcher, replies: list[Reply]) -> None:
    """Hand replies to Rasa; the channel decides how buttons and links look."""
    for reply in replies:
        kwargs: dict[str, Any] = dict(reply.params)
        if reply.buttons:
            kwargs["buttons"] = [{"title": b.title, "payload": b.payload} for b in reply.buttons]
        dispatcher.utter_message(response=reply.response, **kwargs)


def customer_id(tracker: Tracker) -> Optional[int]:
    """The identified customer of this conversation, if a connector proved who they are."""
    value = tracker.get_slot(names.SLOT_CUSTOMER_ID)
    try:
        return int(value) if value not in (None, "") else None
    except (TypeError, ValueError):
        return None


def verified_orders(tracker: Tracker) -> list[str]:
    value = tracker.get_slot(names.SLOT_VERIFIED_ORDERS)
    return [str(v) for v in value] if isinstance(value, list) else []


def language(tracker: Tracker) -> str:
    """The language the customer writes in (the ``language`` slot): en, ko or zh."""
    return i18n.normalize(tracker.get_slot(i18n.SLOT))


def client_key(tracker: Tracker) -> Optional[str]:
    """Who is writing, across conversations, if known: the keyed hash of the web chat visitor's
    address that connectors/webchat.py puts in the message's metadata. WhatsApp and Slack
    messages carry none (their conversation id already is the sender), so this is None there."""
    metadata = (tracker.latest_message or {}).get("metadata")
    value = metadata.get(names.META_CLIENT_KEY) if isinstance(metadata, dict) else None
    return value if isinstance(value, str) and 0 < len(value) <= 64 else None

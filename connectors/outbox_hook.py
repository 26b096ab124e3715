"""Where the outbox (:mod:`connectors.outbox`) hooks into Rasa: ``MessageProcessor.log_message``
is wrapped (by bot/patches/, with :func:`patched`) so that a message of a paused conversation
is also written to the outbox, whatever channel it came from."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any, Optional

if TYPE_CHECKING:
    from connectors.outbox import Outbox

logger = logging.getLogger("connectors.outbox")

_active: Optional[Outbox] = None


def activate(box: Outbox) -> None:
    """Forward messages of paused conversations through ``box`` (the relay channel's)."""
    global _active
    _active = box


def patched(original: Any) -> Any:
    """``MessageProcessor.log_message``, then a paused conversation's message into the active
    outbox, if there is one (installed by bot/patches/)."""

    async def log_message(self: Any, message: Any, should_save_tracker: bool = True) -> Any:
        tracker = await original(self, message, should_save_tracker)
        try:
            await _forward_if_paused(tracker, message)
        except Exception:
            logger.exception(
                "could not put a paused conversation's message in the outbox",
                extra={"conversation": getattr(message, "sender_id", None)},
            )
        return tracker

    return log_message


async def _forward_if_paused(tracker: Any, message: Any) -> None:
    from rasa.shared.core.constants import USER_INTENT_RESTART

    if _active is None or not tracker.is_paused():
        return
    latest = tracker.latest_message
    if latest is None or latest.intent.get("name") == USER_INTENT_RESTART:
        return
    text = message.text if isinstance(message.text, str) else ""
    if not text.strip():
        return
    await _active.enqueue(
        tracker.sender_id,
        text,
        getattr(latest, "timestamp", None),
        attachments=kept_references(getattr(message, "metadata", None)),
    )


def kept_references(metadata: Any) -> list[dict[str, Any]]:
    """The references of the files a connector kept for this message, for the agent.

    Only a reference with a kept file's ``path`` goes: one the connector could not copy (too
    big, the download failed) holds the channel's ``media_url`` instead, which needs the
    channel's credentials and is never sent on; the handoff service checks the rest."""
    found = metadata.get("attachments") if isinstance(metadata, dict) else None
    if not isinstance(found, list):
        return []
    keys = ("kind", "content_type", "bytes", "sha256", "path")
    return [
        {k: a[k] for k in keys if k in a}
        for a in found
        if isinstance(a, dict) and isinstance(a.get("path"), str) and "media_url" not in a
    ]

"""What a connector needs to know about a conversation, read from the tracker store.

The tracker store is the transcript of record (docs/architecture.md, "Data: who owns which
database"). The WhatsApp and Slack connectors keep small in-memory copies of what they use on every
message (where to reply, the options last offered), and fall back to the tracker when a copy is
missing: after a restart, on another replica, or when a relay asks to send to a conversation this
process never saw.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any, Optional

from rasa.core.channels.channel import OutputChannel
from rasa.shared.core.constants import ACTION_LISTEN_NAME
from rasa.shared.core.events import (
    ActionExecuted,
    BotUttered,
    UserUtteranceReverted,
    UserUttered,
)
from sanic import Sanic

from bot import names
from connectors.logsafe import describe
from connectors.render import Option, options_of

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class LastInbound:
    metadata: dict[str, Any]
    timestamp: float


def _agent(app: Optional[Sanic]) -> Any:
    return getattr(app.ctx, "agent", None) if app is not None else None


async def _tracker(app: Optional[Sanic], conversation_id: str) -> Any:
    agent = _agent(app)
    if agent is None or agent.tracker_store is None:
        return None
    try:
        return await agent.tracker_store.retrieve(conversation_id)
    except Exception as exc:
        logger.error("could not read conversation %s: %s", conversation_id, describe(exc))
        return None


async def last_inbound(
    app: Optional[Sanic], conversation_id: str, channel: str
) -> Optional[LastInbound]:
    """The newest customer message on ``channel``: its metadata (the reply address) and time."""
    tracker = await _tracker(app, conversation_id)
    if tracker is None:
        return None
    for event in reversed(tracker.events):
        if isinstance(event, UserUttered):
            meta = event.metadata if isinstance(event.metadata, dict) else {}
            if meta.get("channel") == channel:
                return LastInbound(meta, float(event.timestamp))
    return None


async def offered_options(app: Optional[Sanic], conversation_id: str) -> list[Option]:
    """The buttons of the bot's last turn (after the customer's latest message), if any."""
    tracker = await _tracker(app, conversation_id)
    if tracker is None:
        return []
    for event in reversed(tracker.events):
        if isinstance(event, UserUttered):
            return []
        if isinstance(event, BotUttered):
            found = options_of(event.data or {})
            if found:
                return found
    return []


async def is_paused(app: Optional[Sanic], conversation_id: str) -> bool:
    tracker = await _tracker(app, conversation_id)
    return bool(tracker is not None and tracker.is_paused())


async def record_without_reply(
    app: Optional[Sanic],
    conversation_id: str,
    text: str,
    metadata: dict[str, Any],
    notice: str,
    output: OutputChannel,
) -> bool:
    """Keep a customer message (a photo without words) in the transcript without a turn.

    The message and the connector's acknowledgement are logged, then reverted for the
    dialogue policies (``UserUtteranceReverted``, as Rasa's fallbacks do): an agent reading
    the conversation sees both, and the bot's next prediction is as if they were not there.
    Returns False when there is no agent to record with, and when the bot is waiting for
    this very photo (:func:`waits_for_photo`): then the connector sends it as a turn.
    """
    agent = _agent(app)
    if agent is None or agent.processor is None:
        return False
    async with agent.lock_store.lock(conversation_id):
        tracker = await agent.processor.fetch_tracker_and_update_session(
            conversation_id, output, metadata
        )
        if waits_for_photo(tracker):
            return False
        input_channel = str(metadata.get("channel") or "")
        tracker.update(UserUttered(text, input_channel=input_channel, metadata=metadata))
        tracker.update(BotUttered(notice, metadata={"baton_notice": "attachment_received"}))
        tracker.update(UserUtteranceReverted())
        # A revert also undoes the listen before the message; listen again, as Rasa does
        # after its own fallbacks.
        tracker.update(ActionExecuted(ACTION_LISTEN_NAME))
        await agent.tracker_store.save(tracker)
    return True


def waits_for_photo(tracker: Any) -> bool:
    """Whether the problem form is asking for a photo of a damaged or wrong item: the photo
    is the answer, so it is a dialogue turn (actions/problems.py reads its reference from
    the message's metadata)."""
    return bool(
        tracker.active_loop_name == names.FORM_PROBLEM
        and tracker.get_slot("requested_slot") == names.SLOT_PROBLEM_PHOTO
    )

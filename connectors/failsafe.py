"""Never silence: what the Rasa server does when a custom action cannot run.

Rasa 3.6 logs an action server failure (down, timeout, HTTP 500) and carries on as if the
action had done nothing: the customer gets no answer at all. This hook wraps every action the
processor runs; when one fails for any reason other than a form's normal rejection, the
customer instead gets the apology and the offer of a person (``utter_technical_problem_offer``),
any open form is left, and the reason is kept in ``handoff_reason``.

If the failing action *is* ``action_handoff`` — the customer accepted that offer while the
action server is still down — the Rasa server opens the handoff itself, with the context it
has (the transcript, what the bot knows, the intents; not the profile or orders, which only
the action server can read), tells the customer what happens next and pauses the
conversation. So the offer is real even when the action server is down.
"""

from __future__ import annotations

import logging
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any, Optional

from bot import names

if TYPE_CHECKING:
    from contracts.packet import ContextPacket

logger = logging.getLogger(__name__)

_SKIP = {"action_listen", "action_restart", "action_back", "action_deactivate_loop"}


class _Failsafe:
    """An action that answers the customer instead of failing silently."""

    def __init__(self, action: Any) -> None:
        self._action = action

    def __getattr__(self, item: str) -> Any:
        return getattr(self._action, item)

    async def run(self, output_channel: Any, nlg: Any, tracker: Any, domain: Any) -> list[Any]:
        from rasa.core.actions.action import ActionExecutionRejection

        try:
            return list(await self._action.run(output_channel, nlg, tracker, domain) or [])
        except ActionExecutionRejection:
            raise
        except Exception as exc:
            down = (
                "Couldn't connect" in str(exc)
                or "connect" in type(exc.__context__).__name__.lower()
            )
            logger.warning(
                "action %s failed (%s): answering the customer anyway",
                self._action.name(),
                "action server unreachable" if down else type(exc).__name__,
                extra={"conversation": tracker.sender_id},
            )
            reason = "action_server_down" if down else "action_failed"
            name = self._action.name()
            if name == names.ACTION_HANDOFF:
                return await rasa_side_handoff(output_channel, nlg, tracker, reason)
            if name == names.ACTION_SESSION_START:
                return await _builtin_session_start(output_channel, nlg, tracker, domain)
            return await apology_with_offer(output_channel, nlg, tracker, reason)


async def _builtin_session_start(
    output_channel: Any, nlg: Any, tracker: Any, domain: Any
) -> list[Any]:
    """Rasa's own session start, keeping a conversation that is with an agent paused."""
    from rasa.core.actions.action import ActionSessionStart
    from rasa.shared.core.events import ActionExecuted, ConversationPaused

    events = list(await ActionSessionStart().run(output_channel, nlg, tracker, domain))
    if tracker.is_paused():
        at = next((i for i, e in enumerate(events) if isinstance(e, ActionExecuted)), len(events))
        events.insert(at, ConversationPaused())
    return events


def patched(original: Any) -> Any:
    """``MessageProcessor._run_action`` with every custom action made a :class:`_Failsafe`
    (installed by bot/patches/)."""

    async def _run_action(
        self: Any, action: Any, tracker: Any, output_channel: Any, nlg: Any, prediction: Any
    ) -> bool:
        name = action.name()
        if name not in _SKIP and not name.startswith("utter_"):
            action = _Failsafe(action)
        return bool(await original(self, action, tracker, output_channel, nlg, prediction))

    return _run_action


async def _utter(
    nlg: Any, tracker: Any, output_channel: Any, response: str, **params: Any
) -> Optional[Any]:
    from rasa.core.actions.action import create_bot_utterance

    draft = await nlg.generate(response, tracker, output_channel.name(), **params)
    if not draft:
        return None
    draft["utter_action"] = response
    return create_bot_utterance(draft)


async def apology_with_offer(output_channel: Any, nlg: Any, tracker: Any, reason: str) -> list[Any]:
    from rasa.shared.core.events import ActiveLoop, FollowupAction, SlotSet

    events: list[Any] = []
    if tracker.active_loop_name:
        events += [ActiveLoop(None), SlotSet("requested_slot", None)]
    utterance = await _utter(nlg, tracker, output_channel, names.UTTER_TECHNICAL_PROBLEM_OFFER)
    if utterance is not None:
        events.append(utterance)
    # Listen next: a rule waiting for this action's result would only fail again.
    events += [SlotSet(names.SLOT_HANDOFF_REASON, reason), FollowupAction("action_listen")]
    return events


def minimal_packet(tracker: Any, reason: str) -> ContextPacket:
    """The context the Rasa server has on its own: the conversation, not the shop's data."""
    from actions.services import context
    from contracts.packet import Customer, build_packet, reason_text

    events = [e.as_dict() for e in tracker.events]
    slots = tracker.current_slot_values()
    now = datetime.now(timezone.utc).replace(tzinfo=None)
    conversation = context.conversation_info(
        tracker.sender_id, events, tracker.get_latest_input_channel(), now
    )
    pending = slots.get(names.SLOT_HANDOFF_REASON)
    code = pending if pending and pending != "action_failed" else reason
    known_id = slots.get(names.SLOT_CUSTOMER_ID)
    return build_packet(
        reason=code,
        reason_text=reason_text(code),
        conversation=conversation,
        language=context.language_section(str(slots.get("language") or "en")),
        customer=Customer(id=str(known_id), name=slots.get(names.SLOT_CUSTOMER_NAME))
        if known_id
        else None,
        transcript=context.transcript(events),
        bot_knows=context.bot_knowledge(slots),
        intents=context.recognised_intents(events),
        notes=[
            "Opened by the Rasa server because the action server could not be reached: the "
            "customer's profile, orders and earlier conversations are not included."
            + (f" The conversation says customer #{known_id}." if known_id else "")
        ],
    )


async def rasa_side_handoff(output_channel: Any, nlg: Any, tracker: Any, reason: str) -> list[Any]:
    from rasa.shared.core.events import ActiveLoop, ConversationPaused, SlotSet

    from actions.services.handoff import UNAVAILABLE, waiting_reply
    from infra.handoff_client import HandoffUnavailable, get_client

    events: list[Any] = []
    if tracker.active_loop_name:
        events += [ActiveLoop(None), SlotSet("requested_slot", None)]
    try:
        ticket = await get_client().open_ticket(minimal_packet(tracker, reason))
    except HandoffUnavailable as exc:
        logger.warning("no handoff either: %s", exc, extra={"conversation": tracker.sender_id})
        utterance = await _utter(nlg, tracker, output_channel, UNAVAILABLE.response)
        return [*events, *([utterance] if utterance else [])]
    reply = waiting_reply(ticket)
    utterance = await _utter(nlg, tracker, output_channel, reply.response, **reply.params)
    logger.info(
        "the Rasa server opened handoff ticket %s itself",
        ticket.get("ticket_id"),
        extra={"conversation": tracker.sender_id},
    )
    return [
        *events,
        *([utterance] if utterance else []),
        SlotSet(names.SLOT_HANDOFF_TICKET, str(ticket.get("ticket_id"))),
        SlotSet(names.SLOT_HANDOFF_REASON, None),
        ConversationPaused(),
    ]

"""The relay: how an agent's words reach the customer, and how the bot takes over again.

An input channel in name only (``/webhooks/relay/``), called by the handoff service with the
relay bearer token (``HANDOFF_RELAY_TOKEN``, compared in constant time):

* ``POST /webhooks/relay/message`` ``{conversation_id, ticket_id, message_id, text,
  agent_name}`` — sends the agent's message to the customer's own channel (the one their
  latest message came from) and records it in the tracker as a bot utterance tagged with the
  agent (``BotUttered.metadata.agent_name``), so transcripts, history and the web chat show it
  as the agent's.
* ``POST /webhooks/relay/template`` ``{conversation_id, ticket_id, message_id, content_sid,
  variables, text, agent_name}`` — sends an approved WhatsApp Content template (the way
  back after WhatsApp's 24-hour window: ``content_sid`` and ``variables``, ``{"1": "Jane"}``)
  through the channel's ``send_template``, and records ``text`` (the template as filled in)
  like an agent's message. A channel without templates answers 422.
* ``POST /webhooks/relay/close`` ``{conversation_id, ticket_id, message_id, agent_name}`` —
  resumes the conversation (``ConversationResumed``) and asks for the 1–5 rating on the same
  channel, rendered natively there (buttons on web chat and Slack, numbered options on
  WhatsApp).

Both are idempotent by ``message_id``: the handoff service retries until it gets an answer,
and a call that was carried out before its answer got lost is not carried out twice. Both run
under the conversation's lock, like a customer's turn, so nothing interleaves.

**Any channel plugs in** through Rasa's own ``InputChannel.get_output_channel()``. A channel's
output may offer ``send_agent_message(recipient_id, text, agent_name)`` to show an agent's
message its own way; otherwise socket.io channels get ``metadata.agent_name`` (the widget draws
an agent bubble) and others get ``"Sam: text"``. A channel that cannot deliver raises
:class:`connectors.delivery.DeliveryFailed`; its reason goes back to the agent (HTTP 422,
with ``"window_closed": true`` when WhatsApp's 24-hour window is the reason).

Adding this channel to ``credentials.yml`` also activates its outbox, through which the Rasa hook
of :mod:`connectors.outbox` forwards paused conversations' messages. That hook and the failsafe
that answers when an action fails (:mod:`connectors.failsafe`) are installed with Baton's other
Rasa patches (bot/patches/).
"""

from __future__ import annotations

import hmac
import logging
import os
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any, Optional

from rasa.core.channels.channel import (
    CollectingOutputChannel,
    InputChannel,
    OutputChannel,
    UserMessage,
)
from rasa.core.channels.socketio import SocketIOOutput
from sanic import Blueprint, Sanic, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot import names
from connectors.outbox import Outbox, activate
from infra.handoff_client import get_client
from infra.secrets import secret_from_env

logger = logging.getLogger(__name__)

CHANNEL = "relay"
MAX_TEXT = 5000


def _default_outbox_url() -> str:
    url = os.environ.get("HANDOFF_OUTBOX_DATABASE_URL") or os.environ.get("TRACKER_DATABASE_URL")
    if url:
        return url
    var = Path(os.environ.get("BATON_VAR_DIR", Path(__file__).resolve().parent.parent / "var"))
    return f"sqlite:///{var / 'tracker.db'}"


async def send_agent_message(
    output: OutputChannel, recipient_id: str, text: str, agent_name: str
) -> None:
    """Show an agent's message on a channel, tagged with the agent where the channel can."""
    custom = getattr(output, "send_agent_message", None)
    if callable(custom):
        await custom(recipient_id, text, agent_name)
    elif isinstance(output, SocketIOOutput):
        await output.sio.emit(
            output.bot_message_evt,
            {"text": text, "metadata": {"agent_name": agent_name}},
            room=recipient_id,
        )
    else:
        await output.send_text_message(recipient_id, f"{agent_name}: {text}")


class _NoTemplates(Exception):
    """The conversation's channel has no message templates."""


class RelayInput(InputChannel):
    """The handoff service's way back into conversations. Not a customer channel."""

    @classmethod
    def name(cls) -> str:
        return CHANNEL

    @classmethod
    def from_credentials(cls, credentials: Optional[dict[str, Any]]) -> InputChannel:
        credentials = credentials or {}
        return cls(
            token=credentials.get("token") or secret_from_env("HANDOFF_RELAY_TOKEN"),
            outbox_url=credentials.get("outbox_url") or _default_outbox_url(),
        )

    def __init__(self, token: str, outbox_url: str) -> None:
        self.token = token
        client = get_client()
        self.outbox = Outbox(outbox_url, client.forward)
        activate(self.outbox)

    # --- helpers -----------------------------------------------------------------------

    def _authorized(self, request: Request) -> bool:
        scheme, _, presented = (request.headers.get("authorization") or "").partition(" ")
        return scheme.lower() == "bearer" and hmac.compare_digest(
            presented.strip().encode(), self.token.encode()
        )

    @staticmethod
    def output_for(app: Sanic, channel_name: Optional[str]) -> Optional[OutputChannel]:
        for channel in getattr(app.ctx, "input_channels", None) or []:
            if channel.name() == channel_name and channel.name() != CHANNEL:
                return channel.get_output_channel()
        return None

    # --- routes ------------------------------------------------------------------------

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        bp = Blueprint("baton_relay", __name__)
        relay = self

        @bp.listener("after_server_start")
        async def _start(_app: Sanic, _loop: Any) -> None:
            await relay.outbox.start()

        @bp.listener("before_server_stop")
        async def _stop(_app: Sanic, _loop: Any) -> None:
            await relay.outbox.stop()

        @bp.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @bp.route("/message", methods=["POST"])
        async def message(request: Request) -> HTTPResponse:
            if not relay._authorized(request):
                return response.json({"error": "relay token required"}, status=401)
            body = request.json if isinstance(request.json, dict) else {}
            conversation_id = str(body.get("conversation_id") or "")
            key = str(body.get("message_id") or "")
            text = str(body.get("text") or "").strip()[:MAX_TEXT]
            agent_name = str(body.get("agent_name") or "Support agent")[:80]
            if not conversation_id or not key or not text:
                return response.json({"error": "conversation_id, message_id, text"}, status=400)
            return await relay.deliver(request.app, conversation_id, key, text, agent_name, body)

        @bp.route("/template", methods=["POST"])
        async def template(request: Request) -> HTTPResponse:
            if not relay._authorized(request):
                return response.json({"error": "relay token required"}, status=401)
            body = request.json if isinstance(request.json, dict) else {}
            conversation_id = str(body.get("conversation_id") or "")
            key = str(body.get("message_id") or "")
            content_sid = str(body.get("content_sid") or "")
            variables = body.get("variables")
            text = str(body.get("text") or "").strip()[:MAX_TEXT]
            agent_name = str(body.get("agent_name") or "Support agent")[:80]
            if (
                not conversation_id
                or not key
                or not content_sid
                or not text
                or not isinstance(variables, dict)
            ):
                return response.json(
                    {"error": "conversation_id, message_id, content_sid, variables, text"},
                    status=400,
                )
            filled = {str(k): str(v) for k, v in variables.items()}

            async def send(output: OutputChannel) -> None:
                send_template = getattr(output, "send_template", None)
                if not callable(send_template):
                    raise _NoTemplates()
                await send_template(conversation_id, content_sid, filled)

            return await relay.deliver(
                request.app, conversation_id, key, text, agent_name, body, send=send
            )

        @bp.route("/close", methods=["POST"])
        async def close(request: Request) -> HTTPResponse:
            if not relay._authorized(request):
                return response.json({"error": "relay token required"}, status=401)
            body = request.json if isinstance(request.json, dict) else {}
            conversation_id = str(body.get("conversation_id") or "")
            key = str(body.get("message_id") or "")
            if not conversation_id or not key:
                return response.json({"error": "conversation_id, message_id"}, status=400)
            agent_name = str(body.get("agent_name") or "our team")[:80]
            return await relay.resume(request.app, conversation_id, key, agent_name, body)

        return bp

    async def deliver(
        self,
        app: Sanic,
        conversation_id: str,
        key: str,
        text: str,
        agent_name: str,
        body: dict[str, Any],
        send: Optional[Callable[[OutputChannel], Awaitable[None]]] = None,
    ) -> HTTPResponse:
        """Send to the customer's channel (an agent's text, or ``send`` for something else)
        and record it in the tracker as the agent's."""
        from rasa.shared.core.events import BotUttered

        from connectors.delivery import DeliveryFailed, OutsideMessagingWindow, RecipientUnknown
        from connectors.fanout import FanoutUnavailable

        agent = getattr(app.ctx, "agent", None)
        if agent is None or agent.tracker_store is None:
            return response.json({"error": "not ready"}, status=503)
        async with agent.lock_store.lock(conversation_id):
            if await self.outbox.already_delivered(key):
                return response.json({"delivered": True, "duplicate": True})
            tracker = await agent.tracker_store.retrieve(conversation_id)
            if tracker is None:
                return response.json({"error": "no such conversation"}, status=404)
            channel = tracker.get_latest_input_channel()
            output = self.output_for(app, channel)
            live = output is not None
            if output is None and send is not None:
                return response.json(
                    {"error": f"the customer's channel ({channel}) cannot send this now"},
                    status=422,
                )
            if output is not None:
                try:
                    if send is not None:
                        await send(output)
                    else:
                        await send_agent_message(output, conversation_id, text, agent_name)
                except _NoTemplates:
                    return response.json(
                        {"error": f"the customer's channel ({channel}) has no message templates"},
                        status=422,
                    )
                except OutsideMessagingWindow as exc:
                    return response.json({"error": exc.reason, "window_closed": True}, status=422)
                except RecipientUnknown as exc:
                    return response.json({"error": exc.reason}, status=404)
                except FanoutUnavailable as exc:  # retried by the handoff service
                    return response.json({"error": str(exc)}, status=503)
                except DeliveryFailed as exc:
                    return response.json({"error": exc.reason}, status=422)
            tracker.update(
                BotUttered(
                    text,
                    data={},
                    metadata={
                        "agent_name": agent_name,
                        "handoff": {"ticket_id": body.get("ticket_id"), "message_id": key},
                        **({"template": body.get("content_sid")} if send is not None else {}),
                    },
                )
            )
            await agent.tracker_store.save(tracker)
            await self.outbox.remember_delivery(key)
        return response.json({"delivered": True, "live": live, "channel": channel})

    async def resume(
        self, app: Sanic, conversation_id: str, key: str, agent_name: str, body: dict[str, Any]
    ) -> HTTPResponse:
        from rasa.core.policies.policy import PolicyPrediction
        from rasa.shared.core.constants import ACTION_LISTEN_NAME
        from rasa.shared.core.events import ActionExecuted, ConversationResumed, SlotSet

        agent = getattr(app.ctx, "agent", None)
        if agent is None or agent.tracker_store is None or agent.processor is None:
            return response.json({"error": "not ready"}, status=503)
        processor = agent.processor
        async with agent.lock_store.lock(conversation_id):
            if await self.outbox.already_delivered(key):
                return response.json({"resumed": True, "duplicate": True})
            tracker = await agent.tracker_store.retrieve(conversation_id)
            if tracker is None:
                return response.json({"error": "no such conversation"}, status=404)
            was_paused = tracker.is_paused()
            if was_paused:
                tracker.update(ConversationResumed())
            if body.get("ticket_id") is not None:
                tracker.update(SlotSet(names.SLOT_HANDOFF_TICKET, str(body["ticket_id"])))
            tracker.update(SlotSet(names.SLOT_HANDOFF_AGENT, agent_name))
            await agent.tracker_store.save(tracker)
            output = self.output_for(app, tracker.get_latest_input_channel())
            try:
                asked = await processor.execute_action(
                    conversation_id,
                    names.UTTER_ASK_CSAT_RATING,
                    output or CollectingOutputChannel(),
                    processor.nlg,
                    PolicyPrediction.for_action_name(processor.domain, names.UTTER_ASK_CSAT_RATING),
                )
            except Exception:
                logger.exception(
                    "could not ask for the rating", extra={"conversation": conversation_id}
                )
                asked = None
            if asked is not None:
                asked.update(ActionExecuted(ACTION_LISTEN_NAME))
                await agent.tracker_store.save(asked)
            await self.outbox.remember_delivery(key)
        logger.info("conversation resumed after handoff", extra={"conversation": conversation_id})
        return response.json({"resumed": was_paused, "rating_asked": asked is not None})

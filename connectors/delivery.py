"""What a channel's output does when it cannot deliver, and how a turn's messages are gathered.

**For whoever sends through a channel** (the bot's own turns, and the handoff relay that
posts an agent's reply to the customer's channel): the WhatsApp and Slack output channels
raise a :class:`DeliveryFailed` instead of failing silently. Catch it and show
``exc.reason`` to the agent::

    channel = next(c for c in app.ctx.input_channels if c.name() == "whatsapp")
    try:
        await channel.get_output_channel().send_text_message(conversation_id, text)
    except OutsideMessagingWindow as exc:  # nothing was sent
        ...  # e.g. tell the agent: exc.reason
    except DeliveryFailed as exc:
        ...

``recipient_id`` is always Baton's conversation id (``tracker.sender_id``), as Rasa passes
it; the channel finds the phone number or Slack thread itself.
"""

from __future__ import annotations

from typing import Any, Optional, Protocol

from rasa.core.channels.channel import OutputChannel


class DeliveryFailed(Exception):
    """A message could not be delivered. ``reason`` is safe to show and to log."""

    def __init__(self, channel: str, conversation_id: str, reason: str) -> None:
        super().__init__(f"{channel}: {reason} (conversation {conversation_id})")
        self.channel = channel
        self.conversation_id = conversation_id
        self.reason = reason


class RecipientUnknown(DeliveryFailed):
    """The conversation has never written on this channel, so there is nobody to send to."""


class OutsideMessagingWindow(DeliveryFailed):
    """WhatsApp: the customer's last message is more than 24 hours old, so a free-form message
    may not be sent (only a pre-approved template could be). The send was not attempted."""

    def __init__(
        self, channel: str, conversation_id: str, reason: str, hours_since_last: Optional[float]
    ) -> None:
        super().__init__(channel, conversation_id, reason)
        self.hours_since_last = hours_since_last


class PlatformRejected(DeliveryFailed):
    """The platform's API refused or failed the send (an error code, never personal data)."""


class _Deliverer(Protocol):
    async def deliver(self, conversation_id: str, messages: list[dict[str, Any]]) -> None: ...


class DeliveringOutput(OutputChannel):
    """An output channel whose every call is one delivery through its input channel's
    ``deliver(conversation_id, messages)``, which renders for the platform and raises
    :class:`DeliveryFailed` when it cannot send. WhatsApp and Slack differ only in that."""

    def __init__(self, channel: _Deliverer) -> None:
        self.channel = channel

    async def send_response(self, recipient_id: str, message: dict[str, Any]) -> None:
        await self.channel.deliver(recipient_id, [message])

    async def send_text_message(self, recipient_id: str, text: str, **kwargs: Any) -> None:
        await self.channel.deliver(recipient_id, [{"text": text}])

    async def send_text_with_buttons(
        self, recipient_id: str, text: str, buttons: list[dict[str, Any]], **kwargs: Any
    ) -> None:
        await self.channel.deliver(recipient_id, [{"text": text, "buttons": buttons}])

    async def send_quick_replies(
        self, recipient_id: str, text: str, quick_replies: list[dict[str, Any]], **kwargs: Any
    ) -> None:
        await self.send_text_with_buttons(recipient_id, text, quick_replies)

    async def send_image_url(self, recipient_id: str, image: str, **kwargs: Any) -> None:
        await self.channel.deliver(recipient_id, [{"image": image}])

    async def send_attachment(self, recipient_id: str, attachment: str, **kwargs: Any) -> None:
        await self.channel.deliver(recipient_id, [{"attachment": attachment}])

    async def send_custom_json(
        self, recipient_id: str, json_message: dict[str, Any], **kwargs: Any
    ) -> None:
        await self.channel.deliver(recipient_id, [{"custom": json_message}])

    async def send_elements(self, recipient_id: str, elements: Any, **kwargs: Any) -> None:
        await self.channel.deliver(recipient_id, [{"elements": list(elements)}])


class TurnCollector(OutputChannel):
    """Collects one turn's messages so the connector can render and send them together.

    Unlike Rasa's ``CollectingOutputChannel`` it keeps a text whole (no splitting on blank
    lines: each channel decides how to cut) and keeps quick replies and elements. ``name()``
    is the real channel's, so domain responses with ``channel:`` variations still apply.
    """

    def __init__(self, channel: str) -> None:
        self._channel = channel
        self.messages: list[dict[str, Any]] = []

    def name(self) -> str:  # Rasa calls it on the instance
        return self._channel

    async def send_response(self, recipient_id: str, message: dict[str, Any]) -> None:
        kept = {
            k: v
            for k, v in message.items()
            if k
            in ("text", "buttons", "quick_replies", "image", "attachment", "custom", "elements")
            and v
        }
        if kept:
            self.messages.append(kept)

    async def send_text_message(self, recipient_id: str, text: str, **kwargs: Any) -> None:
        await self.send_response(recipient_id, {"text": text})

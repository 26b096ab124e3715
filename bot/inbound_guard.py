"""What a customer's message may do to the dialogue, on every channel.

Rasa reads a message that starts with ``/`` as ``/intent{"entity": value}``: the intent at
confidence 1.0 with whatever entities it names, past the NLU and its fallbacks. That is how
buttons work — a button's payload is sent as the message — but a customer can *type* one too:
``/greet{"language":"ko"}`` set the language, ``/rate{"rating":1e999}`` crashed the rating
action, ``/restart`` while an agent had the conversation dropped the handoff. So:

* a ``/`` message is taken as a payload only when it is, exactly, the payload of a button the
  bot offered in its last turn (or the channel itself marked it as its own, e.g. web chat's
  greeting when a stock widget opens); anything else is read as plain text by the NLU;
* every entity — from a payload or from the NLU — must be a value its slot can hold: valid
  Unicode without control characters, not too long, a finite number, one of a categorical
  slot's values; anything else is dropped before it can reach a slot or an action;
* the text itself is normalised (:func:`connectors.text.clean_text`) in case a channel did not.

:func:`patched` wraps ``MessageProcessor._handle_message_with_tracker``, the one place every
channel's message is parsed with its tracker at hand (installed by bot/patches/).
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Any, Optional

from connectors.text import clean_text, is_clean

#: Set by a connector (never by a client) on a ``/`` message it produced itself.
TRUSTED_PAYLOAD = "baton_trusted_payload"
#: Longer than any e-mail address, postcode, order or return number a customer gives.
MAX_ENTITY_CHARS = 254
#: What a message the NLU cannot place is (Rasa's FallbackClassifier's intent).
FALLBACK_INTENT = "nlu_fallback"
#: The rating buttons' scale.
RATING_RANGE = (1, 5)


def offered_payloads(events: Iterable[Any]) -> set[str]:
    """The button payloads of the bot's last turn: its messages since the last user message."""
    from rasa.shared.core.events import BotUttered, UserUttered

    offered: set[str] = set()
    for event in reversed(list(events)):
        if isinstance(event, UserUttered):
            break
        if isinstance(event, BotUttered):
            data = event.data or {}
            for key in ("buttons", "quick_replies"):
                for button in data.get(key) or []:
                    payload = button.get("payload") if isinstance(button, dict) else None
                    if isinstance(payload, str):
                        offered.add(payload.strip())
    return offered


def is_payload(text: str) -> bool:
    return text.lstrip().startswith("/")


def as_plain_text(text: str) -> str:
    """What the NLU reads for a ``/`` message that is not an offered payload."""
    return text.lstrip().lstrip("/").strip()


def _valid_entity_value(entity: str, value: Any, slot: Any) -> bool:
    if isinstance(value, bool):
        return False
    if isinstance(value, (int, float)):
        if not math.isfinite(value) or abs(value) > 10**12:
            return False
    elif isinstance(value, str):
        if not value.strip() or len(value) > MAX_ENTITY_CHARS or not is_clean(value):
            return False
    else:
        return False  # lists, objects, null: no slot of ours holds them
    if entity == "rating":
        try:
            number = float(value)
        except ValueError:
            return False
        return number.is_integer() and RATING_RANGE[0] <= number <= RATING_RANGE[1]
    values = getattr(slot, "values", None) if slot is not None else None
    if values:
        return str(value).lower() in {str(v).lower() for v in values if v != "__other__"}
    return True


def clean_entities(entities: Any, domain: Any) -> list[dict[str, Any]]:
    """The entities whose values a slot (or an action) can safely take; the rest dropped."""
    if not isinstance(entities, list):
        return []
    slots_by_entity: dict[str, Any] = {}
    for slot in getattr(domain, "slots", []) or []:
        for mapping in getattr(slot, "mappings", []) or []:
            if mapping.get("type") == "from_entity" and mapping.get("entity"):
                slots_by_entity.setdefault(mapping["entity"], slot)
    kept = []
    for entity in entities:
        if not isinstance(entity, dict) or not isinstance(entity.get("entity"), str):
            continue
        name = entity["entity"]
        if _valid_entity_value(name, entity.get("value"), slots_by_entity.get(name)):
            kept.append(entity)
    return kept


def _trusted(message: Any) -> bool:
    metadata = getattr(message, "metadata", None)
    return isinstance(metadata, dict) and metadata.get(TRUSTED_PAYLOAD) is True


async def guarded_parse(processor: Any, message: Any, tracker: Any) -> Optional[dict[str, Any]]:
    """The parse of ``message`` under the rules above (``None``: nothing to change)."""
    from rasa.core.channels.channel import UserMessage

    text = message.text if isinstance(message.text, str) else ""
    cleaned = clean_text(text)
    if cleaned != text:
        message.text = text = cleaned
    if (
        is_payload(text)
        and not _trusted(message)
        and text.strip() not in offered_payloads(tracker.events)
    ):
        plain = UserMessage(
            as_plain_text(text),
            message.output_channel,
            message.sender_id,
            input_channel=message.input_channel,
            message_id=message.message_id,
            metadata=message.metadata,
        )
        parse_data = dict(await processor.parse_message(plain, tracker))
        parse_data["text"] = text
        return parse_data
    return None


def patched(original: Any) -> Any:
    """``MessageProcessor._handle_message_with_tracker`` parsing under the rules above."""

    async def _handle_message_with_tracker(self: Any, message: Any, tracker: Any) -> None:
        if not message.parse_data:
            replaced = await guarded_parse(self, message, tracker)
            parse_data = replaced or await self.parse_message(message, tracker)
            parse_data["entities"] = clean_entities(parse_data.get("entities"), self.domain)
            intent = parse_data.get("intent")
            if not isinstance(intent, dict) or not intent.get("name"):
                # Text with no words the NLU can read ("/" alone, a zero-width space): not
                # understood, like any text it cannot place. Stored without an intent, it
                # broke every later read of the support figures.
                parse_data["intent"] = {"name": FALLBACK_INTENT, "confidence": 1.0}
            message.parse_data = parse_data
        await original(self, message, tracker)

    return _handle_message_with_tracker

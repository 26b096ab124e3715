"""Answers in traditional Chinese to a customer who writes traditional characters.

Simplified and traditional Chinese are one language to Baton (``zh``): one set of
responses, written in simplified characters, and an NLU that reads both. A customer in Hong
Kong or Taiwan who writes 「我想退貨」 should not be answered in 「退货」, so the Rasa server
renders responses through :class:`ScriptMatchingNLG` (``nlg: type:`` in bot/endpoints.yml):
when the conversation's language is ``zh`` and the customer's latest message written in Han
characters used traditional ones, the whole answer — text, the facts filled into it and the
button titles — is converted with zhconv to Taiwan's standard forms (``zh-tw``: 為, not
the 爲 of the generic ``zh-hant`` table that few readers use). Latin text (product names,
places, links) is left as written. Everything else passes through untouched, so English and
Korean answers cost nothing extra.
"""

from __future__ import annotations

import re
from typing import Any, Optional

from rasa.core.nlg import TemplatedNaturalLanguageGenerator
from rasa.shared.core.domain import Domain
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.utils.endpoints import EndpointConfig

_HAN = re.compile(r"[\u4e00-\u9fff\u3400-\u4dbf]")
_LANGUAGE_SLOT = "language"
_LOOKBACK = 50  # user messages to look back through for one written in Han characters


def _convert(text: str, variant: str) -> str:
    import zhconv  # imported on first use: its dictionary loads once, only if needed

    return str(zhconv.convert(text, variant))


def is_traditional(text: str) -> bool:
    """Whether ``text`` uses traditional characters (converting it to simplified changes it)."""
    return bool(_HAN.search(text)) and _convert(text, "zh-hans") != text


def to_traditional(text: str) -> str:
    return _convert(text, "zh-tw")


def writes_traditional(tracker: DialogueStateTracker) -> bool:
    """The customer's latest message in Han characters was written in traditional ones."""
    if tracker.get_slot(_LANGUAGE_SLOT) != "zh":
        return False
    seen = 0
    for event in reversed(tracker.events):
        if getattr(event, "type_name", None) != "user":
            continue
        seen += 1
        text = getattr(event, "text", None) or ""
        if _HAN.search(text):
            return is_traditional(text)
        if seen >= _LOOKBACK:
            break
    return False


def _converted(value: Any) -> Any:
    if isinstance(value, str):
        return to_traditional(value)
    if isinstance(value, list):
        return [_converted(v) for v in value]
    if isinstance(value, dict):
        return {k: (_converted(v) if k in ("text", "title") else v) for k, v in value.items()}
    return value


class ScriptMatchingNLG(TemplatedNaturalLanguageGenerator):
    """Rasa's templated NLG, answering in the Chinese script the customer writes."""

    def __init__(
        self, endpoint_config: Optional[EndpointConfig] = None, domain: Optional[Domain] = None
    ) -> None:
        super().__init__((domain or Domain.empty()).responses)

    async def generate(
        self,
        utter_action: str,
        tracker: DialogueStateTracker,
        output_channel: str,
        **kwargs: Any,
    ) -> Optional[dict[str, Any]]:
        response = await super().generate(utter_action, tracker, output_channel, **kwargs)
        if response is None or not writes_traditional(tracker):
            return response
        # Buttons an action sends along with a response are appended by Rasa after this
        # returns (rasa/core/actions/action.py, _utter_responses), from the same dicts passed
        # in here: convert their titles in place so they match the text.
        for button in kwargs.get("buttons") or []:
            if isinstance(button, dict) and isinstance(button.get("title"), str):
                button["title"] = to_traditional(button["title"])
        for key in ("text", "buttons", "quick_replies", "elements"):
            if response.get(key):
                response[key] = _converted(response[key])
        return response

"""The demo history's Rasa events (:mod:`analytics.seed`): event dicts as ``Event.as_dict()``
writes them, and the tracker-store rows they become."""

from __future__ import annotations

import json
import random
import uuid
from collections.abc import Iterator
from datetime import datetime, timezone
from typing import Any, Optional

from bot import names


def utc(ts: float) -> datetime:
    return datetime.fromtimestamp(ts, timezone.utc).replace(tzinfo=None)


class SeedEvents:
    """Rasa event dicts, as ``Event.as_dict()`` writes them, and their tracker-store rows."""

    def __init__(self, sender_id: str, channel: str, meta: dict[str, Any], rng: random.Random):
        self.sender_id = sender_id
        self.channel = channel
        self.meta = meta
        self.rng = rng
        self.events: list[dict[str, Any]] = []

    def add(self, event: dict[str, Any]) -> None:
        self.events.append(event)

    def action(self, ts: float, name: str) -> None:
        if name.endswith("_form"):  # Rasa writes a form's activation after its first run
            self.add({"event": "active_loop", "timestamp": ts, "name": name})
        self.add(
            {
                "event": "action",
                "timestamp": ts,
                "metadata": {},
                "name": name,
                "policy": "RulePolicy",
                "confidence": 1.0,
                "action_text": None,
                "hide_rule_turn": False,
            }
        )

    def bot(self, ts: float, text: str, utter: Optional[str], agent: Optional[str] = None) -> None:
        meta: dict[str, Any] = {"agent_name": agent} if agent else {}
        if utter:
            meta["utter_action"] = utter
        self.add({"event": "bot", "timestamp": ts, "metadata": meta, "text": text, "data": {}})

    def slot(self, ts: float, name: str, value: Any) -> None:
        self.add({"event": "slot", "timestamp": ts, "name": name, "value": value})

    def user(self, ts: float, text: str, intent: str, confidence: float) -> None:
        ranking = [{"name": intent, "confidence": confidence}]
        if intent == names.NLU_FALLBACK:
            ranking.append({"name": names.OUT_OF_SCOPE, "confidence": round(confidence * 0.8, 3)})
        message_id = uuid.UUID(int=self.rng.getrandbits(128)).hex
        self.add(
            {
                "event": "user",
                "timestamp": ts,
                "metadata": dict(self.meta),
                "text": text,
                "parse_data": {
                    "intent": {"name": intent, "confidence": confidence},
                    "entities": [],
                    "text": text,
                    "message_id": message_id,
                    "metadata": dict(self.meta),
                    "intent_ranking": ranking,
                },
                "input_channel": self.channel,
                "message_id": message_id,
            }
        )

    def rows(self) -> Iterator[dict[str, Any]]:
        for event in self.events:
            parse = event.get("parse_data") or {}
            yield {
                "sender_id": self.sender_id,
                "type_name": event["event"],
                "timestamp": event["timestamp"],
                "intent_name": (parse.get("intent") or {}).get("name"),
                "action_name": event.get("name"),
                "data": json.dumps(event),
            }

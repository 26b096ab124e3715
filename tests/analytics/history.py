"""Hand-made history: Rasa events and handoff tickets written the way Baton writes them.

Rows go into a real tracker-store table (``events``: intent in ``intent_name``, a slot's name
in ``action_name``, the event as JSON in ``data``) and a real handoff database, so the tests
exercise the same SQL the dashboard runs.
"""

from __future__ import annotations

import json
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Optional

import sqlalchemy as sa

from handoff.store import tables as h
from infra.events_table import events
from infra.events_table import metadata as events_metadata


def at(when: str) -> float:
    """``"11-02 10:00"`` (or with seconds) -> UNIX seconds, in November 2026, UTC."""
    fmt = "%Y-%m-%d %H:%M:%S" if when.count(":") == 2 else "%Y-%m-%d %H:%M"
    return datetime.strptime(f"2026-{when}", fmt).replace(tzinfo=timezone.utc).timestamp()


def _naive(ts: float) -> datetime:
    return datetime.fromtimestamp(ts, timezone.utc).replace(tzinfo=None)


class History:
    def __init__(self, directory: Path, urls: Optional[tuple[str, str]] = None) -> None:
        self.tracker_url, self.handoff_url = urls or (
            f"sqlite:///{directory / 'tracker.db'}",
            f"sqlite:///{directory / 'handoff.db'}",
        )
        self.tracker = sa.create_engine(self.tracker_url, future=True)
        self.handoff = sa.create_engine(self.handoff_url, future=True)
        events_metadata.create_all(self.tracker)
        h.metadata.create_all(self.handoff)
        self.channels: dict[str, str] = {}
        self.agents: dict[str, int] = {}

    def close(self) -> None:
        self.tracker.dispose()
        self.handoff.dispose()

    def _event(self, sender: str, event: dict[str, Any]) -> None:
        parse = event.get("parse_data") or {}
        with self.tracker.begin() as conn:
            conn.execute(
                sa.insert(events).values(
                    sender_id=sender,
                    type_name=event["event"],
                    timestamp=event["timestamp"],
                    intent_name=(parse.get("intent") or {}).get("name"),
                    action_name=event.get("name"),
                    data=json.dumps(event),
                )
            )

    def session(self, sender: str, channel: str, when: str, language: Optional[str] = None) -> None:
        self.channels[sender] = channel
        ts = at(when)
        self._event(sender, {"event": "action", "timestamp": ts, "name": "action_session_start"})
        self._event(sender, {"event": "session_started", "timestamp": ts})
        if language:
            self.slot(sender, when, "language", language)

    def user(self, sender: str, when: str, intent: str, text: str = "…") -> None:
        channel = self.channels[sender]
        meta = {"channel": channel, "channel_user_id": sender, "display_name": None}
        self._event(
            sender,
            {
                "event": "user",
                "timestamp": at(when),
                "metadata": meta,
                "text": text,
                "parse_data": {"intent": {"name": intent, "confidence": 0.9}, "text": text},
                "input_channel": channel,
            },
        )
        # what the bot did next: actions and bot messages are in the table too
        self._event(sender, {"event": "action", "timestamp": at(when) + 1, "name": "action_listen"})

    def slot(self, sender: str, when: str, name: str, value: Any) -> None:
        self._event(sender, {"event": "slot", "timestamp": at(when), "name": name, "value": value})

    def form(self, sender: str, when: str, name: Optional[str]) -> None:
        """A form activated (``name``) or deactivated (None), as Rasa writes it."""
        self._event(sender, {"event": "active_loop", "timestamp": at(when), "name": name})

    def pause(self, sender: str, when: str) -> None:
        self._event(sender, {"event": "pause", "timestamp": at(when)})

    def resume(self, sender: str, when: str) -> None:
        self._event(sender, {"event": "resume", "timestamp": at(when)})

    def _agent(self, name: Optional[str]) -> Optional[int]:
        if name is None:
            return None
        if name not in self.agents:
            with self.handoff.begin() as conn:
                self.agents[name] = conn.execute(
                    sa.insert(h.agents).values(
                        username=name.lower(), display_name=name, created_at=datetime(2026, 1, 1)
                    )
                ).inserted_primary_key[0]
        return self.agents[name]

    def ticket(
        self,
        conversation_id: str,
        channel: str,
        reason: str,
        opened: str,
        reply_after: Optional[float] = None,
        close_after: Optional[float] = None,
        agent: Optional[str] = None,
        rating: Optional[int] = None,
    ) -> None:
        created = at(opened)
        agent_id = self._agent(agent)
        closed = None if close_after is None else _naive(created + close_after)
        with self.handoff.begin() as conn:
            ticket_id = conn.execute(
                sa.insert(h.tickets).values(
                    conversation_id=conversation_id,
                    channel=channel,
                    reason=reason,
                    status="closed" if closed else ("active" if agent_id else "waiting"),
                    created_at=_naive(created),
                    claimed_at=_naive(created + 10) if agent_id else None,
                    claimed_by=agent_id,
                    closed_at=closed,
                    closed_by=agent_id if closed else None,
                    context="{}",
                    csat_rating=rating,
                )
            ).inserted_primary_key[0]
            rows = [
                {"kind": "customer", "text": "hello?", "created_at": _naive(created + 1)},
                {"kind": "system", "text": "claimed", "created_at": _naive(created + 10)},
            ]
            if reply_after is not None:
                rows += [
                    # a private note before the first reply is not a reply to the customer
                    {"kind": "note", "text": "checking", "created_at": _naive(created + 5)},
                    {"kind": "agent", "text": "Hi!", "created_at": _naive(created + reply_after)},
                    {
                        "kind": "agent",
                        "text": "Done.",
                        "created_at": _naive(created + reply_after + 40),
                    },
                ]
            conn.execute(
                sa.insert(h.messages),
                [{**r, "ticket_id": ticket_id, "agent_id": agent_id} for r in rows],
            )


def one_week(directory: Path, urls: Optional[tuple[str, str]] = None) -> History:
    """Monday 2 to Sunday 8 November 2026 (plus a conversation on each side of it).

    The right answers are worked out by hand in ``test_metrics.py``.
    """
    hi = History(directory, urls)
    # c1, c2: one web chat customer, two sessions
    hi.session("web-1", "webchat", "11-02 10:00")
    for minute, intent in enumerate(("greet", "order_status", "inform", "inform", "thank")):
        hi.user("web-1", f"11-02 10:0{minute}", intent)
    hi.session("web-1", "webchat", "11-05 09:00")
    hi.user("web-1", "11-05 09:00", "order_status")
    hi.user("web-1", "11-05 09:01", "nlu_fallback")
    hi.user("web-1", "11-05 09:02", "inform")
    # c3: misunderstood twice; while with the agent a message goes to them, not the bot
    hi.session("web-2", "webchat", "11-03 12:00")
    hi.user("web-2", "11-03 12:00", "nlu_fallback")
    hi.user("web-2", "11-03 12:00:40", "nlu_fallback")
    hi.pause("web-2", "11-03 12:01")
    hi.user("web-2", "11-03 12:04", "nlu_fallback", "ok thanks")
    hi.resume("web-2", "11-03 12:11")
    hi.user("web-2", "11-03 12:12", "rate", "5")
    hi.ticket("web-2", "webchat", "misunderstood", "11-03 12:01", 120, 600, "Ann", 5)
    # c4: Korean on WhatsApp, asks for a person, rates 2
    hi.session("wa-1", "whatsapp", "11-04 20:00", language="ko")
    hi.user("wa-1", "11-04 20:00", "human_handoff")
    hi.pause("wa-1", "11-04 20:00:30")
    hi.resume("wa-1", "11-04 20:15:30")
    hi.user("wa-1", "11-04 20:16", "rate", "2")
    hi.ticket("wa-1", "whatsapp", "customer_asked", "11-04 20:00:30", 300, 900, "Bob", 2)
    # c5: a return opened by the bot (doesn't fit, by carrier)
    hi.session("wa-2", "whatsapp", "11-06 08:00")
    hi.user("wa-2", "11-06 08:00", "return_item")
    hi.slot("wa-2", "11-06 08:01", "return_reason", "doesnt_fit")
    hi.user("wa-2", "11-06 08:01", "inform")
    hi.slot("wa-2", "11-06 08:02", "return_method", "carrier")
    hi.user("wa-2", "11-06 08:02", "affirm")
    hi.slot("wa-2", "11-06 08:03", "return_reason", None)
    hi.slot("wa-2", "11-06 08:03", "return_method", None)
    hi.slot("wa-2", "11-06 08:03", "last_rma", "RMA-20001")
    # c6: Chinese on WhatsApp, still waiting for an agent
    hi.session("wa-3", "whatsapp", "11-07 10:00", language="zh")
    hi.user("wa-3", "11-07 10:00", "human_handoff")
    hi.pause("wa-3", "11-07 10:00:20")
    hi.ticket("wa-3", "whatsapp", "customer_asked", "11-07 10:00:20")
    # c7: a complaint on Slack, answered and closed, never rated (Slack has no ratings here)
    hi.session("sl-1", "slack", "11-02 15:00")
    hi.user("sl-1", "11-02 15:00", "complain")
    hi.ticket("sl-1", "slack", "complaint", "11-02 15:00:10", 60, 300, "Ann")
    # c8: the last minute of the range
    hi.session("sl-2", "slack", "11-08 23:59")
    hi.user("sl-2", "11-08 23:59", "return_policy")
    hi.user("sl-2", "11-08 23:59:30", "thank")
    # outside the range, one on each side
    hi.session("sl-3", "slack", "11-09 00:00:30")
    hi.user("sl-3", "11-09 00:00:30", "order_status")
    hi.session("web-3", "webchat", "11-01 23:59")
    hi.user("web-3", "11-01 23:59", "order_status")
    hi.ticket("web-3", "webchat", "complaint", "11-02 00:00:10", 30, 60, "Ann", 1)
    # a ticket opened by another system: no conversation in the tracker store
    hi.ticket("api-1", "webchat", "action_server_down", "11-05 14:00", 30, 200, "Bob")
    return hi

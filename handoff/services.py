"""What the handoff service does: open tickets, queue them, relay both ways, close, rate.

The routes are thin; every rule lives in :class:`HandoffService`, over the repository. It is
one object made of parts, each in its own module:

* ``handoff/service_core.py`` — the shared state, background tasks, live feed and Slack card;
* ``handoff/accounts.py`` — agents, console logins and sessions, presence;
* ``handoff/intake.py`` — what the bot hands in: tickets, customer messages, ratings;
* ``handoff/agent_work.py`` — claim, reply, note, close, the WhatsApp re-opening template;
* ``handoff/delivery.py`` — the ``outbound`` queue to the Rasa server's relay;
* ``handoff/views.py`` — the console's queue and case views;
* ``handoff/canned_replies.py`` — the canned replies leads edit and agents pick;
* ``handoff/search.py`` — the console's search and a customer's cases across channels.
* ``handoff/agent_preferences.py`` — each agent's console language and notifications.
* ``handoff/handing_on.py`` — release and transfer a case, the queue with teams and alerts;
* ``handoff/teams_admin.py`` — the teams and routing rules leads edit.

Callers import :class:`HandoffService` and its errors from here. Side effects that may be
slow or fail (the relay to the customer's channel, Slack) never lose anything:

* agent replies and closes are written to the ``outbound`` table first and delivered per
  conversation in order; a failed delivery stays queued and a background loop retries it
  until the Rasa server's relay acknowledges it (the relay ignores a repeated key);
* forwarded customer messages carry the bot's outbox key, so a retried forward is
  acknowledged without storing the message twice;
* Slack posts run in the background, in order per ticket; Slack being down never blocks the
  console or the customer.
"""

from __future__ import annotations

from handoff.agent_preferences import AgentPreferences
from handoff.agent_work import AgentWork
from handoff.canned_replies import CannedReplies
from handoff.handing_on import HandingOn
from handoff.intake import Intake
from handoff.search import CaseSearch
from handoff.service_core import (
    LOGIN_MAX_FAILURES,
    LOGIN_WINDOW,
    MAX_TEXT,
    TOUCH_EVERY,
    Conflict,
    LoginThrottled,
    NotFound,
    WindowClosed,
    relay_key,
    utc_now,
)
from handoff.teams_admin import TeamsAdmin
from handoff.views import ConsoleViews

__all__ = [
    "LOGIN_MAX_FAILURES",
    "LOGIN_WINDOW",
    "MAX_TEXT",
    "TOUCH_EVERY",
    "Conflict",
    "HandoffService",
    "LoginThrottled",
    "NotFound",
    "WindowClosed",
    "relay_key",
    "utc_now",
]


class HandoffService(
    Intake,
    AgentWork,
    HandingOn,
    ConsoleViews,
    CannedReplies,
    TeamsAdmin,
    CaseSearch,
    AgentPreferences,
):
    """The handoff service: ``HandoffService(engine, settings, hub, relay, slack, clock)``."""

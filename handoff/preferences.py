"""An agent's console preferences, as plain values: which language the console speaks and
whether it shows browser notifications (with a short sound) for new cases and replies.

The rules for what an agent may save live here, with no database and no HTTP, so the
``PUT /api/me/preferences`` route (handoff/routes/preferences.py) and its tests share them.
Every field arrives from a browser and is untrusted: anything but the known keys and values is
refused with a reason the console can show.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Optional

#: The languages the console's own text is written in (handoff/console/i18n.js).
CONSOLE_LANGUAGES = ("en", "ko", "zh")
FIELDS = ("language", "notifications", "sound")


class PreferencesInvalid(ValueError):
    """What an agent sent cannot be saved; the message says why."""


@dataclass(frozen=True)
class Preferences:
    """``language`` None: the console follows the browser's language (English when the
    browser's is none of ``CONSOLE_LANGUAGES``). Notifications start off: the browser asks the
    agent's permission only when they turn them on."""

    language: Optional[str] = None
    notifications: bool = False
    sound: bool = True

    def public(self) -> dict[str, Any]:
        return {"language": self.language, "notifications": self.notifications, "sound": self.sound}


def parse_changes(body: Any) -> dict[str, Any]:
    """The fields to change, checked: a JSON object with one or more of ``language`` (one of
    ``CONSOLE_LANGUAGES``, or null for the browser's), ``notifications`` and ``sound``
    (true or false). Raises :class:`PreferencesInvalid` with the reason otherwise."""
    if not isinstance(body, dict):
        raise PreferencesInvalid("send the preferences as a JSON object")
    unknown = sorted(str(k)[:40] for k in body if k not in FIELDS)
    if unknown:
        raise PreferencesInvalid(
            f"unknown preference {', '.join(unknown)}; the preferences are {', '.join(FIELDS)}"
        )
    if not body:
        raise PreferencesInvalid(f"send one or more of {', '.join(FIELDS)}")
    changes: dict[str, Any] = {}
    if "language" in body:
        language = body["language"]
        if language is not None and language not in CONSOLE_LANGUAGES:
            raise PreferencesInvalid(
                f"language is one of {', '.join(CONSOLE_LANGUAGES)}, or null for the browser's"
            )
        changes["language"] = language
    for flag in ("notifications", "sound"):
        if flag in body:
            if not isinstance(body[flag], bool):
                raise PreferencesInvalid(f"{flag} is true or false")
            changes[flag] = body[flag]
    return changes

"""Which slice of the history a figure covers: dates, channel, language.

Parsed from the API's query string and the report's command line alike, with a clear reason
for anything wrong, so a typo in a channel name is an error rather than a page of zeros.
"""

from __future__ import annotations

import calendar
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from typing import Optional

CHANNELS = ("webchat", "whatsapp", "slack")
LANGUAGES = ("en", "ko", "zh")
GRANULARITIES = ("day", "week")
DEFAULT_DAYS = 28
MAX_DAYS = 366
# Up to this many days a trend is drawn per day; longer ranges per week.
DAILY_UP_TO = 31


class CutError(ValueError):
    """A query the caller must fix (answered with 400 and this message)."""


@dataclass(frozen=True)
class Cut:
    start: date  # first day, inclusive (UTC)
    end: date  # last day, inclusive (UTC)
    channel: Optional[str] = None
    language: Optional[str] = None
    granularity: str = "day"

    @property
    def start_ts(self) -> float:
        return float(calendar.timegm(self.start.timetuple()))

    @property
    def end_ts(self) -> float:
        """The first second after the range."""
        return float(calendar.timegm((self.end + timedelta(days=1)).timetuple()))

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def public(self) -> dict[str, Optional[str]]:
        return {
            "from": self.start.isoformat(),
            "to": self.end.isoformat(),
            "channel": self.channel,
            "language": self.language,
            "granularity": self.granularity,
        }


def today_utc() -> date:
    return datetime.now(timezone.utc).date()


#: Dates a range may name: "0001-01-01" parsed, then a default range around it fell off the
#: calendar (OverflowError, a 500). Nothing Baton keeps is outside these.
EARLIEST = date(2000, 1, 1)
LATEST = date(2999, 12, 31)


def _date(value: str, name: str) -> date:
    try:
        parsed = date.fromisoformat(value.strip())
    except ValueError:
        raise CutError(f"{name} must be a date like 2026-11-01, not {value[:40]!r}") from None
    if not EARLIEST <= parsed <= LATEST:
        raise CutError(f"{name} must be between {EARLIEST} and {LATEST}, not {parsed}")
    return parsed


def _choice(value: Optional[str], allowed: tuple[str, ...], name: str) -> Optional[str]:
    if value is None or value.strip() in ("", "all"):
        return None
    value = value.strip().lower()
    if value not in allowed:
        raise CutError(f"{name} must be one of {', '.join(allowed)} (or empty for all)")
    return value


def parse_cut(args: Mapping[str, Optional[str]], today: Optional[date] = None) -> Cut:
    """A :class:`Cut` from ``from``, ``to``, ``channel``, ``language`` and ``granularity``.

    Missing dates mean the last 28 days up to today; one date alone extends 28 days from it
    (or up to it). Ranges are whole UTC days, both ends included, at most a year long.
    """
    today = today or today_utc()
    raw_from, raw_to = args.get("from") or "", args.get("to") or ""
    end = _date(raw_to, "to") if raw_to.strip() else None
    start = _date(raw_from, "from") if raw_from.strip() else None
    if start is None and end is None:
        end = today
    if start is None:
        assert end is not None
        start = end - timedelta(days=DEFAULT_DAYS - 1)
    if end is None:
        end = min(start + timedelta(days=DEFAULT_DAYS - 1), max(today, start))
    if start > end:
        raise CutError("from must not be after to")
    if (end - start).days + 1 > MAX_DAYS:
        raise CutError(f"a range is at most {MAX_DAYS} days long")
    granularity = _choice(args.get("granularity"), GRANULARITIES, "granularity")
    if granularity is None:
        granularity = "day" if (end - start).days + 1 <= DAILY_UP_TO else "week"
    return Cut(
        start=start,
        end=end,
        channel=_choice(args.get("channel"), CHANNELS, "channel"),
        language=_choice(args.get("language"), LANGUAGES, "language"),
        granularity=granularity,
    )

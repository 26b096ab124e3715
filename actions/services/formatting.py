"""How dates, times and money read to a customer, in the shop's time zone.

Kept apart from the rules so a later language can swap the wording without touching them.
"""

from __future__ import annotations

from datetime import date, datetime, timezone
from decimal import Decimal
from zoneinfo import ZoneInfo

_SYMBOLS = {"GBP": "£", "EUR": "€", "USD": "$"}


def money(amount: Decimal, currency: str) -> str:
    symbol = _SYMBOLS.get(currency)
    value = f"{Decimal(amount).quantize(Decimal('0.01')):,}"
    return f"{symbol}{value}" if symbol else f"{value} {currency}"


def local(dt: datetime, tz: ZoneInfo) -> datetime:
    """A stored naive-UTC datetime in the shop's zone."""
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=timezone.utc)
    return dt.astimezone(tz)


def day(d: date, today: date) -> str:
    """'today', 'tomorrow', 'yesterday' or 'Tuesday 24 November' (year only when it differs)."""
    delta = (d - today).days
    if delta == 0:
        return "today"
    if delta == 1:
        return "tomorrow"
    if delta == -1:
        return "yesterday"
    text = f"{d:%A} {d.day} {d:%B}"
    return text if d.year == today.year else f"{text} {d.year}"


def moment(dt: datetime, tz: ZoneInfo, today: date) -> str:
    """'today at 11:42' or 'Monday 23 November at 09:15', in the shop's zone."""
    loc = local(dt, tz)
    return f"{day(loc.date(), today)} at {loc:%H:%M}"

"""Recognising an order number however a customer writes it.

Customers paste "#10234", "BT-10234", "order no. 10 234" or just "10234". The shop's order
numbers are five digits; anything else is not an order number, and the bot says so politely
instead of looking it up.
"""

from __future__ import annotations

import re
from typing import Optional

_ORDER_RE = re.compile(r"(?<!\d)(\d{2})\s?(\d{3})(?!\d)")
_MAX_INPUT = 200  # nobody types an order number in more characters than this


def normalize_order_number(text: object) -> Optional[str]:
    """The five-digit order number in ``text``, or ``None`` when there is not exactly one."""
    if not isinstance(text, (str, int)):
        return None
    value = str(text).strip()
    if not value or len(value) > _MAX_INPUT:
        return None
    found = {a + b for a, b in _ORDER_RE.findall(value)}
    if len(found) != 1:
        return None
    number = found.pop()
    return number if number[0] != "0" else None

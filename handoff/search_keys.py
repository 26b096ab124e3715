"""What the console's search matches a case by, normalised once at intake.

A ticket's order numbers, e-mail addresses and phone numbers live deep in its context packet
(JSON), which neither SQLite nor PostgreSQL can search portably or case-insensitively. So
intake writes them, normalised, into the ticket's ``search_keys`` column, one token each:

    |o:10023|e:jane.doe@example.com|p:447700900123:p|

* order numbers without ``#`` or spaces, lower case (``#10023`` = ``10023``);
* e-mail addresses in lower case;
* phone numbers as digits, leading zeros dropped, closed by ``:p`` so that a search for the
  number's last digits (``%900123:p|%``) can only end inside a phone token.

A query is matched against the same normalisation (:func:`patterns`): order numbers and
e-mails by prefix, phones by their last nine digits (``+44 7700 900123``, ``0044 7700 900123``
and ``07700 900123`` are one number, as are a country's national and international forms
whose national number is nine digits or longer). Every value is untrusted customer input:
``|`` and control characters are dropped, and each value and the whole column are bounded.

Plain functions, no database: the repository (handoff/store/search.py) turns the patterns
into LIKE conditions, escaping ``%``, ``_`` and ``\\``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Optional

from contracts.packet import ContextPacket

#: A query longer than this is refused (no order number, address or phrase is this long).
MAX_QUERY = 100
#: A query shorter than this would match nearly everything.
MIN_QUERY = 2
#: Digits a phone search needs, and how many of its last digits must match.
MIN_PHONE_DIGITS = 6
PHONE_SUFFIX = 9

_MAX_VALUE = 80
_MAX_TOKENS = 60
_UNSAFE = re.compile(r"[|\x00-\x1f\x7f]")
_SPACE = re.compile(r"\s+")
_PHONE_CHARS = re.compile(r"^[\d\s+\-().]+$")
_WHATSAPP = "whatsapp"


class QueryInvalid(ValueError):
    """A search the service will not run; the message says why (HTTP 400)."""


def _clean(value: object) -> str:
    if not isinstance(value, str):
        return ""
    return _UNSAFE.sub("", value).strip()[:_MAX_VALUE]


def order_key(value: object) -> str:
    """``#10023``, `` 10023`` and ``10023`` are one order number."""
    return _SPACE.sub("", _clean(value)).lstrip("#").lower()


def email_key(value: object) -> str:
    cleaned = _clean(value).lower()
    return cleaned if "@" in cleaned else ""


def phone_key(value: object) -> str:
    """The number's digits without leading zeros (an international prefix ``00`` or a
    national trunk ``0``); ``whatsapp:+44…`` gives the same as ``+44…``."""
    digits = re.sub(r"\D", "", _clean(value)).lstrip("0")
    return digits if len(digits) >= MIN_PHONE_DIGITS else ""


def _order_numbers(packet: ContextPacket) -> Iterable[object]:
    yield from (o.number for o in packet.orders)
    yield from (r.order_number for r in packet.returns)
    yield from (r.order_number for r in packet.refunds)
    yield from (c.order_number for c in packet.claims)
    yield from (c.order_number for c in packet.policy_cases)
    yield packet.bot_knows.get("order_number")


def _phones(packet: ContextPacket) -> Iterable[object]:
    customer = packet.customer
    if customer is not None:
        yield customer.phone
        yield from (i.id for i in customer.identities if (i.channel or "") == _WHATSAPP)
    if packet.conversation.channel == _WHATSAPP:
        yield packet.conversation.channel_user_id


def search_keys(packet: ContextPacket) -> str:
    """The ``search_keys`` column for a ticket with this context packet."""
    tokens: list[str] = []
    emails = [packet.customer.email] if packet.customer is not None else []
    emails.append(packet.bot_knows.get("email"))
    for kind, keys in (
        ("o", (order_key(v) for v in _order_numbers(packet))),
        ("e", (email_key(v) for v in emails)),
        ("p", (phone_key(v) for v in _phones(packet))),
    ):
        for key in keys:
            token = f"{kind}:{key}:p" if kind == "p" else f"{kind}:{key}"
            if key and token not in tokens:
                tokens.append(token)
    tokens = tokens[:_MAX_TOKENS]
    return "|" + "|".join(tokens) + "|" if tokens else ""


@dataclass(frozen=True)
class Patterns:
    """One query, normalised for each key; ``None`` where the query cannot be that key.

    Each value is literal text: the repository escapes it and adds the ``%``."""

    text: str  # lower case: names and message text contain it
    order: Optional[str]  # search_keys contains "|o:" + this (a prefix)
    email: Optional[str]  # search_keys contains "|e:" + this (a prefix)
    phone: Optional[str]  # search_keys contains this + ":p|" (the number's last digits)


def patterns(query: object) -> Patterns:
    """Check and normalise what an agent typed; :class:`QueryInvalid` says what is wrong."""
    if not isinstance(query, str) or not query.strip():
        raise QueryInvalid("type what to search for: an order number, e-mail, phone, name or words")
    text = _SPACE.sub(" ", query.strip())
    if len(text) > MAX_QUERY:
        raise QueryInvalid(f"a search is at most {MAX_QUERY} characters")
    if _UNSAFE.search(text):
        raise QueryInvalid("a search cannot contain '|' or control characters")
    if len(text) < MIN_QUERY:
        raise QueryInvalid(f"type at least {MIN_QUERY} characters to search")
    order = order_key(text) if " " not in text.lstrip("#").strip() else None
    phone: Optional[str] = None
    if _PHONE_CHARS.match(text):
        digits = phone_key(text)
        phone = digits[-PHONE_SUFFIX:] if digits else None
    return Patterns(
        text=text.lower(),
        order=order or None,
        email=text.lower() if " " not in text else None,
        phone=phone,
    )

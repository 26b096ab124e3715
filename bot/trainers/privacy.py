"""Mask personal data in the messages trainers review.

The inbox file is read by people and may be shared or committed by mistake, so e-mail addresses,
phone numbers, payment card numbers and postcodes are replaced by fixed fake values *of the same
shape* before anything is written. The same shape matters: a masked message is still a realistic
training example (``my email is name@example.com`` still teaches the ``email`` entity), while the
customer's own address never leaves the tracker store. Order numbers are kept -- they identify an
order, not a person, and ownership needs the e-mail or postcode as well (docs/architecture.md,
"Identity: who may see an order").
"""

from __future__ import annotations

import re

FAKE_EMAIL = "name@example.com"
FAKE_PHONE = "07700 900123"  # Ofcom's range reserved for drama: never a real number
FAKE_CARD = "4000 0000 0000 0000"
FAKE_UK_POSTCODE = "SW1A 1AA"
FAKE_EIRCODE = "D02 X285"

_EMAIL = re.compile(
    r"[A-Za-z0-9][A-Za-z0-9._%+\-]*@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)*\.[A-Za-z]{2,}"
)
_CARD = re.compile(r"(?<!\d)(?:\d[ \-]?){12,18}\d(?!\d)")
# +44/+353/00 prefixes or a leading 0, then 9-11 more digits in groups.
_PHONE = re.compile(r"(?<![\w+])(?:(?:\+|00)\d{2,3}[\s\-]?\(?0?\)?|0)(?:[\s\-]?\d){8,10}(?!\d)")
_UK_POSTCODE = re.compile(
    r"(?i)\b(?:GIR ?0AA|(?:[A-PR-UWYZ]\d[A-HJKPSTUW\d]?|[A-PR-UWYZ][A-HK-Y]\d[ABEHMNPRVWXY\d]?)"
    r" ?\d[ABD-HJLNP-UW-Z]{2})\b"
)
_EIRCODE = re.compile(r"(?i)\b(?:[AC-FHKNPRTV-Y]\d{2}|D6W) ?(?=[A-Z]{0,3}\d)[0-9A-Z]{4}\b")
_ALLOWED_EMAIL_DOMAINS = ("example.com", "example.ie", "example.co.uk", "example.org")


def mask(text: str) -> str:
    """``text`` with e-mails, cards, phone numbers and postcodes replaced by fake ones."""
    text = _EMAIL.sub(
        lambda m: m.group(0) if m.group(0).lower().endswith(_ALLOWED_EMAIL_DOMAINS) else FAKE_EMAIL,
        text,
    )
    # Placeholders first, so one fake value is never taken for another kind of number.
    text = _CARD.sub("\x00card\x00", text)
    text = _PHONE.sub("\x00phone\x00", text)
    text = _UK_POSTCODE.sub(FAKE_UK_POSTCODE, text)
    text = _EIRCODE.sub(FAKE_EIRCODE, text)
    return text.replace("\x00card\x00", FAKE_CARD).replace("\x00phone\x00", FAKE_PHONE)


def real_email_addresses(text: str) -> list[str]:
    """E-mail addresses in ``text`` outside the example.* domains reserved for documentation."""
    return [m for m in _EMAIL.findall(text) if not m.lower().endswith(_ALLOWED_EMAIL_DOMAINS)]

"""Redaction: a text with the personal data and credentials that must not reach a log taken out.

Shared by the JSON log formatter (:mod:`infra.logging`), the ops routes (:mod:`infra.ops`) and
the channels' failure logging (:mod:`connectors.logsafe`): e-mail addresses, phone numbers
(with or without ``whatsapp:``, bare E.164 digits), UK postcodes and Irish Eircodes, Slack
tokens and ``token=…``/``password: …`` pairs.
"""

from __future__ import annotations

import re

_PATTERNS = (
    (re.compile(r"xox[abposre]-[A-Za-z0-9-]+"), "<slack-token>"),
    (
        re.compile(r"(?i)(authorization|password|auth_token|token)(['\"]?\s*[:=]\s*)\S+"),
        r"\1\2<redacted>",
    ),
    (re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+"), "<email>"),
    (re.compile(r"(?:whatsapp:)?\+\d[\d ()-]{6,}\d"), "<phone>"),
    (re.compile(r"(?<![\d.])\d{11,15}(?![\d.])"), "<phone>"),  # bare E.164 digits, a WaId
    # UK postcodes ("SW1A 1AA", "m1 1ae") and Irish Eircodes ("D02 X285"): a proof of
    # ownership, and with a name an address.
    (
        re.compile(r"(?i)(?<![\w])[A-Z]{1,2}\d[A-Z\d]?\s*\d[A-Z]{2}(?![\w])"),
        "<postcode>",
    ),
    (
        re.compile(r"(?i)(?<![\w])[AC-FHKNPRTV-Y]\d{2}\s?[AC-FHKNPRTV-Y\d]{4}(?![\w])"),
        "<postcode>",
    ),
)


def redact(text: str) -> str:
    """``text`` with e-mail addresses, phone numbers, postcodes and tokens replaced."""
    for pattern, replacement in _PATTERNS:
        text = pattern.sub(replacement, text)
    return text

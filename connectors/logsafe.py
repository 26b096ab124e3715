"""Logging a failure without writing a customer's phone number, e-mail or a token to the log.

Exceptions from the Twilio and Slack SDKs quote what they were sent ("The 'To' number
whatsapp:+44… is not a valid…"), so a plain ``logger.exception`` would leak personal data and,
for some HTTP errors, credentials. :func:`log_failure` keeps the traceback (it is how a
failure gets fixed) but passes it through :func:`redact` first, and names the conversation by
its opaque id only.
"""

from __future__ import annotations

import logging
import re
import traceback

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


def describe(exc: BaseException) -> str:
    """A one-line, redacted description: the type and, where the SDK has one, its error code."""
    parts = [type(exc).__name__]
    code = getattr(exc, "code", None)
    if code is not None:
        parts.append(f"code={code}")
    status = getattr(exc, "status", None)
    if isinstance(status, int):
        parts.append(f"status={status}")
    slack = getattr(exc, "response", None)
    error = slack.get("error") if slack is not None and hasattr(slack, "get") else None
    if error:
        parts.append(f"error={error}")
    return redact(" ".join(parts))


def log_failure(
    logger: logging.Logger, what: str, conversation_id: str, exc: BaseException
) -> None:
    """Log ``what`` failed for a conversation, with a redacted traceback."""
    details = redact("".join(traceback.format_exception(type(exc), exc, exc.__traceback__)))
    logger.error(
        "%s failed for conversation %s: %s\n%s",
        what,
        conversation_id,
        describe(exc),
        details,
        extra={"conversation": conversation_id},
    )

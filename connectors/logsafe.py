"""Logging a failure without writing a customer's phone number, e-mail or a token to the log.

Exceptions from the Twilio and Slack SDKs quote what they were sent ("The 'To' number
whatsapp:+44… is not a valid…"), so a plain ``logger.exception`` would leak personal data and,
for some HTTP errors, credentials. :func:`log_failure` keeps the traceback (it is how a
failure gets fixed) but passes it through :func:`infra.redaction.redact` first, and names the
conversation by its opaque id only.
"""

from __future__ import annotations

import logging
import traceback

from infra.redaction import redact


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

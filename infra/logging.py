"""JSON logs for the production profile: one object per line, a conversation id, no personal data.

``BATON_LOG_FORMAT=json`` (the production profile's default) switches every handler of every
configured logger — Rasa's, Sanic's, Baton's — to :class:`JsonFormatter`, so a log shipper
(Loki, CloudWatch, Elasticsearch) can index the fields instead of parsing text. Local mode keeps
Rasa's human-readable lines.

Every line carries the id of the conversation being worked on when there is one — set by the
turn hook on the Rasa server, the action server's webhook and the handoff service's bot API via
:func:`conversation` — so one customer's turn can be followed across the three processes. Those
ids are opaque (web chat session ids; WhatsApp and Slack ids are keyed hashes, see
``connectors/whatsapp.py``). Message text, tracebacks included, passes through the same redaction
the connectors use (:func:`infra.redaction.redact`): e-mail addresses, phone numbers,
postcodes and tokens never reach the log. Text logs (``make run``'s default) are redacted the
same way (:class:`RedactingFormatter` around each handler's own formatter).
"""

from __future__ import annotations

import contextlib
import contextvars
import json
import logging
import os
import time
from collections.abc import Iterator
from typing import Any, Optional

from infra.redaction import redact

_conversation: contextvars.ContextVar[Optional[str]] = contextvars.ContextVar(
    "baton_conversation_id", default=None
)

#: LogRecord attributes that are not "extra" fields a caller added.
_STANDARD = set(logging.LogRecord("", 0, "", 0, "", (), None).__dict__) | {"message", "asctime"}


def current_conversation() -> Optional[str]:
    return _conversation.get()


def set_conversation(conversation_id: Optional[str]) -> contextvars.Token[Optional[str]]:
    """Tag this task's log lines with ``conversation_id`` (until reset with the token)."""
    return _conversation.set(conversation_id)


@contextlib.contextmanager
def conversation(conversation_id: Optional[str]) -> Iterator[None]:
    """Tag the log lines written inside the block with ``conversation_id``."""
    token = _conversation.set(conversation_id)
    try:
        yield
    finally:
        _conversation.reset(token)


class JsonFormatter(logging.Formatter):
    """One JSON object per record: time, level, logger, service, conversation id, message."""

    def __init__(self, service: Optional[str] = None) -> None:
        super().__init__()
        self.service = service or os.environ.get("BATON_SERVICE", "baton")

    def format(self, record: logging.LogRecord) -> str:
        try:
            message = record.getMessage()
        except Exception:  # a bad %-format must not lose the line
            message = f"{record.msg!r} {record.args!r}"
        entry: dict[str, Any] = {
            "ts": time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(record.created))
            + f".{int(record.msecs):03d}Z",
            "level": record.levelname.lower(),
            "logger": record.name,
            "service": self.service,
            "pid": record.process,
            "msg": redact(message),
        }
        conversation_id = getattr(record, "conversation_id", None) or _conversation.get()
        if conversation_id:
            entry["conversation_id"] = str(conversation_id)
        for key, value in record.__dict__.items():
            if key not in _STANDARD and key not in entry and not key.startswith("_"):
                entry[key] = redact(value) if isinstance(value, str) else _plain(value)
        if record.exc_info:
            entry["exc"] = redact(self.formatException(record.exc_info))
        elif record.exc_text:
            entry["exc"] = redact(record.exc_text)
        return json.dumps(entry, ensure_ascii=False, default=str)


class RedactingFormatter(logging.Formatter):
    """A handler's own text formatter, its output passed through :func:`redact`."""

    def __init__(self, inner: Optional[logging.Formatter] = None) -> None:
        super().__init__()
        self.inner = inner or logging.Formatter("%(asctime)s %(levelname)s %(name)s %(message)s")

    def format(self, record: logging.LogRecord) -> str:
        return redact(self.inner.format(record))


def use_redacted_text_logs() -> int:
    """Wrap the formatter of every handler of every configured logger in
    :class:`RedactingFormatter`; returns how many it wrapped (idempotent)."""
    root = logging.getLogger()
    if not root.handlers:
        root.addHandler(logging.StreamHandler())
    loggers: list[logging.Logger] = [root]
    loggers += [
        c
        for c in list(logging.Logger.manager.loggerDict.values())
        if isinstance(c, logging.Logger) and c.handlers
    ]
    wrapped = 0
    for logger in loggers:
        for handler in logger.handlers:
            if not isinstance(handler.formatter, (RedactingFormatter, JsonFormatter)):
                handler.setFormatter(RedactingFormatter(handler.formatter))
                wrapped += 1
    return wrapped


def _plain(value: Any) -> Any:
    if value is None or isinstance(value, (bool, int, float)):
        return value
    return redact(str(value))


def json_logs_wanted(env: Optional[dict[str, str]] = None) -> bool:
    source = os.environ if env is None else env
    return source.get("BATON_LOG_FORMAT", "").strip().lower() == "json"


def use_json_logs(service: Optional[str] = None) -> int:
    """Give every handler of the root logger and of each configured logger the JSON formatter.

    Called once the framework has set up its own logging (Rasa and Sanic add handlers at
    start-up), so nothing writes plain text afterwards. Returns how many handlers it changed.
    A process with no handler at all gets one on stderr.
    """
    formatter = JsonFormatter(service)
    logging.captureWarnings(True)  # Python warnings become log records, hence JSON lines
    root = logging.getLogger()
    if not root.handlers:
        root.addHandler(logging.StreamHandler())
    loggers: list[logging.Logger] = [root]
    for candidate in list(logging.Logger.manager.loggerDict.values()):
        if isinstance(candidate, logging.Logger) and candidate.handlers:
            loggers.append(candidate)
    changed = 0
    for logger in loggers:
        for handler in logger.handlers:
            handler.setFormatter(formatter)
            changed += 1
        if logger is not root:
            # Sanic's loggers have their own handler *and* propagate to the root's: one JSON
            # line per record, not two.
            logger.propagate = False
    return changed


def configure_from_env(service: str) -> bool:
    """Switch to JSON logs if ``BATON_LOG_FORMAT=json`` (True), else redact the text logs."""
    if not json_logs_wanted():
        use_redacted_text_logs()
        return False
    use_json_logs(service)
    return True

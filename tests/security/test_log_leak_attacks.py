"""Item 13: personal data in the logs.

JSON logs masked e-mail addresses and phone numbers but not postcodes (a proof of ownership,
and with a name an address); text-format logs — ``make run``'s default — were not redacted at
all.
"""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator

import pytest

from infra.logging import JsonFormatter, configure_from_env

SECRETS = ["SW1A 1AA", "m1 1ae", "D02 X285", "jane.doe@example.com", "+447700900001"]
LINE = "proof for order 10001: {} (token=abc123secret)"


def record(message: str) -> logging.LogRecord:
    return logging.LogRecord("baton.test", logging.INFO, __file__, 1, message, (), None)


@pytest.mark.parametrize("secret", SECRETS)
def test_a_json_log_line_masks_postcodes_emails_and_phones(secret: str) -> None:
    line = json.loads(JsonFormatter("test").format(record(LINE.format(secret))))
    assert secret.lower() not in line["msg"].lower()
    assert "abc123secret" not in line["msg"]
    assert "10001" in line["msg"]  # order numbers are not personal data


@pytest.fixture
def text_logger(monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[logging.Logger, io.StringIO]]:
    monkeypatch.delenv("BATON_LOG_FORMAT", raising=False)
    out = io.StringIO()
    logger = logging.getLogger("baton.test.text")
    handler = logging.StreamHandler(out)
    handler.setFormatter(logging.Formatter("%(levelname)s %(message)s"))
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    try:
        yield logger, out
    finally:
        logger.removeHandler(handler)


@pytest.mark.parametrize("secret", SECRETS)
def test_a_text_log_line_is_redacted_too(
    text_logger: tuple[logging.Logger, io.StringIO], secret: str
) -> None:
    logger, out = text_logger
    assert configure_from_env("test") is False  # text, not JSON
    logger.info(LINE.format(secret))
    try:
        raise ValueError(f"customer wrote {secret}")
    except ValueError:
        logger.exception("a failure")
    written = out.getvalue()
    assert secret.lower() not in written.lower() and "abc123secret" not in written
    assert written.startswith("INFO proof for order 10001")  # the handler's own format stays

"""Customer text that every store can hold: normalised once, at the channel edge.

A customer (or a script) can send text no database or file takes whole: a NUL character
(PostgreSQL refuses it in ``text``; C strings, CSV readers and some logs stop at it), a lone
UTF-16 surrogate such as ``"\\ud800"`` from a JSON escape (not valid Unicode: UTF-8 encoders
raise, SQLite keeps bytes that later reads cannot decode), and control characters that reorder
or hide what an agent reads. :func:`clean_text` drops the controls (keeping tab and newline)
and replaces each lone surrogate with U+FFFD, so what is stored is what was meant, and nothing
downstream has to cope. Every connector calls it on what it receives; the Rasa server's
processor (bot/inbound_guard.py) calls it again for anything that came another way.
"""

from __future__ import annotations

import re
from typing import Any, Optional

# C0 controls but tab, newline and carriage return; DEL; C1 controls; surrogates (lone ones:
# a well-formed str never holds a surrogate pair); bidirectional overrides and isolates.
_UNSAFE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\u202a-\u202e\u2066-\u2069]")
_REPLACEMENT = "\ufffd"


def _replace(match: re.Match[str]) -> str:
    char = match.group()
    return _REPLACEMENT if "\ud800" <= char <= "\udfff" else ""


def clean_text(text: str) -> str:
    """``text`` without NUL and other control characters, lone surrogates replaced."""
    if not isinstance(text, str):
        return ""
    if _UNSAFE.search(text) is None:
        return text
    return _UNSAFE.sub(_replace, text)


def is_clean(text: str) -> bool:
    """Whether ``text`` is already what :func:`clean_text` would make of it."""
    return isinstance(text, str) and _UNSAFE.search(text) is None


def clean_value(value: object) -> object:
    """:func:`clean_text` through a JSON-like value (dict keys and values, list items)."""
    if isinstance(value, str):
        return clean_text(value)
    if isinstance(value, dict):
        return {clean_text(str(k)): clean_value(v) for k, v in value.items()}
    if isinstance(value, list):
        return [clean_value(v) for v in value]
    return value


def as_object(value: object) -> dict[str, Any]:
    """``value`` if it is a JSON object, else an empty one: for payloads whose shape a
    signature does not guarantee (a signed Slack request can still hold a list where an
    object is expected)."""
    return value if isinstance(value, dict) else {}


def as_str(value: object, limit: int = 200) -> Optional[str]:
    """``value`` if it is a non-empty string of at most ``limit`` characters, else None."""
    return value if isinstance(value, str) and 0 < len(value) <= limit else None

"""A customer message the bot relays to the handoff service while a person has the case.

``POST /api/bot/messages`` carries one :class:`RelayedMessage`: the words, the outbox key
that makes a retried forward harmless, and the *references* of the photos or files that came
with it (:class:`contracts.packet.Attachment`: kind, content type, size, sha256 and the
``path`` of the copy the connector kept, ``uploads/<folder>/<file>``). Without them an agent
saw a photo sent after the handoff only as the text "[photo]".

:func:`parse_relayed_message` is what the handoff service runs on receipt, strictly: a body
whose values have the wrong type, a reference without a kept file's ``path`` (Twilio's
``media_url`` is never accepted: fetching it needs the account's credentials) or more than
:data:`MAX_ATTACHMENTS` references raises :class:`contracts.packet.PacketError` naming
where, never the value. Whether a ``path`` is safe and belongs to *this* conversation's
folder is the handoff service's check (it knows where the uploads are); this module knows
only the shapes.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from typing import Any, Optional

from contracts.packet import Attachment, PacketError
from contracts.typed_json import REQUIRED, read_object, to_plain

#: More references than one customer message can carry (WhatsApp sends up to 10 media).
MAX_ATTACHMENTS = 10
#: Keys of a reference the relay refuses: a link back to where the channel hosts the file.
REFUSED_KEYS = ("media_url", "url")


@dataclass(frozen=True)
class RelayedMessage:
    """One customer message written while the conversation is with a person."""

    conversation_id: str = field(default="", metadata=REQUIRED)
    key: str = field(default="", metadata=REQUIRED)
    text: str = ""
    sent_at: Optional[float] = None
    attachments: list[Attachment] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = to_plain(self)
        return data


def attachment_of(reference: Mapping[str, Any]) -> Attachment:
    """A connector's reference as the contract's :class:`Attachment` (its other keys left)."""
    names = {f.name for f in fields(Attachment)}
    return Attachment(**{k: v for k, v in reference.items() if k in names})


def _reference_problems(raw: Any) -> list[str]:
    """What the typed reading cannot see: unknown link keys and a missing path."""
    if not isinstance(raw, list):
        return []
    problems: list[str] = []
    if len(raw) > MAX_ATTACHMENTS:
        problems.append(f"attachments: more than {MAX_ATTACHMENTS}")
    for i, item in enumerate(raw):
        if not isinstance(item, Mapping):
            continue  # the typed reading names it
        problems.extend(
            f"attachments[{i}].{key}: not accepted, send the kept file's path"
            for key in REFUSED_KEYS
            if key in item
        )
        if not isinstance(item.get("path"), str):
            problems.append(f"attachments[{i}].path: missing")
    return problems


def parse_relayed_message(data: Any) -> RelayedMessage:
    """The message as sent, or :class:`PacketError` saying why it cannot be accepted."""
    if not isinstance(data, Mapping):
        raise PacketError(["the message is not a JSON object"])
    problems: list[str] = []
    message = read_object(RelayedMessage, data, "", problems)
    for name in ("conversation_id", "key"):
        if not getattr(message, name) and not any(p.startswith(name) for p in problems):
            problems.append(f"{name}: missing")
    problems.extend(_reference_problems(data.get("attachments")))
    if problems:
        raise PacketError(problems)
    assert isinstance(message, RelayedMessage)
    return message

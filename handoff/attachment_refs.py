"""Which attachment references a relayed customer message may bring into a case.

The references come from the bot (:mod:`contracts.relayed`), but what they name came from a
customer, so they are checked before they are stored: each ``path`` must be exactly
``uploads/<folder>/<file>`` as the connectors write it (:func:`infra.uploads.is_reference`:
no ``..``, no absolute path, no second level), the folder must be *this* conversation's
(:func:`infra.uploads.folder_name`) so one conversation cannot show an agent another's
photo, and the type must be one a channel keeps, with the extension it is kept under. A
reference that fails any of these refuses the whole message (HTTP 400 with the reason): the
outbox then sets it aside visibly instead of storing half of what the customer sent.

The file itself is not read here: the handoff service may run on another machine that mounts
the uploads later, and the console's route checks the file again when an agent opens it.
"""

from __future__ import annotations

from typing import Any

from contracts.packet import Attachment
from infra.uploads import EXTENSIONS, folder_name, is_reference, kind_of


class AttachmentRefused(ValueError):
    """A reference the case will not keep; ``str()`` is the reason for the sender."""


def checked(conversation_id: str, attachments: list[Attachment]) -> list[dict[str, Any]]:
    """The references to store with the message, or :class:`AttachmentRefused`."""
    folder = folder_name(conversation_id)
    kept: list[dict[str, Any]] = []
    for i, attachment in enumerate(attachments):
        where = f"attachments[{i}]"
        path = attachment.path
        if not is_reference(path):
            raise AttachmentRefused(f"{where}.path: not an uploads/<folder>/<file> reference")
        assert isinstance(path, str)
        _, in_folder, name = path.split("/")
        if in_folder != folder:
            raise AttachmentRefused(f"{where}.path: not this conversation's folder")
        content_type = (attachment.content_type or "").lower()
        extension = EXTENSIONS.get(content_type)
        if extension is None:
            raise AttachmentRefused(f"{where}.content_type: not a type customers may send")
        if not name.endswith(extension):
            raise AttachmentRefused(f"{where}.path: the extension does not match the type")
        if attachment.bytes is not None and attachment.bytes < 0:
            raise AttachmentRefused(f"{where}.bytes: negative")
        sha256 = attachment.sha256
        if sha256 is not None and (len(sha256) != 64 or sha256.strip("0123456789abcdef")):
            raise AttachmentRefused(f"{where}.sha256: not a hex digest")
        reference: dict[str, Any] = {"kind": kind_of(content_type), "content_type": content_type}
        if attachment.bytes is not None:
            reference["bytes"] = attachment.bytes
        if sha256 is not None:
            reference["sha256"] = sha256
        reference["path"] = path
        kept.append(reference)
    return kept

"""A customer's photo (a damaged parcel), kept with the conversation for an agent.

Twilio hosts WhatsApp media behind the account's credentials and deletes it on request, so
the connector copies each file into ``$BATON_VAR_DIR/uploads/<conversation id>/`` and puts a
*reference* in the message metadata, which the tracker store keeps with the customer's
message (the transcript of record)::

    "attachments": [{"kind": "image", "content_type": "image/jpeg", "bytes": 48213,
                     "sha256": "…", "path": "uploads/wa-…/MM…-0.jpg"}]

``path`` is relative to ``BATON_VAR_DIR``. When the copy fails the reference keeps Twilio's
``media_url`` instead (it names no person; fetching it needs the account's credentials).
Only URLs on the Twilio API's own origin are fetched, so a webhook cannot make the server
download from anywhere else; size is capped.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
from dataclasses import dataclass
from typing import Any, Optional
from urllib.parse import urlsplit

import aiohttp

from connectors.logsafe import describe
from infra.uploads import (
    EXTENSIONS,
    files_in,
    folder_name,
    kind_of,
    reference_path,
    safe_name,
    sniff,
    store_bytes,
    uploads_dir,
)

logger = logging.getLogger(__name__)

MAX_BYTES = 16 * 1024 * 1024  # WhatsApp's own limit for documents; images are 5 MB
#: What a customer message that is only a photo (or a file) reads as in the transcript, and
#: what every channel answers to one.
PHOTO_TEXT = "[photo]"
FILE_TEXT = "[file]"
PHOTO_ACK = (
    "Thanks, I've got your photo. I've kept it with our conversation, so a colleague can "
    "see it if they need to."
)
FILE_ACK = "Thanks, I've got your file and kept it with our conversation for our team."


@dataclass(frozen=True)
class Media:
    url: str
    content_type: str


def _origin(url: str) -> tuple[str, str, Optional[int]]:
    parts = urlsplit(url)
    return parts.scheme, (parts.hostname or "").lower(), parts.port


async def keep_media(
    session: aiohttp.ClientSession,
    media: Media,
    conversation_id: str,
    name: str,
    allowed_origin: str,
    auth: Optional[aiohttp.BasicAuth],
) -> dict[str, Any]:
    """Copy one media file under ``uploads/`` and return the reference for the metadata."""
    reference: dict[str, Any] = {
        "kind": kind_of(media.content_type),
        "content_type": media.content_type,
    }
    if _origin(media.url) != _origin(allowed_origin):
        logger.warning(
            "media for conversation %s not fetched: not on the API's origin", conversation_id
        )
        reference["media_url"] = media.url
        return reference
    ext = EXTENSIONS.get(media.content_type.lower(), ".bin")
    folder = uploads_dir() / folder_name(conversation_id)
    target = folder / f"{safe_name(name)}{ext}"
    digest = hashlib.sha256()
    size = 0
    try:
        async with session.get(
            media.url, auth=auth, timeout=aiohttp.ClientTimeout(total=30)
        ) as resp:
            resp.raise_for_status()
            folder.mkdir(parents=True, exist_ok=True)
            partial = target.with_suffix(target.suffix + ".part")
            with partial.open("wb") as fh:  # small writes; the download is what waits
                async for chunk in resp.content.iter_chunked(64 * 1024):
                    size += len(chunk)
                    if size > MAX_BYTES:
                        raise ValueError(f"media larger than {MAX_BYTES} bytes")
                    digest.update(chunk)
                    fh.write(chunk)
            partial.replace(target)
    except Exception as exc:
        logger.error("could not keep media for conversation %s: %s", conversation_id, describe(exc))
        target.with_suffix(target.suffix + ".part").unlink(missing_ok=True)
        reference["media_url"] = media.url
        return reference
    reference.update(
        {
            "bytes": size,
            "sha256": digest.hexdigest(),
            "path": reference_path(target),
        }
    )
    return reference


# --- files a customer uploads (the web chat) ------------------------------------------

#: Friendly names of what a customer may upload, for the refusal's reason.
UPLOAD_TYPES = "JPEG, PNG or WebP photos, or PDF documents"


class UploadRefused(Exception):
    """An upload that is not kept: the HTTP status and the reason the customer is shown."""

    def __init__(self, status: int, reason: str) -> None:
        super().__init__(reason)
        self.status = status
        self.reason = reason


async def keep_upload(
    conversation_id: str, data: bytes, *, max_bytes: int, max_files: int
) -> dict[str, Any]:
    """Check and keep a file a customer uploaded; the reference for the metadata.

    The type is what the file's first bytes prove (:func:`infra.uploads.sniff`), never what
    the browser declared; the name is random. Raises :class:`UploadRefused` (413 too big,
    415 not an allowed type, 429 the conversation already has ``max_files``)."""
    if len(data) > max_bytes:
        raise UploadRefused(
            413,
            f"That file is too big. Files up to {max_bytes // (1024 * 1024) or 1} MB can be sent.",
        )
    content_type = sniff(data[:16])
    if content_type is None:
        raise UploadRefused(
            415, f"That kind of file can't be sent here. Please send {UPLOAD_TYPES}."
        )
    if await asyncio.to_thread(files_in, conversation_id) >= max_files:
        raise UploadRefused(
            429,
            "This conversation already has as many files as it can keep. "
            "Please describe the rest in words.",
        )
    return await asyncio.to_thread(store_bytes, conversation_id, data, content_type)

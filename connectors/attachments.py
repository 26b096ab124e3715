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

import hashlib
import logging
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Optional
from urllib.parse import urlsplit

import aiohttp

from connectors.logsafe import describe

logger = logging.getLogger(__name__)

MAX_BYTES = 16 * 1024 * 1024  # WhatsApp's own limit for documents; images are 5 MB
_EXTENSIONS = {
    "image/jpeg": ".jpg",
    "image/png": ".png",
    "image/webp": ".webp",
    "image/gif": ".gif",
    "application/pdf": ".pdf",
    "video/mp4": ".mp4",
    "audio/ogg": ".ogg",
}
_SAFE = re.compile(r"[^A-Za-z0-9_-]")


@dataclass(frozen=True)
class Media:
    url: str
    content_type: str


def uploads_dir() -> Path:
    return Path(os.environ.get("BATON_VAR_DIR", "var")) / "uploads"


def folder_name(conversation_id: str) -> str:
    """The folder under ``uploads/`` a conversation's files are kept in (erasure finds it)."""
    return _SAFE.sub("_", conversation_id)


def _origin(url: str) -> tuple[str, str, Optional[int]]:
    parts = urlsplit(url)
    return parts.scheme, (parts.hostname or "").lower(), parts.port


def kind_of(content_type: str) -> str:
    return content_type.split("/", 1)[0] if "/" in content_type else "file"


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
    ext = _EXTENSIONS.get(media.content_type.lower(), ".bin")
    folder = uploads_dir() / folder_name(conversation_id)
    target = folder / f"{_SAFE.sub('_', name)}{ext}"
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
            "path": str(target.relative_to(uploads_dir().parent)),
        }
    )
    return reference

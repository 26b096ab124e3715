"""Where customers' files are kept, and how a reference to one is turned back into a file.

Every channel keeps a customer's photo or document under
``$BATON_VAR_DIR/uploads/<conversation folder>/<file>`` (outside any web root; no public
server serves that directory) and puts a *reference* in the message metadata, whose
``path`` is relative to ``BATON_VAR_DIR``: ``uploads/<folder>/<file>``. The writers are the
connectors (:mod:`connectors.attachments`); the reader is the agent console's route
(:mod:`handoff.routes.attachments`); erasure deletes a conversation's folder
(:mod:`infra.erasure`). This module is what they share, with no channel's code in it.

A reference comes back from the tracker store and the handoff packet, so it is *untrusted*
when read: :func:`resolve_reference` accepts only the exact shape the writers produce and
a file that really lies inside the uploads directory.
"""

from __future__ import annotations

import hashlib
import os
import re
import secrets
from pathlib import Path
from typing import Any, Optional

#: Content type -> file extension of what a channel may keep.
EXTENSIONS = {
    "image/jpeg": ".jpg",
    "image/png": ".png",
    "image/webp": ".webp",
    "image/gif": ".gif",
    "application/pdf": ".pdf",
    "video/mp4": ".mp4",
    "audio/ogg": ".ogg",
}
#: Extension -> content type, for serving a kept file (anything else is a download).
CONTENT_TYPES = {ext: ctype for ctype, ext in EXTENSIONS.items()} | {
    ".bin": "application/octet-stream"
}

_SAFE = re.compile(r"[^A-Za-z0-9_-]")
_REFERENCE = re.compile(
    r"uploads/(?P<folder>[A-Za-z0-9_-]{1,200})/(?P<name>[A-Za-z0-9_-]{1,200}\.[a-z0-9]{1,5})"
)


def uploads_dir() -> Path:
    return Path(os.environ.get("BATON_VAR_DIR", "var")) / "uploads"


def folder_name(conversation_id: str) -> str:
    """The folder under ``uploads/`` a conversation's files are kept in (erasure finds it)."""
    return _SAFE.sub("_", conversation_id)


def safe_name(name: str) -> str:
    return _SAFE.sub("_", name)


def kind_of(content_type: str) -> str:
    return content_type.split("/", 1)[0] if "/" in content_type else "file"


def sniff(head: bytes) -> Optional[str]:
    """The content type the file's first bytes prove (its magic number), or None.

    Only what a customer may upload from the web chat: JPEG, PNG, WebP and PDF. What the
    browser declared is not asked: an executable renamed ``.jpg`` is still an executable."""
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    if head.startswith(b"%PDF-"):
        return "application/pdf"
    return None


def files_in(conversation_id: str) -> int:
    """How many files a conversation has kept (what the per-conversation limit counts)."""
    folder = uploads_dir() / folder_name(conversation_id)
    if not folder.is_dir():
        return 0
    return sum(1 for p in folder.iterdir() if p.is_file() and not p.name.endswith(".part"))


def store_bytes(conversation_id: str, data: bytes, content_type: str) -> dict[str, Any]:
    """Keep ``data`` under a random name in the conversation's folder; its reference.

    Written to a ``.part`` file first and renamed, so a reader never sees half a file."""
    folder = uploads_dir() / folder_name(conversation_id)
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / f"{secrets.token_hex(16)}{EXTENSIONS.get(content_type, '.bin')}"
    partial = target.with_suffix(target.suffix + ".part")
    try:
        partial.write_bytes(data)
        partial.replace(target)
    finally:
        partial.unlink(missing_ok=True)
    return {
        "kind": kind_of(content_type),
        "content_type": content_type,
        "bytes": len(data),
        "sha256": hashlib.sha256(data).hexdigest(),
        "path": reference_path(target),
    }


def reference_path(target: Path) -> str:
    """A kept file's ``path`` for the reference: relative to ``BATON_VAR_DIR``."""
    return target.relative_to(uploads_dir().parent).as_posix()


def is_reference(path: object) -> bool:
    """Whether ``path`` has the shape of a reference the connectors write (nothing else)."""
    return isinstance(path, str) and _REFERENCE.fullmatch(path) is not None


def resolve_reference(path: object) -> Optional[tuple[Path, str]]:
    """``(file, content type)`` for an untrusted reference ``path``, or None.

    None for anything but ``uploads/<folder>/<name>.<ext>`` made of safe characters (no
    ``..``, no absolute path, no backslash, no second level), for a file that is not there,
    and for one that resolves outside the uploads directory (a symbolic link)."""
    match = _REFERENCE.fullmatch(path) if isinstance(path, str) else None
    if match is None:
        return None
    root = uploads_dir().resolve()
    candidate = (root / match["folder"] / match["name"]).resolve()
    if not candidate.is_relative_to(root) or not candidate.is_file():
        return None
    suffix = candidate.suffix.lower()
    return candidate, CONTENT_TYPES.get(suffix, "application/octet-stream")

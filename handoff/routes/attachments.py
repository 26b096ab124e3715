"""Customers' photos and documents, for the agent console's transcript.

``GET /api/attachments/<folder>/<file>`` answers the file an ``attachments`` reference in a
customer message points at (``path``: ``uploads/<folder>/<file>``, relative to
``BATON_VAR_DIR``), kept there by the WhatsApp and web chat connectors. It sits under
``/api/``, so the request middleware (:mod:`handoff.routes.auth`) wants an agent's login
first: 401 without one.

The reference comes from the conversation, so it is untrusted: :func:`infra.uploads.
resolve_reference` takes only the exact shape the connectors write and a file inside the
uploads directory (400 for any other shape, 404 for a file that is not there). The answer is
the type the file was kept as, with ``nosniff`` and a sandboxing policy, so nothing a customer
sent runs in the console's origin; a PDF (or anything not an image) is a download.

The handoff service reads the same ``BATON_VAR_DIR`` as the Rasa server that kept the files:
on one machine that is the default; elsewhere, mount the same volume at both.
"""

from __future__ import annotations

import asyncio

from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from infra.uploads import is_reference, resolve_reference

attachments = Blueprint("handoff_attachments", url_prefix="/api/attachments")

#: What the console shows inline (<img>); everything else is a download.
_INLINE = ("image/jpeg", "image/png", "image/webp", "image/gif")


def _headers(content_type: str, name: str) -> dict[str, str]:
    inline = content_type in _INLINE
    disposition = "inline" if inline else "attachment"
    return {
        "X-Content-Type-Options": "nosniff",
        "Content-Disposition": f'{disposition}; filename="{name}"',
        "Content-Security-Policy": "default-src 'none'; sandbox",
        "Cache-Control": "private, no-store",
        "Referrer-Policy": "no-referrer",
    }


@attachments.get("/<folder:str>/<name:str>")
async def attachment(_: Request, folder: str, name: str) -> HTTPResponse:
    reference = f"uploads/{folder}/{name}"
    if not is_reference(reference):
        return response.json({"error": "not an attachment reference"}, status=400)
    found = await asyncio.to_thread(resolve_reference, reference)
    if found is None:
        return response.json({"error": "no such attachment"}, status=404)
    path, content_type = found
    return await response.file(
        path, mime_type=content_type, headers=_headers(content_type, path.name)
    )

"""The NLU inbox in the console: what customers said that the bot was unsure about.

The same review file as ``make inbox`` (``INBOX_FILE``, default ``reports/inbox.csv``):
``GET /api/inbox`` re-collects it from the tracker store (labels already given are kept) and
``POST /api/inbox/label`` labels one row with one click. Each row says the language the customer
wrote in (en, ko, zh); ``GET /api/inbox/?lang=ko`` keeps one language, so a Korean-speaking
trainer reviews the Korean messages. A trainer then runs
``make inbox-apply`` to merge the labelled rows into ``data/nlu`` — training data stays in the
repository, reviewed like code. Both routes sit under ``/api/``, so they need an agent login.
"""

from __future__ import annotations

import asyncio
import os
from pathlib import Path
from typing import Any

from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.inbox import collect_rows, domain_intents, set_label
from bot.settings import ROOT, local_environment
from bot.trainers.languages import LANGUAGES, NAMES, parse_languages

inbox = Blueprint("handoff_inbox", url_prefix="/api/inbox")


def _review_file() -> Path:
    return Path(os.environ.get("INBOX_FILE") or ROOT / "reports" / "inbox.csv")


def _tracker_url() -> str:
    return local_environment()["TRACKER_DATABASE_URL"]


@inbox.get("/")
async def rows(request: Request) -> HTTPResponse:
    try:
        wanted = set(parse_languages(request.args.get("lang")))
    except ValueError as exc:
        return response.json({"error": str(exc)}, status=400)
    try:
        found = await asyncio.to_thread(collect_rows, _tracker_url(), _review_file())
    except Exception as exc:  # an unreachable tracker store is a state, not a crash
        return response.json({"error": f"cannot read the conversations: {type(exc).__name__}"}, 503)
    counts = {lang: sum(1 for row in found if row.get("language") == lang) for lang in LANGUAGES}
    return response.json(
        {
            "rows": [row for row in found if row.get("language", "en") in wanted],
            "intents": domain_intents(),
            "languages": [
                {"code": lang, "name": NAMES[lang], "rows": counts[lang]} for lang in LANGUAGES
            ],
        }
    )


@inbox.post("/label")
async def label(request: Request) -> HTTPResponse:
    body: Any = request.json if request.body else None
    if not isinstance(body, dict) or not isinstance(body.get("text"), str):
        return response.json({"error": "send {text, label}"}, status=400)
    try:
        row = await asyncio.to_thread(
            set_label, _review_file(), body["text"], str(body.get("label") or ""), domain_intents()
        )
    except ValueError as exc:
        return response.json({"error": str(exc)}, status=400)
    except LookupError as exc:
        return response.json({"error": str(exc)}, status=404)
    return response.json({"row": row})

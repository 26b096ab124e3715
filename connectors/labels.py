"""Printable return labels: ``GET /returns/labels/<rma>?t=<token>`` on the Rasa server.

A carrier return gets a link to this page in the chat (actions/returns_submit.py). The page
shows the customer's name and address, so the link carries an HMAC of the RMA
(:mod:`actions.services.returns_labels`): RMA numbers are sequential, tokens are not, and
a wrong or missing token gets the same "not found" as an unknown return, so labels cannot
be enumerated. The page is read through the store repository, is never cached, and works
offline (inline CSS, an SVG Code 39 barcode, no scripts beyond the print button).

Registered like the web chat (bot/credentials.yml lists ``connectors.labels.ReturnLabelsInput``):
a tiny input channel whose blueprint adds the route at the app's root.
"""

from __future__ import annotations

import logging
import os
import re
from collections.abc import Awaitable, Callable
from html import escape
from typing import Any, Optional

from rasa.core.channels.channel import InputChannel, UserMessage
from sanic import Blueprint, Sanic, response
from sanic.request import Request
from sanic.response import HTTPResponse

from actions.common import utc_now
from actions.services.formatting import day, local
from actions.services.returns_labels import LABEL_PATH, label_secret, token_is_valid
from actions.services.returns_policy import load_policy
from actions.settings import get_settings
from actions.store.db import dispose_all
from actions.store.returns_models import LabelPage
from actions.store.uow import unit_of_work

logger = logging.getLogger(__name__)

_RMA = re.compile(r"^RMA-\d{5}$")
_HEADERS = {
    "Cache-Control": "no-store",
    "X-Robots-Tag": "noindex, nofollow",
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
    "Content-Security-Policy": (
        "default-src 'none'; style-src 'unsafe-inline'; img-src data:; "
        "script-src 'unsafe-inline'; frame-ancestors 'none'"
    ),
}

# Code 39: each character is 9 elements (bar, space, bar, ...), n = narrow, w = wide.
_CODE39 = {
    "0": "nnnwwnwnn", "1": "wnnwnnnnw", "2": "nnwwnnnnw", "3": "wnwwnnnnn", "4": "nnnwwnnnw",
    "5": "wnnwwnnnn", "6": "nnwwwnnnn", "7": "nnnwnnwnw", "8": "wnnwnnwnn", "9": "nnwwnnwnn",
    "A": "wnnnnwnnw", "B": "nnwnnwnnw", "C": "wnwnnwnnn", "D": "nnnnwwnnw", "E": "wnnnwwnnn",
    "F": "nnwnwwnnn", "G": "nnnnnwwnw", "H": "wnnnnwwnn", "I": "nnwnnwwnn", "J": "nnnnwwwnn",
    "K": "wnnnnnnww", "L": "nnwnnnnww", "M": "wnwnnnnwn", "N": "nnnnwnnww", "O": "wnnnwnnwn",
    "P": "nnwnwnnwn", "Q": "nnnnnnwww", "R": "wnnnnnwwn", "S": "nnwnnnwwn", "T": "nnnnwnwwn",
    "U": "wwnnnnnnw", "V": "nwwnnnnnw", "W": "wwwnnnnnn", "X": "nwnnwnnnw", "Y": "wwnnwnnnn",
    "Z": "nwwnwnnnn", "-": "nwnnnnwnw", "*": "nwnnwnwnn",
}  # fmt: skip


def code39_svg(text: str, height: int = 60, narrow: int = 2) -> str:
    """An SVG barcode of ``text`` (digits, capitals and "-") in Code 39."""
    wide = narrow * 3
    x = 0
    bars: list[str] = []
    for char in f"*{text.upper()}*":
        pattern = _CODE39.get(char)
        if pattern is None:
            continue
        for index, element in enumerate(pattern):
            width = wide if element == "w" else narrow
            if index % 2 == 0:
                bars.append(f'<rect x="{x}" y="0" width="{width}" height="{height}"/>')
            x += width
        x += narrow  # gap between characters
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {x} {height}" '
        f'width="{x}" height="{height}" role="img" aria-label="barcode {escape(text)}">'
        f'<g fill="#000">{"".join(bars)}</g></svg>'
    )


def render_label(page: LabelPage, shop: str, to_address: tuple[str, ...], today: Any) -> str:
    """The printable label as a complete HTML page; every value is escaped."""
    label = page.label
    sender = "<br>".join(escape(line) for line in (page.sender_name, *page.sender_lines))
    recipient = "<br>".join(escape(line) for line in to_address)
    items = "".join(
        f"<li>{escape(line.product_name)}"
        + (f" × {line.quantity}" if line.quantity > 1 else "")
        + "</li>"
        for line in page.lines
    )
    valid = escape(day(label.valid_until, today)) if today else escape(str(label.valid_until))
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Return label {escape(page.rma)} · {escape(shop)}</title>
<style>
  body {{ font: 15px/1.4 system-ui, sans-serif; margin: 24px; color: #111; }}
  .label {{ border: 2px dashed #333; padding: 20px; max-width: 640px; }}
  .row {{ display: flex; gap: 24px; justify-content: space-between; }}
  h1 {{ font-size: 20px; margin: 0 0 12px; }} h2 {{ font-size: 13px; margin: 0;
  text-transform: uppercase; color: #555; }}
  .to {{ font-size: 20px; font-weight: 600; }} .barcode {{ margin: 16px 0 4px; }}
  .tn {{ font: 600 18px monospace; letter-spacing: 2px; }} .note {{ color: #555; }}
  button {{ font-size: 16px; padding: 8px 16px; margin-bottom: 16px; }}
  @media print {{ button, .note {{ display: none; }} body {{ margin: 0; }} }}
</style></head>
<body>
<button onclick="window.print()">Print this label</button>
<div class="label">
  <h1>{escape(label.carrier)} · prepaid return · {escape(shop)}</h1>
  <div class="row">
    <div><h2>From</h2><p>{sender}</p></div>
    <div><h2>To</h2><p class="to">{recipient}</p></div>
  </div>
  <div class="barcode">{code39_svg(label.tracking_number)}</div>
  <div class="tn">{escape(label.tracking_number)}</div>
  <p><strong>Return {escape(page.rma)}</strong> · order {escape(page.order_number)}
  · use by {valid}</p>
  <h2>In this parcel</h2><ul>{items}</ul>
</div>
<p class="note">Print this page, tape the label to the parcel so the barcode is flat and
visible, and hand it to {escape(label.carrier)}. Put a copy of the return number inside.</p>
</body></html>
"""


_NOT_FOUND = (
    "<!doctype html><html lang=en><meta charset=utf-8><title>Label not found</title>"
    "<p>This label link isn't valid. Please use the link from your return confirmation, "
    "or ask the assistant for your return's status to get it again.</p></html>"
)


async def serve_label(request: Request, rma: str) -> HTTPResponse:
    token = request.args.get("t")
    if not _RMA.match(rma) or not token_is_valid(rma, token, label_secret()):
        return response.html(_NOT_FOUND, status=404, headers=_HEADERS)
    try:
        async with unit_of_work() as repo:
            page = await repo.label_page(rma)
    except Exception:
        logger.exception("could not read a return label")
        return response.html(
            "<!doctype html><p>Sorry, the label can't be shown right now. Please try again.</p>",
            status=503,
            headers=_HEADERS,
        )
    if page is None:
        return response.html(_NOT_FOUND, status=404, headers=_HEADERS)
    policy = load_policy()
    carrier = policy.carrier_for(page.country)
    to_address = carrier.return_address if carrier else ("Lumen & Loom Returns",)
    today = local(utc_now(), get_settings().shop_timezone).date()
    shop = os.environ.get("SHOP_NAME", "Lumen & Loom")
    return response.html(render_label(page, shop, to_address, today), headers=_HEADERS)


class _LabelsBlueprint(Blueprint):
    """Adds the label route at the app's root (not under /webhooks/...)."""

    def register(self, app: Sanic, options: dict[str, Any]) -> None:
        if not getattr(app.ctx, "baton_label_routes", False):
            app.ctx.baton_label_routes = True
            app.add_route(
                serve_label,
                LABEL_PATH + "<rma:str>",
                methods=["GET"],
                name="baton_return_label",
            )
            app.register_listener(_close_store, "after_server_stop")
        super().register(app, options)


async def _close_store(_app: Sanic, _loop: Any) -> None:
    await dispose_all()


class ReturnLabelsInput(InputChannel):
    """Not a conversation channel: it only serves the printable return labels."""

    @classmethod
    def name(cls) -> str:
        return "return_labels"

    @classmethod
    def from_credentials(cls, credentials: Optional[dict[str, Any]]) -> InputChannel:
        return cls()

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        bp = _LabelsBlueprint("baton_return_labels", __name__)

        @bp.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        return bp

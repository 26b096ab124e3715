"""A local fake of Twilio's Messages API for WhatsApp, and a customer's phone to drive it.

Baton's side, as Twilio answers it:

* ``POST /2010-04-01/Accounts/{AccountSid}/Messages.json`` — form-encoded ``To``, ``From``,
  ``Body``, ``MediaUrl``; HTTP basic auth with the account SID and auth token. Answers 201 with
  a Message resource, or Twilio's error JSON: 20003 (authentication), 21604 (no ``To``),
  21606 (``From`` is not this account's WhatsApp sender), 21619 (no body and no media),
  21617 (body over 1,600 characters), 63016 (a free-form message to a number whose last
  inbound message is more than 24 hours old).
* **Content templates**: ``ContentSid`` (``HX`` + 32 hex digits) and ``ContentVariables`` (a
  JSON object of strings, ``{"1": "Jane", "2": "10001"}``) instead of ``Body``. A template may
  go outside the 24-hour window. 21655 for an unknown ``ContentSid``, 21656 for variables that
  are not such an object or miss one the template uses. The fake knows
  :data:`DEMO_TEMPLATE_SID` and whatever ``/_fake/templates`` adds; the message recorded has
  the template's text filled in as its ``body``, plus ``content_sid`` and ``content_variables``.
* ``GET /2010-04-01/Accounts/{AccountSid}/Messages/{MessageSid}/Media/{MediaSid}`` — media a
  customer sent (basic auth, like Twilio with HTTP authentication enforced on media).

The customer's side (``/_fake/``):

* ``POST /_fake/inbound`` ``{"from": "+447700900001", "body": "hi", "photo": false,
  "profile_name": "Jane"}`` — builds Twilio's webhook form, signs it with the twilio SDK's
  ``RequestValidator`` for Baton's public webhook URL and posts it. Answers with Baton's
  status and the ``MessageSid``.
* ``GET /_fake/messages?to=whatsapp:+44…&after=N&wait=S`` — what Baton sent (long-polls until
  there are more than N); ``GET /_fake/conversation?number=+44…`` both directions;
  ``POST /_fake/reset``; ``GET /`` a phone to chat with Baton in the browser.
* ``POST /_fake/age`` ``{"number": "+447700900001", "hours": 25}`` — the number's last inbound
  message becomes that many hours old (its 24-hour window closes when ``hours`` ≥ 24); the
  next inbound message re-opens it. A number the fake never heard from counts as inside the
  window, so tests that post webhooks to Baton themselves can still be answered.
* ``POST /_fake/templates`` ``{"sid": "HX…", "body": "Hi {{1}}…"}`` — approve a template.

    python -m fakes.twilio --port 5101 --baton-url http://localhost:5005
"""

from __future__ import annotations

import base64
import binascii
import json
import os
import re
import time
from email.utils import formatdate
from typing import Any, Optional

import aiohttp
from aiohttp import web
from twilio.request_validator import RequestValidator

from fakes.common import PAGES, Recorder, base_parser, serve, sid, tiny_png

DEMO_ACCOUNT_SID = "AC" + "ba70" * 8
DEMO_AUTH_TOKEN = "fake-twilio-auth-token-for-local-demos"  # noqa: S105 - the fake's
DEMO_WHATSAPP_NUMBER = "whatsapp:+14155238886"
WEBHOOK_PATH = "/webhooks/whatsapp/webhook"
MAX_BODY = 1600
WINDOW_SECONDS = 24 * 3600

#: The demo's approved re-opening template (docs/channels.md): {{1}} the customer's first
#: name, {{2}} the order number, {{3}} the shop's name.
DEMO_TEMPLATE_SID = "HX" + "b47012" * 5 + "0e"
DEMO_TEMPLATE_BODY = (
    "Hi {{1}}, this is {{3}} about your order {{2}}. We have an update for you: reply to this "
    "message and we'll carry on where we left off."
)
CONTENT_SID = re.compile(r"^HX[0-9a-fA-F]{32}$")
PLACEHOLDER = re.compile(r"\{\{\s*(\w+)\s*\}\}")

# Numbers the demo phone offers: the seeded showcase customers and a stranger.
DEMO_PHONES = [
    ("+447700900001", "Jane Doe"),
    ("+353851234567", "Liam Murphy"),
    ("+447700900003", "Priya Shah"),
    ("+447700900004", "Ewan Campbell"),
    ("+447700900999", "Someone new"),
]


# --- the wire format (also used by tests and benchmarks) -----------------------------------


def inbound_form(
    account_sid: str,
    to: str,
    sender: str,
    body: str = "",
    message_sid: Optional[str] = None,
    profile_name: Optional[str] = None,
    media: Optional[list[tuple[str, str]]] = None,
) -> dict[str, str]:
    """The form Twilio posts for an incoming WhatsApp message."""
    if not sender.startswith("whatsapp:"):
        sender = f"whatsapp:{sender}"
    message_sid = message_sid or sid("SM")
    form = {
        "SmsMessageSid": message_sid,
        "NumMedia": str(len(media or [])),
        "SmsSid": message_sid,
        "SmsStatus": "received",
        "Body": body,
        "To": to,
        "NumSegments": "1",
        "ReferralNumMedia": "0",
        "MessageSid": message_sid,
        "AccountSid": account_sid,
        "From": sender,
        "ApiVersion": "2010-04-01",
        "WaId": sender.removeprefix("whatsapp:+"),
        "MessageType": "image" if media else "text",
    }
    if profile_name:
        form["ProfileName"] = profile_name
    for i, (url, content_type) in enumerate(media or []):
        form[f"MediaUrl{i}"] = url
        form[f"MediaContentType{i}"] = content_type
    return form


def signature(auth_token: str, url: str, form: dict[str, str]) -> str:
    """``X-Twilio-Signature`` for a webhook, computed by the twilio SDK itself."""
    return str(RequestValidator(auth_token).compute_signature(url, form))


def fill_template(body: str, variables: dict[str, str]) -> str:
    """A template's text with its ``{{n}}`` placeholders filled, as WhatsApp shows it."""
    return PLACEHOLDER.sub(lambda m: variables.get(m.group(1), m.group(0)), body)


def _error(status: int, code: int, message: str) -> web.Response:
    return web.json_response(
        {
            "code": code,
            "message": message,
            "more_info": f"https://www.twilio.com/docs/errors/{code}",
            "status": status,
        },
        status=status,
    )


def _content_variables(raw: str) -> Optional[dict[str, str]]:
    """``ContentVariables`` as Twilio reads it: a JSON object of strings, or ``None``."""
    try:
        parsed = json.loads(raw)
    except ValueError:
        return None
    if not isinstance(parsed, dict) or not all(isinstance(v, str) for v in parsed.values()):
        return None
    return {str(k): v for k, v in parsed.items()}


class FakeTwilio:
    def __init__(
        self,
        account_sid: str = DEMO_ACCOUNT_SID,
        auth_token: str = DEMO_AUTH_TOKEN,
        whatsapp_number: str = DEMO_WHATSAPP_NUMBER,
        baton_url: str = "http://localhost:5005",
        deliver_to: Optional[str] = None,
    ) -> None:
        self.account_sid = account_sid
        self.auth_token = auth_token
        self.whatsapp_number = whatsapp_number
        self.webhook_url = baton_url.rstrip("/") + WEBHOOK_PATH
        self.deliver_url = (deliver_to or baton_url).rstrip("/") + WEBHOOK_PATH
        self.sent = Recorder()  # messages Baton sent through the API
        self.received = Recorder()  # messages customers sent to Baton through this fake
        self.media: dict[str, tuple[bytes, str]] = {}
        self.templates: dict[str, str] = {DEMO_TEMPLATE_SID: DEMO_TEMPLATE_BODY}
        self.last_inbound: dict[str, float] = {}  # "whatsapp:+44…" -> when it last wrote
        self.clock = time.time
        self._session: Optional[aiohttp.ClientSession] = None
        self.base_url = ""

    # --- Baton's side ------------------------------------------------------------------

    def _authorised(self, request: web.Request, account: str) -> bool:
        auth = request.headers.get("Authorization", "")
        if not auth.startswith("Basic "):
            return False
        try:
            user, _, password = base64.b64decode(auth[6:]).decode().partition(":")
        except (binascii.Error, UnicodeDecodeError):
            return False
        return user == self.account_sid == account and password == self.auth_token

    async def create_message(self, request: web.Request) -> web.Response:
        account = request.match_info["account"]
        if not self._authorised(request, account):
            return _error(401, 20003, "Authenticate")
        form = await request.post()
        to, sender = form.get("To"), form.get("From")
        body = str(form.get("Body") or "")
        media = [str(v) for v in form.getall("MediaUrl", [])]
        content_sid = str(form.get("ContentSid") or "")
        if not to:
            return _error(400, 21604, "A 'To' phone number is required.")
        if sender != self.whatsapp_number:
            return _error(
                400,
                21606,
                "The From phone number is not a valid, WhatsApp-capable sender for your account.",
            )
        variables: dict[str, str] = {}
        if content_sid:
            template = self.templates.get(content_sid) if CONTENT_SID.match(content_sid) else None
            if template is None:
                return _error(400, 21655, "The ContentSid is Invalid")
            parsed = _content_variables(str(form.get("ContentVariables") or "{}"))
            used = set(PLACEHOLDER.findall(template))
            if parsed is None or not used <= set(parsed):
                return _error(400, 21656, "The ContentVariables Parameter is invalid")
            variables = parsed
            body = fill_template(template, variables)
        else:
            if not body and not media:
                return _error(400, 21619, "A text message body or media URL must be specified.")
            if len(body) > MAX_BODY:
                return _error(
                    400, 21617, "The concatenated message body exceeds the 1600 character limit."
                )
            last = self.last_inbound.get(str(to))
            if last is not None and self.clock() - last >= WINDOW_SECONDS:
                return _error(
                    400,
                    63016,
                    "Failed to send freeform message because you are outside the allowed "
                    "window. If you want to send messages outside the allowed window, please "
                    "use a Message Template.",
                )
        message_sid = sid("SM")
        now = formatdate(usegmt=True)
        record: dict[str, Any] = {
            "sid": message_sid,
            "to": str(to),
            "from": sender,
            "body": body,
            "media_urls": media,
        }
        if content_sid:
            record.update(content_sid=content_sid, content_variables=variables)
        self.sent.add(record)
        uri = f"/2010-04-01/Accounts/{account}/Messages/{message_sid}"
        return web.json_response(
            {
                "account_sid": account,
                "api_version": "2010-04-01",
                "body": body,
                "date_created": now,
                "date_sent": None,
                "date_updated": now,
                "direction": "outbound-api",
                "error_code": None,
                "error_message": None,
                "from": sender,
                "messaging_service_sid": None,
                "num_media": str(len(media)),
                "num_segments": "1",
                "price": None,
                "price_unit": "USD",
                "sid": message_sid,
                "status": "queued",
                "subresource_uris": {"media": f"{uri}/Media.json"},
                "to": to,
                "uri": f"{uri}.json",
            },
            status=201,
        )

    async def get_media(self, request: web.Request) -> web.Response:
        if not self._authorised(request, request.match_info["account"]):
            return _error(401, 20003, "Authenticate")
        found = self.media.get(request.match_info["media"])
        if found is None:
            return _error(404, 20404, "The requested resource was not found")
        data, content_type = found
        return web.Response(body=data, content_type=content_type)

    # --- the customer's side -----------------------------------------------------------

    async def send_inbound(
        self,
        sender: str,
        body: str = "",
        photo: Optional[bytes] = None,
        profile_name: Optional[str] = None,
        message_sid: Optional[str] = None,
    ) -> dict[str, Any]:
        message_sid = message_sid or sid("SM")
        media = []
        if photo is not None:
            media_sid = sid("ME")
            self.media[media_sid] = (photo, "image/png")
            url = (
                f"{self.base_url}/2010-04-01/Accounts/{self.account_sid}/Messages/"
                f"{message_sid}/Media/{media_sid}"
            )
            media.append((url, "image/png"))
        form = inbound_form(
            self.account_sid, self.whatsapp_number, sender, body, message_sid, profile_name, media
        )
        headers = {"X-Twilio-Signature": signature(self.auth_token, self.webhook_url, form)}
        self.last_inbound[form["From"]] = self.clock()
        if self._session is None:
            self._session = aiohttp.ClientSession()
        started = time.perf_counter()
        async with self._session.post(self.deliver_url, data=form, headers=headers) as resp:
            status = resp.status
        self.received.add(
            {"sid": message_sid, "from": form["From"], "body": body, "photo": bool(media)}
        )
        return {
            "status": status,
            "message_sid": message_sid,
            "ack_ms": (time.perf_counter() - started) * 1000,
        }

    async def inbound(self, request: web.Request) -> web.Response:
        data = await request.json()
        sender = str(data.get("from") or "")
        if not sender:
            return web.json_response({"error": "'from' is required"}, status=400)
        photo = tiny_png() if data.get("photo") else None
        try:
            result = await self.send_inbound(
                sender,
                str(data.get("body") or ""),
                photo,
                data.get("profile_name"),
                data.get("message_sid"),
            )
        except aiohttp.ClientError as exc:
            return web.json_response({"error": f"Baton is not reachable: {exc}"}, status=502)
        return web.json_response(result)

    async def messages(self, request: web.Request) -> web.Response:
        to = request.query.get("to")
        after = int(request.query.get("after", "-1"))
        wait = min(float(request.query.get("wait", "0")), 60)
        found = await self.sent.wait_for(lambda m: not to or m["to"] == to, after, wait)
        return web.json_response({"messages": found})

    async def conversation(self, request: web.Request) -> web.Response:
        number = "whatsapp:" + request.query.get("number", "").removeprefix("whatsapp:")
        items = [{"direction": "in", **m} for m in self.received.items if m["from"] == number] + [
            {"direction": "out", **m} for m in self.sent.items if m["to"] == number
        ]
        items.sort(key=lambda m: m["at"])
        return web.json_response({"messages": items})

    async def age(self, request: web.Request) -> web.Response:
        data = await request.json()
        number = "whatsapp:" + str(data.get("number") or "").removeprefix("whatsapp:")
        try:
            hours = float(data.get("hours", 25))
        except (TypeError, ValueError):
            return web.json_response({"error": "'hours' is a number"}, status=400)
        if number == "whatsapp:":
            return web.json_response({"error": "'number' is required"}, status=400)
        self.last_inbound[number] = self.clock() - hours * 3600
        return web.json_response({"number": number, "hours": hours})

    async def add_template(self, request: web.Request) -> web.Response:
        data = await request.json()
        content_sid, body = str(data.get("sid") or ""), str(data.get("body") or "")
        if not CONTENT_SID.match(content_sid) or not body:
            return web.json_response({"error": "'sid' (HX + 32 hex) and 'body'"}, status=400)
        self.templates[content_sid] = body
        return web.json_response({"sid": content_sid})

    async def reset(self, _: web.Request) -> web.Response:
        self.sent.clear()
        self.received.clear()
        self.media.clear()
        self.last_inbound.clear()
        self.templates = {DEMO_TEMPLATE_SID: DEMO_TEMPLATE_BODY}
        return web.json_response({"ok": True})

    async def page(self, _: web.Request) -> web.Response:
        options = "".join(f'<option value="{n}">{name} ({n})</option>' for n, name in DEMO_PHONES)
        return web.Response(
            text=(PAGES / "whatsapp.html").read_text().replace("{{OPTIONS}}", options),
            content_type="text/html",
        )

    async def health(self, _: web.Request) -> web.Response:
        return web.json_response({"status": "ok", "webhook": self.webhook_url})

    def app(self) -> web.Application:
        app = web.Application()
        prefix = "/2010-04-01/Accounts/{account}"
        app.router.add_post(prefix + "/Messages.json", self.create_message)
        app.router.add_get(prefix + "/Messages/{message}/Media/{media}", self.get_media)
        app.router.add_post("/_fake/inbound", self.inbound)
        app.router.add_get("/_fake/messages", self.messages)
        app.router.add_get("/_fake/conversation", self.conversation)
        app.router.add_post("/_fake/reset", self.reset)
        app.router.add_post("/_fake/age", self.age)
        app.router.add_post("/_fake/templates", self.add_template)
        app.router.add_get("/_fake/health", self.health)
        app.router.add_get("/", self.page)

        async def close(_: web.Application) -> None:
            if self._session is not None:
                await self._session.close()

        app.on_cleanup.append(close)  # type: ignore[arg-type]
        return app


def main() -> None:
    parser = base_parser("A local fake of Twilio's WhatsApp messaging API.", 5101)
    parser.add_argument(
        "--account-sid", default=os.environ.get("TWILIO_ACCOUNT_SID") or DEMO_ACCOUNT_SID
    )
    parser.add_argument(
        "--whatsapp-number",
        default=os.environ.get("TWILIO_WHATSAPP_NUMBER") or DEMO_WHATSAPP_NUMBER,
    )
    args = parser.parse_args()
    number = args.whatsapp_number
    fake = FakeTwilio(
        account_sid=args.account_sid,
        auth_token=os.environ.get("TWILIO_AUTH_TOKEN") or DEMO_AUTH_TOKEN,
        whatsapp_number=number if number.startswith("whatsapp:") else f"whatsapp:{number}",
        baton_url=args.baton_url,
        deliver_to=args.deliver_to,
    )
    fake.base_url = f"http://{args.host}:{args.port}"
    serve(fake.app(), args.host, args.port, "fake Twilio")


if __name__ == "__main__":
    main()

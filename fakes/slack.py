"""A local fake of the Slack Web API and Events API, and a Slack workspace to drive it.

Baton's side, as Slack answers it (``{"ok": false, "error": …}`` on failure):

* ``POST /api/auth.test`` — the bot's identity.
* ``GET|POST /api/users.info?user=U…`` — a workspace member with ``profile.email`` (needs
  the ``users:read.email`` scope on the real Slack).
* ``POST /api/chat.postMessage`` and ``/api/chat.update`` — recorded; Block Kit is checked for
  the limits Slack enforces (50 blocks, 3,000 characters a section, 25 buttons an actions
  block, 75 characters a button), answering ``invalid_blocks`` like Slack.
* Any call needs ``Authorization: Bearer <SLACK_BOT_TOKEN>`` (else ``invalid_auth``).

Like the real Slack, when the bot posts in a DM the fake sends the bot's own message back
to the Events API endpoint (``message`` with ``bot_id``): Baton must ignore it.

The workspace's side (``/_fake/``):

* ``POST /_fake/message`` ``{"user": "U01JANE", "text": "hi", "where": "dm"|"channel",
  "thread_ts": null}`` — builds the event(s) Slack would send (a mention in a channel comes
  as an ``app_mention`` *and* a ``message``), signs them with slack-sdk's
  ``SignatureVerifier`` and posts them to Baton.
* ``POST /_fake/click`` ``{"user": "U01JANE", "channel": "D01JANE", "ts": "…", "index": 0}`` —
  clicks a button of a message the bot posted (``block_actions`` to ``/webhooks/slack/actions``).
* ``GET /_fake/calls?method=chat.postMessage&channel=…&after=N&wait=S``, ``POST /_fake/reset``,
  ``GET /`` a small Slack to chat with Baton in the browser.

    python -m fakes.slack --port 5102 --baton-url http://localhost:5005
"""

from __future__ import annotations

import asyncio
import itertools
import json
import os
import time
from typing import Any, Optional
from urllib.parse import urlencode

import aiohttp
from aiohttp import web
from slack_sdk.signature import SignatureVerifier

from fakes.common import PAGES, Recorder, base_parser, serve

DEMO_BOT_TOKEN = "xoxb-fake-baton-demo-token"  # noqa: S105 - the fake's, not a secret
DEMO_SIGNING_SECRET = "fake-slack-signing-secret-for-local-demos"  # noqa: S105
TEAM = "T0BATON"
APP = "A0BATON"
BOT_USER = "U0BATONBOT"
BOT_ID = "B0BATONBOT"
SUPPORT_CHANNEL = "C0SUPPORT"
EVENTS_PATH = "/webhooks/slack/webhook"
ACTIONS_PATH = "/webhooks/slack/actions"


def _member(real_name: str, email: Optional[str], is_bot: bool = False) -> dict[str, Any]:
    return {
        "real_name": real_name,
        "display_name": real_name.split()[0],
        "email": email,
        "is_bot": is_bot,
    }


# The workspace: the seeded showcase customers, a guest the shop does not know, and bots.
USERS: dict[str, dict[str, Any]] = {
    "U01JANE": _member("Jane Doe", "jane.doe@example.com"),
    "U02LIAM": _member("Liam Murphy", "liam.murphy@example.ie"),
    "U03PRIYA": _member("Priya Shah", "priya.shah@example.com"),
    "U04EWAN": _member("Ewan Campbell", "ewan.campbell@example.com"),
    "U05GUEST": _member("Sam Guest", "sam.guest@example.net"),
    "U06OTHERBOT": _member("Another bot", None, is_bot=True),
    BOT_USER: _member("Baton", None, is_bot=True),
}

_ts_counter = itertools.count(1)
_last_micros = 0


def next_ts() -> str:
    """Slack message timestamps: unique, increasing ``seconds.micros`` strings."""
    global _last_micros
    _last_micros = max(int(time.time() * 1_000_000), _last_micros + 1)
    return f"{_last_micros // 1_000_000}.{_last_micros % 1_000_000:06d}"


def dm_channel(user: str) -> str:
    return "D" + user[1:]


# --- the wire format (also used by tests and benchmarks) -----------------------------------


def signed_headers(
    signing_secret: str, body: bytes, timestamp: Optional[int] = None
) -> dict[str, str]:
    """Slack's request signature headers, computed by slack-sdk."""
    ts = str(int(time.time()) if timestamp is None else timestamp)
    sig = SignatureVerifier(signing_secret).generate_signature(timestamp=ts, body=body)
    return {"X-Slack-Request-Timestamp": ts, "X-Slack-Signature": str(sig)}


def event_callback(event: dict[str, Any], event_id: Optional[str] = None) -> dict[str, Any]:
    return {
        "token": "verification-token-unused",
        "team_id": TEAM,
        "api_app_id": APP,
        "event": event,
        "type": "event_callback",
        "event_id": event_id or f"Ev{next(_ts_counter):010d}",
        "event_time": int(time.time()),
        "authorizations": [
            {"enterprise_id": None, "team_id": TEAM, "user_id": BOT_USER, "is_bot": True}
        ],
        "is_ext_shared_channel": False,
    }


def message_event(
    user: str,
    text: str,
    channel: str,
    ts: Optional[str] = None,
    thread_ts: Optional[str] = None,
    **extra: Any,
) -> dict[str, Any]:
    ts = ts or next_ts()
    event: dict[str, Any] = {
        "type": "message",
        "channel": channel,
        "user": user,
        "text": text,
        "ts": ts,
        "event_ts": ts,
        "team": TEAM,
        "channel_type": "im" if channel.startswith("D") else "channel",
    }
    if thread_ts:
        event["thread_ts"] = thread_ts
    event.update(extra)
    return event


def app_mention_event(
    user: str, text: str, channel: str, ts: str, thread_ts: Optional[str] = None
) -> dict[str, Any]:
    event = {
        "type": "app_mention",
        "channel": channel,
        "user": user,
        "text": text,
        "ts": ts,
        "event_ts": ts,
        "team": TEAM,
    }
    if thread_ts:
        event["thread_ts"] = thread_ts
    return event


def block_actions(user: str, channel: str, message: dict[str, Any], index: int) -> dict[str, Any]:
    """The ``block_actions`` payload for clicking the ``index``-th button of ``message``."""
    buttons = [
        element
        for block in message.get("blocks") or []
        if block.get("type") == "actions"
        for element in block.get("elements") or []
    ]
    button = buttons[index]
    container: dict[str, Any] = {
        "type": "message",
        "message_ts": message["ts"],
        "channel_id": channel,
        "is_ephemeral": False,
    }
    if message.get("thread_ts"):
        container["thread_ts"] = message["thread_ts"]
    return {
        "type": "block_actions",
        "user": {"id": user, "username": user.lower(), "team_id": TEAM},
        "api_app_id": APP,
        "token": "verification-token-unused",
        "container": container,
        "trigger_id": f"{next(_ts_counter)}.trigger",
        "team": {"id": TEAM, "domain": "baton-demo"},
        "channel": {
            "id": channel,
            "name": "directmessage" if channel.startswith("D") else "support",
        },
        "message": message,
        "response_url": "https://hooks.slack.invalid/actions/unused",
        "actions": [
            {
                "action_id": button["action_id"],
                "block_id": next(
                    b.get("block_id")
                    for b in message["blocks"]
                    if b.get("type") == "actions" and button in b.get("elements", [])
                ),
                "text": button["text"],
                "value": button.get("value"),
                "type": "button",
                "action_ts": f"{time.time():.6f}",
            }
        ],
    }


def _blocks_problem(blocks: Any) -> Optional[str]:
    if not isinstance(blocks, list) or len(blocks) > 50:
        return "no more than 50 items allowed [json-pointer:/blocks]"
    for i, block in enumerate(blocks):
        kind = block.get("type") if isinstance(block, dict) else None
        if kind == "section" and len(block.get("text", {}).get("text", "")) > 3000:
            return f"must be less than 3001 characters [json-pointer:/blocks/{i}/text/text]"
        if kind == "actions":
            elements = block.get("elements") or []
            if not 0 < len(elements) <= 25:
                return f"no more than 25 items allowed [json-pointer:/blocks/{i}/elements]"
            for j, e in enumerate(elements):
                if len(e.get("text", {}).get("text", "")) > 75:
                    return (
                        "must be less than 76 characters "
                        f"[json-pointer:/blocks/{i}/elements/{j}/text/text]"
                    )
                if len(str(e.get("value", ""))) > 2000:
                    where = f"/blocks/{i}/elements/{j}/value"
                    return f"must be less than 2001 characters [json-pointer:{where}]"
        if kind not in ("section", "actions", "image", "context", "divider", "header"):
            return f"unsupported type [json-pointer:/blocks/{i}/type]"
    return None


class FakeSlack:
    def __init__(
        self,
        bot_token: str = DEMO_BOT_TOKEN,
        signing_secret: str = DEMO_SIGNING_SECRET,
        baton_url: str = "http://localhost:5005",
        deliver_to: Optional[str] = None,
        echo_bot_messages: bool = True,
    ) -> None:
        self.bot_token = bot_token
        self.signing_secret = signing_secret
        self.deliver_base = (deliver_to or baton_url).rstrip("/")
        self.echo_bot_messages = echo_bot_messages
        self.calls = Recorder()  # Web API calls Baton made
        self.posts: dict[tuple[str, str], dict[str, Any]] = {}  # (channel, ts) -> message
        self.customer_messages = Recorder()
        self._session: Optional[aiohttp.ClientSession] = None
        self._tasks: set[asyncio.Task[Any]] = set()

    # --- Baton's side ------------------------------------------------------------------

    async def api(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        args: dict[str, Any] = dict(request.query)
        if request.can_read_body:
            if request.content_type == "application/json":
                args.update(await request.json())
            else:
                args.update(await request.post())
        if request.headers.get("Authorization") != f"Bearer {self.bot_token}":
            return web.json_response({"ok": False, "error": "invalid_auth"})
        handler = {
            "auth.test": self._auth_test,
            "users.info": self._users_info,
            "chat.postMessage": self._post_message,
            "chat.update": self._update,
            "conversations.open": self._open_dm,
        }.get(method)
        if handler is None:
            return web.json_response({"ok": False, "error": "unknown_method"})
        result = handler(args)
        self.calls.add({"method": method, "args": args, "result": result})
        return web.json_response(result)

    def _auth_test(self, _: dict[str, Any]) -> dict[str, Any]:
        return {
            "ok": True,
            "url": "https://baton-demo.slack.com/",
            "team": "Baton demo",
            "user": "baton",
            "team_id": TEAM,
            "user_id": BOT_USER,
            "bot_id": BOT_ID,
            "is_enterprise_install": False,
        }

    def _open_dm(self, args: dict[str, Any]) -> dict[str, Any]:
        user = str(args.get("users") or "")
        if not user.startswith(("U", "W")):
            return {"ok": False, "error": "user_not_found"}
        return {"ok": True, "channel": {"id": dm_channel(user)}}

    def _users_info(self, args: dict[str, Any]) -> dict[str, Any]:
        user_id = str(args.get("user") or "")
        found = USERS.get(user_id)
        if found is None:
            return {"ok": False, "error": "user_not_found"}
        profile = {"real_name": found["real_name"], "display_name": found["display_name"]}
        if found.get("email"):
            profile["email"] = found["email"]
        return {
            "ok": True,
            "user": {
                "id": user_id,
                "team_id": TEAM,
                "name": found["display_name"].lower(),
                "deleted": False,
                "real_name": found["real_name"],
                "is_bot": bool(found.get("is_bot")),
                "is_email_confirmed": True,
                "profile": profile,
            },
        }

    def _post_message(self, args: dict[str, Any]) -> dict[str, Any]:
        channel = args.get("channel")
        blocks = args.get("blocks")
        if isinstance(blocks, str):
            blocks = json.loads(blocks)
        if not channel:
            return {"ok": False, "error": "channel_not_found"}
        if not args.get("text") and not blocks:
            return {"ok": False, "error": "no_text"}
        if blocks is not None:
            problem = _blocks_problem(blocks)
            if problem:
                return {"ok": False, "error": "invalid_blocks", "errors": [problem]}
        ts = next_ts()
        message = {
            "type": "message",
            "user": BOT_USER,
            "bot_id": BOT_ID,
            "app_id": APP,
            "text": args.get("text") or "",
            "ts": ts,
            "team": TEAM,
            "blocks": blocks or [],
        }
        if args.get("thread_ts"):
            message["thread_ts"] = args["thread_ts"]
        self.posts[(channel, ts)] = message
        if self.echo_bot_messages and str(channel).startswith("D"):
            # Slack delivers the bot's own DM messages to a message.im subscription too.
            echo = message_event(BOT_USER, str(message["text"]), str(channel), ts, bot_id=BOT_ID)
            self._background(self._post_event(echo))
        return {"ok": True, "channel": channel, "ts": ts, "message": message}

    def _update(self, args: dict[str, Any]) -> dict[str, Any]:
        key = (str(args.get("channel")), str(args.get("ts")))
        if key not in self.posts:
            return {"ok": False, "error": "message_not_found"}
        blocks = args.get("blocks")
        if isinstance(blocks, str):
            blocks = json.loads(blocks)
        if blocks is not None:
            problem = _blocks_problem(blocks)
            if problem:
                return {"ok": False, "error": "invalid_blocks", "errors": [problem]}
            self.posts[key]["blocks"] = blocks
        if args.get("text"):
            self.posts[key]["text"] = args["text"]
        return {"ok": True, "channel": key[0], "ts": key[1], "text": self.posts[key]["text"]}

    # --- the workspace's side ----------------------------------------------------------

    def _background(self, coro: Any) -> None:
        task = asyncio.get_running_loop().create_task(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _post(self, path: str, body: bytes, content_type: str, **headers: str) -> int:
        if self._session is None:
            self._session = aiohttp.ClientSession()
        all_headers = {
            "Content-Type": content_type,
            **signed_headers(self.signing_secret, body),
            **headers,
        }
        async with self._session.post(
            self.deliver_base + path, data=body, headers=all_headers
        ) as resp:
            return resp.status

    async def _post_event(self, event: dict[str, Any], **headers: str) -> int:
        body = json.dumps(event_callback(event)).encode()
        return await self._post(EVENTS_PATH, body, "application/json", **headers)

    async def send_message(
        self, user: str, text: str, where: str = "dm", thread_ts: Optional[str] = None
    ) -> dict[str, Any]:
        """A workspace member writes to the bot: in a DM, or mentioning it in #support."""
        ts = next_ts()
        if where == "dm":
            channel = dm_channel(user)
            events = [message_event(user, text, channel, ts, thread_ts)]
        else:
            channel = SUPPORT_CHANNEL
            if "<@" not in text:
                text = f"<@{BOT_USER}> {text}"
            events = [
                app_mention_event(user, text, channel, ts, thread_ts),
                message_event(user, text, channel, ts, thread_ts),
            ]
        self.customer_messages.add({"user": user, "channel": channel, "ts": ts, "text": text})
        statuses = [await self._post_event(e) for e in events]
        return {"channel": channel, "ts": ts, "statuses": statuses}

    async def click(self, user: str, channel: str, ts: str, index: int) -> dict[str, Any]:
        message = self.posts.get((channel, ts))
        if message is None:
            return {"error": "message_not_found"}
        payload = block_actions(user, channel, message, index)
        body = urlencode({"payload": json.dumps(payload)}).encode()
        status = await self._post(ACTIONS_PATH, body, "application/x-www-form-urlencoded")
        return {"status": status}

    async def message_endpoint(self, request: web.Request) -> web.Response:
        data = await request.json()
        user = str(data.get("user") or "")
        if user not in USERS:
            return web.json_response({"error": "unknown user"}, status=400)
        try:
            result = await self.send_message(
                user, str(data.get("text") or ""), data.get("where", "dm"), data.get("thread_ts")
            )
        except aiohttp.ClientError as exc:
            return web.json_response({"error": f"Baton is not reachable: {exc}"}, status=502)
        return web.json_response(result)

    async def click_endpoint(self, request: web.Request) -> web.Response:
        data = await request.json()
        result = await self.click(
            str(data["user"]), str(data["channel"]), str(data["ts"]), int(data.get("index", 0))
        )
        return web.json_response(result, status=404 if "error" in result else 200)

    async def calls_endpoint(self, request: web.Request) -> web.Response:
        method = request.query.get("method")
        channel = request.query.get("channel")
        after = int(request.query.get("after", "-1"))
        wait = min(float(request.query.get("wait", "0")), 60)

        def match(call: dict[str, Any]) -> bool:
            return (not method or call["method"] == method) and (
                not channel or call["args"].get("channel") == channel
            )

        found = await self.calls.wait_for(match, after, wait)
        return web.json_response({"calls": found})

    async def channel_endpoint(self, request: web.Request) -> web.Response:
        """Everything in a channel (customers' and the bot's messages, current blocks)."""
        channel = request.query.get("channel", "")
        items = [
            {"from": m["user"], "text": m["text"], "ts": m["ts"], "at": m["at"]}
            for m in self.customer_messages.items
            if m["channel"] == channel
        ] + [
            {"from": "baton", **post, "at": float(post["ts"])}
            for (ch, _), post in self.posts.items()
            if ch == channel
        ]
        items.sort(key=lambda m: m["ts"])
        return web.json_response({"messages": items})

    async def reset(self, _: web.Request) -> web.Response:
        self.calls.clear()
        self.customer_messages.clear()
        self.posts.clear()
        return web.json_response({"ok": True})

    async def page(self, _: web.Request) -> web.Response:
        options = "".join(
            f'<option value="{u}">{d["real_name"]}</option>'
            for u, d in USERS.items()
            if not d.get("is_bot")
        )
        return web.Response(
            text=(PAGES / "slack.html").read_text().replace("{{OPTIONS}}", options),
            content_type="text/html",
        )

    async def health(self, _: web.Request) -> web.Response:
        return web.json_response({"status": "ok"})

    def app(self) -> web.Application:
        app = web.Application()
        app.router.add_route("*", "/api/{method}", self.api)
        app.router.add_post("/_fake/message", self.message_endpoint)
        app.router.add_post("/_fake/click", self.click_endpoint)
        app.router.add_get("/_fake/calls", self.calls_endpoint)
        app.router.add_get("/_fake/channel", self.channel_endpoint)
        app.router.add_post("/_fake/reset", self.reset)
        app.router.add_get("/_fake/health", self.health)
        app.router.add_get("/", self.page)

        async def close(_: web.Application) -> None:
            for task in list(self._tasks):
                task.cancel()
            if self._session is not None:
                await self._session.close()

        app.on_cleanup.append(close)  # type: ignore[arg-type]
        return app


def main() -> None:
    parser = base_parser("A local fake of Slack's Web API and Events API.", 5102)
    parser.add_argument(
        "--no-echo", action="store_true", help="don't send the bot's own DM messages back"
    )
    args = parser.parse_args()
    fake = FakeSlack(
        bot_token=os.environ.get("SLACK_BOT_TOKEN") or DEMO_BOT_TOKEN,
        signing_secret=os.environ.get("SLACK_SIGNING_SECRET") or DEMO_SIGNING_SECRET,
        baton_url=args.baton_url,
        deliver_to=args.deliver_to,
        echo_bot_messages=not args.no_echo,
    )
    serve(fake.app(), args.host, args.port, "fake Slack")


if __name__ == "__main__":
    main()

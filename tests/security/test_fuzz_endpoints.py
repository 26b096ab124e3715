"""Property-based fuzzing of every public endpoint (security hardening).

Hypothesis throws arbitrary Unicode (lone surrogates, NUL, bidi controls), huge strings, deep
nesting and malformed bodies at the web chat's socket.io events, both webhooks (signed, so the
payload reaches the code behind the signature check), the relay, the agent console's API, the
bot API, the erasure API and the analytics API, on the session's real servers. For every
request: no 5xx (the only exception is the channels' documented back-pressure, "Busy, try
again.", 503), and the server still answers. After each endpoint's run: nothing half-written —
every stored event is valid JSON without NUL or lone surrogates, and a normal customer still
gets a normal answer.

``BATON_FUZZ_EXAMPLES`` sets the examples per endpoint (default 40: about two minutes in all,
most of it the web chat and the channels' turns).
"""

from __future__ import annotations

import json
import os
import sqlite3
import time
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlencode

import pytest
import requests
import socketio
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from connectors.text import is_clean
from fakes.slack import DEMO_SIGNING_SECRET, signed_headers
from fakes.twilio import DEMO_AUTH_TOKEN, signature
from tests.support.servers import (
    AGENT_PASSWORD,
    AGENT_USERNAME,
    HANDOFF_RELAY_TOKEN,
    HANDOFF_SERVICE_TOKEN,
    Baton,
)

pytestmark = pytest.mark.e2e

EXAMPLES = int(os.environ.get("BATON_FUZZ_EXAMPLES", "40"))
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,  # the same examples every run: a failure reproduces
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    database=None,
)
TIMEOUT = 30

# --- what to throw -----------------------------------------------------------------------

#: Text as hostile as Unicode allows: surrogates, NUL and every other control included.
text = st.text(
    st.characters(min_codepoint=0, max_codepoint=0x10FFFF, exclude_categories=()), max_size=60
)
huge = st.builds(
    lambda c, n: c * n,
    st.sampled_from(["a", "\x00", "💥", "\ud800", "é"]),
    st.integers(1_000, 120_000),
)
strings = st.one_of(text, huge, st.sampled_from(["", " ", "/restart", '/rate{"rating":1e999}']))
scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=True, allow_infinity=True),
    strings,
)
json_values = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=12), inner, max_size=4)
    ),
    max_leaves=12,
)
deep = st.integers(1, 3000).map(lambda n: "[" * n + "]" * n)
raw_bodies = st.one_of(st.binary(max_size=2000), deep.map(str.encode), st.just(b"\xff\xfe\x00"))


def with_keys(keys: list[str]) -> st.SearchStrategy[dict[str, Any]]:
    """Objects with the keys an endpoint reads, holding anything."""
    return st.fixed_dictionaries({}, optional={k: json_values for k in keys})


def encode(value: Any) -> bytes:
    """JSON, lone surrogates and NaN included (what a hostile client can send)."""
    return json.dumps(value, allow_nan=True).encode("utf-8", "surrogatepass")


def raw(query: dict[str, str]) -> dict[str, bytes]:
    """Query parameters as the bytes a hostile client sends (lone surrogates included)."""
    return {k: v.encode("utf-8", "surrogatepass") for k, v in query.items()}


def no_server_error(resp: requests.Response) -> None:
    busy = resp.status_code == 503 and "Busy, try again" in resp.text
    assert resp.status_code < 500 or busy, f"{resp.status_code}: {resp.text[:300]}"


def still_answers(baton: Baton) -> None:
    for url in (f"{baton.rasa_url}/", f"{baton.action_url}/health", f"{baton.handoff_url}/health"):
        assert requests.get(url, timeout=TIMEOUT).status_code == 200, url


def stored_events_are_whole(baton: Baton) -> None:
    path = baton.tracker_url.removeprefix("sqlite:///")
    with sqlite3.connect(path) as db:
        db.text_factory = bytes
        for (data,) in db.execute("SELECT data FROM events"):
            decoded = data.decode("utf-8")  # raises on a lone surrogate written as bytes
            event = json.loads(decoded)
            said = event.get("text")
            if isinstance(said, str):
                assert is_clean(said), said[:80]


@pytest.fixture
def http() -> Iterator[requests.Session]:
    with requests.Session() as session:
        yield session


@pytest.fixture
def agent_token(baton: Baton, http: requests.Session) -> str:
    answer = http.post(
        f"{baton.handoff_url}/api/login",
        json={"username": AGENT_USERNAME, "password": AGENT_PASSWORD, "bearer": True},
        timeout=TIMEOUT,
    )
    assert answer.status_code == 200, answer.text
    return str(answer.json()["token"])


# --- the web chat (socket.io) ----------------------------------------------------------------


def test_web_chat_events_of_any_shape(baton: Baton) -> None:
    client = socketio.Client(reconnection=False)
    client.connect(baton.rasa_url, socketio_path="/socket.io", transports=["websocket"])
    dropped = 0
    try:

        @FUZZ
        @given(session=json_values, message=json_values, custom=json_values)
        def throw(session: Any, message: Any, custom: Any) -> None:
            nonlocal client, dropped
            try:
                client.emit("session_request", session)
                client.emit("user_uttered", {"message": message, "customData": custom})
                client.emit("user_uttered", message)
            except socketio.exceptions.BadNamespaceError:
                # The server closed the socket (a packet over engine.io's 1 MB limit): fine,
                # as long as it takes the next connection.
                dropped += 1
                client = socketio.Client(reconnection=False)
                client.connect(baton.rasa_url, socketio_path="/socket.io", transports=["websocket"])

        throw()
        time.sleep(2)
    finally:
        client.disconnect()
    still_answers(baton)
    stored_events_are_whole(baton)
    polite = socketio.Client(reconnection=False)
    heard: list[Any] = []
    polite.on("bot_uttered", heard.append)
    polite.connect(baton.rasa_url, socketio_path="/socket.io", transports=["websocket"])
    polite.emit("session_request", {"session_id": None})
    time.sleep(0.5)
    polite.emit("user_uttered", {"message": "hello"})
    for _ in range(100):
        if heard:
            break
        time.sleep(0.1)
    polite.disconnect()
    assert heard, "a polite customer got no answer after the fuzzing"


# --- the webhooks --------------------------------------------------------------------------


def test_signed_whatsapp_webhooks_of_any_shape(baton: Baton, http: requests.Session) -> None:
    url = f"{baton.env['PUBLIC_URL'].rstrip('/')}/webhooks/whatsapp/webhook"
    target = f"{baton.rasa_url}/webhooks/whatsapp/webhook"
    keys = [
        "From",
        "Body",
        "MessageSid",
        "NumMedia",
        "MediaUrl0",
        "MediaContentType0",
        "ProfileName",
        "ButtonPayload",
        "WaId",
    ]

    @FUZZ
    @given(
        form=st.dictionaries(
            st.sampled_from(keys), strings.filter(lambda s: len(s) < 5000), max_size=6
        ),
        sid=st.integers(0, 10**9),
    )
    def throw(form: dict[str, str], sid: int) -> None:
        form = {k: v.encode("utf-8", "replace").decode("utf-8") for k, v in form.items()}
        form.setdefault("MessageSid", f"SMfuzz{sid}")
        if "MediaUrl0" in form:
            form["MediaUrl0"] = "http://127.0.0.1:9/never"  # never fetch from elsewhere
        headers = {"X-Twilio-Signature": signature(DEMO_AUTH_TOKEN, url, form)}
        resp = http.post(target, data=form, headers=headers, timeout=TIMEOUT)
        no_server_error(resp)

    throw()
    still_answers(baton)


@FUZZ
@given(body=raw_bodies)
def test_unsigned_garbage_at_the_webhooks(
    baton: Baton, http: requests.Session, body: bytes
) -> None:
    for path in (
        "whatsapp/webhook",
        "slack/webhook",
        "slack/actions",
        "relay/message",
        "relay/close",
    ):
        resp = http.post(f"{baton.rasa_url}/webhooks/{path}", data=body, timeout=TIMEOUT)
        no_server_error(resp)
        assert resp.status_code >= 400, (path, resp.status_code)  # nothing unsigned gets in


def test_signed_slack_events_and_buttons_of_any_shape(baton: Baton, http: requests.Session) -> None:
    event_keys = [
        "type",
        "user",
        "channel",
        "ts",
        "thread_ts",
        "text",
        "channel_type",
        "subtype",
        "bot_id",
        "team",
    ]

    @FUZZ
    @given(
        top=with_keys(["type", "event_id", "team_id", "authorizations", "challenge"]),
        event=with_keys(event_keys),
        action=with_keys(["type", "actions", "user", "container", "channel", "message", "team"]),
        kind=st.sampled_from(["event_callback", "url_verification", "block_actions", None]),
    )
    def throw(
        top: dict[str, Any], event: dict[str, Any], action: dict[str, Any], kind: Any
    ) -> None:
        payload = {**top, "event": event}
        if kind is not None:
            payload["type"] = kind
        body = encode(payload)
        headers = {"Content-Type": "application/json", **signed_headers(DEMO_SIGNING_SECRET, body)}
        no_server_error(
            http.post(
                f"{baton.rasa_url}/webhooks/slack/webhook",
                data=body,
                headers=headers,
                timeout=TIMEOUT,
            )
        )
        form = urlencode(
            {"payload": encode({**action, "type": "block_actions"}).decode("utf-8", "replace")}
        ).encode()
        headers = {
            "Content-Type": "application/x-www-form-urlencoded",
            **signed_headers(DEMO_SIGNING_SECRET, form),
        }
        no_server_error(
            http.post(
                f"{baton.rasa_url}/webhooks/slack/actions",
                data=form,
                headers=headers,
                timeout=TIMEOUT,
            )
        )

    throw()
    still_answers(baton)


# --- the relay -------------------------------------------------------------------------------


def test_the_relay_with_its_token_and_any_body(baton: Baton, http: requests.Session) -> None:
    headers = {"Authorization": f"Bearer {HANDOFF_RELAY_TOKEN}", "Content-Type": "application/json"}

    @FUZZ
    @given(
        body=st.one_of(
            with_keys(["conversation_id", "message_id", "text", "agent_name", "ticket_id"]),
            json_values,
        )
    )
    def throw(body: Any) -> None:
        for path in ("message", "close"):
            resp = http.post(
                f"{baton.rasa_url}/webhooks/relay/{path}",
                data=encode(body),
                headers=headers,
                timeout=TIMEOUT,
            )
            no_server_error(resp)

    throw()
    still_answers(baton)
    stored_events_are_whole(baton)


# --- the handoff service: console API, bot API, erasure, analytics ----------------------------


def test_the_console_api_with_a_login_and_any_body(
    baton: Baton, http: requests.Session, agent_token: str
) -> None:
    auth = {"Authorization": f"Bearer {agent_token}", "Content-Type": "application/json"}
    base = baton.handoff_url

    @FUZZ
    @given(
        body=st.one_of(
            with_keys(["text", "username", "password", "label", "bearer"]),
            json_values,
        ),
        ticket=st.integers(min_value=-(2**63), max_value=2**70),
        query=st.dictionaries(
            st.sampled_from(["status", "language", "limit", "q", "scope"]), text, max_size=3
        ),
    )
    def throw(body: Any, ticket: int, query: dict[str, str]) -> None:
        data = encode(body)
        no_server_error(
            http.post(
                f"{base}/api/login",
                data=data,
                headers={"Content-Type": "application/json"},
                timeout=TIMEOUT,
            )
        )
        for path in ("messages", "notes", "claim"):
            no_server_error(
                http.post(
                    f"{base}/api/tickets/{ticket}/{path}", data=data, headers=auth, timeout=TIMEOUT
                )
            )
        no_server_error(http.get(f"{base}/api/tickets/{ticket}", headers=auth, timeout=TIMEOUT))
        no_server_error(
            http.get(f"{base}/api/tickets", params=raw(query), headers=auth, timeout=TIMEOUT)
        )
        no_server_error(
            http.get(f"{base}/api/inbox/", params=raw(query), headers=auth, timeout=TIMEOUT)
        )
        no_server_error(
            http.post(f"{base}/api/inbox/label", data=data, headers=auth, timeout=TIMEOUT)
        )

    throw()
    still_answers(baton)


def test_handing_on_teams_and_rules_with_a_login_and_any_body(
    baton: Baton, http: requests.Session, agent_token: str
) -> None:
    """Release, transfer, teams and routing rules (the demo agent is a lead: the writes are
    tried for real)."""
    auth = {"Authorization": f"Bearer {agent_token}", "Content-Type": "application/json"}
    base = baton.handoff_url
    keys = ["agent_id", "team_id", "reason", "name", "archived", "member_ids", "rules"]

    @FUZZ
    @given(
        body=st.one_of(with_keys(keys), json_values),
        ticket=st.integers(min_value=-(2**63), max_value=2**70),
        scope=text,
    )
    def throw(body: Any, ticket: int, scope: str) -> None:
        data = encode(body)
        for path in ("release", "transfer"):
            no_server_error(
                http.post(
                    f"{base}/api/tickets/{ticket}/{path}", data=data, headers=auth, timeout=TIMEOUT
                )
            )
        no_server_error(http.post(f"{base}/api/teams", data=data, headers=auth, timeout=TIMEOUT))
        no_server_error(
            http.patch(f"{base}/api/teams/{ticket}", data=data, headers=auth, timeout=TIMEOUT)
        )
        no_server_error(
            http.put(f"{base}/api/routing-rules", data=data, headers=auth, timeout=TIMEOUT)
        )
        no_server_error(
            http.get(
                f"{base}/api/tickets", params=raw({"scope": scope}), headers=auth, timeout=TIMEOUT
            )
        )

    try:
        throw()
    finally:  # later tests in this session expect new cases in no team
        http.put(f"{base}/api/routing-rules", json={"rules": []}, headers=auth, timeout=TIMEOUT)
    still_answers(baton)


def test_the_bot_api_with_its_token_and_any_body(baton: Baton, http: requests.Session) -> None:
    auth = {"Authorization": f"Bearer {HANDOFF_SERVICE_TOKEN}", "Content-Type": "application/json"}
    base = baton.handoff_url
    keys = [
        "conversation_id",
        "channel",
        "customer",
        "reason",
        "key",
        "text",
        "sent_at",
        "rating",
        "comment",
        "language",
        "transcript",
    ]

    @FUZZ
    @given(body=st.one_of(with_keys(keys), json_values), ticket=st.integers(-5, 2**40))
    def throw(body: Any, ticket: int) -> None:
        data = encode(body)
        for path in ("/api/bot/tickets", "/api/bot/messages", f"/api/bot/tickets/{ticket}/csat"):
            no_server_error(http.post(f"{base}{path}", data=data, headers=auth, timeout=TIMEOUT))
        no_server_error(
            http.post(
                f"{base}/admin/erasures",
                data=data,
                headers={"Content-Type": "application/json"},
                timeout=TIMEOUT,
            )
        )

    throw()
    still_answers(baton)


def test_the_analytics_api_with_any_query(
    baton: Baton, http: requests.Session, agent_token: str
) -> None:
    auth = {"Authorization": f"Bearer {agent_token}"}
    names = ["from", "to", "channel", "language", "granularity", "format"]
    dates = st.one_of(
        text, st.dates().map(str), st.sampled_from(["0001-01-01", "9999-12-31", "2026-02-30"])
    )

    @FUZZ
    @given(query=st.dictionaries(st.sampled_from(names), dates, max_size=6))
    def throw(query: dict[str, str]) -> None:
        resp = http.get(
            f"{baton.handoff_url}/api/metrics", params=raw(query), headers=auth, timeout=TIMEOUT
        )
        no_server_error(resp)

    throw()
    still_answers(baton)


@FUZZ
@given(rma=text, token=text)
def test_return_labels_and_widget_assets_with_any_path(
    baton: Baton, http: requests.Session, rma: str, token: str
) -> None:
    from urllib.parse import quote

    safe = quote(rma.encode("utf-8", "surrogatepass"), safe="")
    no_server_error(
        http.get(
            f"{baton.rasa_url}/returns/labels/{safe}",
            params=raw({"t": token}),
            timeout=TIMEOUT,
        )
    )
    no_server_error(http.get(f"{baton.rasa_url}/webchat/{safe}", timeout=TIMEOUT))
    no_server_error(http.get(f"{baton.handoff_url}/console/{safe}", timeout=TIMEOUT))
    no_server_error(http.get(f"{baton.handoff_url}/dashboard/{safe}", timeout=TIMEOUT))

"""A photo the customer sends after the handoff reaches the case: ``POST /api/bot/messages``
carries its reference, the case JSON and the live feed show it, the console's route serves
it, and a reference that is not this conversation's kept file is refused with the reason.

Through the handoff app's ASGI interface (tests/support/asgi.py) on a temp SQLite database."""

from __future__ import annotations

import itertools
import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from handoff.app import create_app
from handoff.services import HandoffService
from infra.uploads import store_bytes
from tests.handoff.conftest import FakeSocket, make_settings, packet
from tests.support.asgi import SanicClient

SERVICE = {"Authorization": "Bearer service-token"}  # make_settings' service token
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x02" * 64
PDF = b"%PDF-1.7\n" + b"1" * 64
CONVERSATION = "wa-5e1f"
_names = itertools.count()


@pytest.fixture
async def client(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[SanicClient]:
    monkeypatch.setenv("BATON_VAR_DIR", str(tmp_path / "var"))
    app = create_app(make_settings(tmp_path), name=f"handoff_relayed_{next(_names)}")
    async with SanicClient(app) as running:
        yield running


async def agent_cookies(client: SanicClient) -> dict[str, str]:
    login = await client.post("/api/login", json={"username": "demo", "password": "demo-password"})
    assert login.status_code == 200
    return {"baton_agent": login.cookies["baton_agent"]}


async def open_case(client: SanicClient, conversation_id: str = CONVERSATION) -> int:
    opened = await client.post("/api/bot/tickets", json=packet(conversation_id), headers=SERVICE)
    assert opened.status_code == 200, opened.text
    return int(opened.json()["ticket_id"])


async def relay(client: SanicClient, key: str, attachments: Any, **extra: Any) -> Any:
    body = {
        "conversation_id": CONVERSATION,
        "key": key,
        "text": "[photo]",
        "sent_at": 1_700_000_000.5,
        "attachments": attachments,
        **extra,
    }
    return await client.post("/api/bot/messages", json=body, headers=SERVICE)


async def case(client: SanicClient, ticket_id: int) -> dict[str, Any]:
    answer = await client.get(f"/api/tickets/{ticket_id}", cookies=await agent_cookies(client))
    assert answer.status_code == 200, answer.text
    return dict(answer.json())


async def test_a_photo_after_the_handoff_reaches_the_case_and_opens_for_the_agent(
    client: SanicClient,
) -> None:
    ticket_id = await open_case(client)
    photo = store_bytes(CONVERSATION, JPEG, "image/jpeg")
    document = store_bytes(CONVERSATION, PDF, "application/pdf")

    answer = await relay(client, "outbox-1", [photo, document])

    assert answer.status_code == 200, answer.text
    assert answer.json()["accepted"] is True
    [message] = [m for m in (await case(client, ticket_id))["messages"] if m["kind"] == "customer"]
    assert message["text"] == "[photo]"
    assert message["attachments"] == [photo, document]
    assert set(photo) == {"kind", "content_type", "bytes", "sha256", "path"}
    opened = await client.get(
        "/api/attachments/" + photo["path"].removeprefix("uploads/"),
        cookies=await agent_cookies(client),
    )
    assert opened.status_code == 200 and opened.content == JPEG


async def test_a_retried_relay_keeps_one_message_with_its_photo(client: SanicClient) -> None:
    ticket_id = await open_case(client)
    photo = store_bytes(CONVERSATION, JPEG, "image/jpeg")
    for _ in range(2):
        assert (await relay(client, "outbox-again", [photo])).status_code == 200
    customer = [m for m in (await case(client, ticket_id))["messages"] if m["kind"] == "customer"]
    assert [m["attachments"] for m in customer] == [[photo]]


async def test_words_without_attachments_read_as_before(client: SanicClient) -> None:
    ticket_id = await open_case(client)
    body = {"conversation_id": CONVERSATION, "key": "words", "text": "are you there?"}
    assert (await client.post("/api/bot/messages", json=body, headers=SERVICE)).status_code == 200
    [message] = [m for m in (await case(client, ticket_id))["messages"] if m["kind"] == "customer"]
    assert message["text"] == "are you there?" and message["attachments"] == []


def forged(path: str, **changes: Any) -> dict[str, Any]:
    reference = {
        "kind": "image",
        "content_type": "image/jpeg",
        "bytes": len(JPEG),
        "sha256": "0" * 64,
        "path": path,
    }
    return {**reference, **changes}


@pytest.mark.parametrize(
    ("reference", "reason"),
    [
        (forged("uploads/../secrets/session.jpg"), "not an uploads/<folder>/<file> reference"),
        (forged("uploads/wa-5e1f/../../handoff.jpg"), "not an uploads/<folder>/<file> reference"),
        (forged("/etc/passwd"), "not an uploads/<folder>/<file> reference"),
        (forged("/var/uploads/wa-5e1f/a.jpg"), "not an uploads/<folder>/<file> reference"),
        (forged("uploads\\wa-5e1f\\a.jpg"), "not an uploads/<folder>/<file> reference"),
        (forged("uploads/wa-5e1f/sub/a.jpg"), "not an uploads/<folder>/<file> reference"),
        (forged("uploads/wa-someone-else/a.jpg"), "not this conversation's folder"),
        (forged("uploads/wa-5e1f/a.html", content_type="text/html"), "not a type customers"),
        (forged("uploads/wa-5e1f/a.html"), "the extension does not match the type"),
        (forged("uploads/wa-5e1f/a.jpg", sha256="<script>"), "sha256: not a hex digest"),
        (
            forged("uploads/wa-5e1f/a.jpg", media_url="https://api.twilio.com/x/Media/ME1"),
            "media_url: not accepted",
        ),
        ({"kind": "image", "content_type": "image/jpeg"}, "path: missing"),
        (forged(42), "attachments[0].path: expected text"),  # type: ignore[arg-type]
        ("uploads/wa-5e1f/a.jpg", "attachments[0]: expected an object"),
    ],
)
async def test_a_forged_reference_is_refused_with_the_reason_and_nothing_is_stored(
    client: SanicClient, reference: Any, reason: str
) -> None:
    ticket_id = await open_case(client)
    before = (await case(client, ticket_id))["messages"]

    answer = await relay(client, "forged", [reference])

    assert answer.status_code == 400, answer.text
    assert reason in answer.json()["error"]
    assert (await case(client, ticket_id))["messages"] == before


async def test_another_conversations_kept_photo_is_refused(client: SanicClient) -> None:
    await open_case(client)
    theirs = store_bytes("wa-another-customer", JPEG, "image/jpeg")  # really there, not ours
    answer = await relay(client, "theirs", [theirs])
    assert answer.status_code == 400
    assert "not this conversation's folder" in answer.json()["error"]


async def test_more_references_than_a_message_can_carry_are_refused(client: SanicClient) -> None:
    await open_case(client)
    photo = store_bytes(CONVERSATION, JPEG, "image/jpeg")
    answer = await relay(client, "many", [photo] * 11)
    assert answer.status_code == 400 and "more than 10" in answer.json()["error"]


async def test_the_live_feed_shows_the_photo_as_it_arrives(
    service: HandoffService, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from contracts.packet import Attachment

    monkeypatch.setenv("BATON_VAR_DIR", str(tmp_path / "var"))
    await service.open_ticket(packet(CONVERSATION))
    logged_in = await service.login("demo", "demo-password")
    assert logged_in is not None
    _, agent = logged_in
    socket = FakeSocket()
    service.hub.add(socket, agent.id)
    photo = store_bytes(CONVERSATION, JPEG, "image/jpeg")

    await service.customer_message(
        CONVERSATION, "live-1", "[photo]", attachments=[Attachment(**photo)]
    )

    events = [json.loads(sent) for sent in socket.sent]
    [event] = [e for e in events if e["type"] == "message"]
    assert event["message"]["attachments"] == [photo]


async def test_the_rasa_servers_client_sends_what_the_route_keeps(
    client: SanicClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The outbox's forward (infra/handoff_client.py), its HTTP call bridged to the app: the
    connector's reference goes through the contract and lands in the case unchanged."""
    from infra.handoff_client import HandoffClient, HandoffUnavailable

    async def post(path: str, body: dict[str, Any]) -> dict[str, Any]:
        answer = await client.post(path, json=body, headers=SERVICE)
        if answer.status_code >= 300:
            raise HandoffUnavailable("refused", answer.status_code, answer.json().get("error"))
        return dict(answer.json())

    handoff = HandoffClient("http://handoff.invalid", token="service-token")
    monkeypatch.setattr(handoff, "_post", post)
    ticket_id = await open_case(client)
    photo = store_bytes(CONVERSATION, JPEG, "image/jpeg")

    await handoff.forward(CONVERSATION, "outbox-client", "[photo]", 1.0, attachments=[photo])
    with pytest.raises(HandoffUnavailable) as refused:
        theirs = store_bytes("wa-another-customer", JPEG, "image/jpeg")
        await handoff.forward(CONVERSATION, "outbox-theirs", "[photo]", 2.0, attachments=[theirs])

    assert refused.value.status == 400  # the outbox sets a 400 aside instead of retrying
    customer = [m for m in (await case(client, ticket_id))["messages"] if m["kind"] == "customer"]
    assert [m["attachments"] for m in customer] == [[photo]]

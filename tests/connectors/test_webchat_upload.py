"""A web chat customer sends a photo: ``POST /webhooks/webchat/upload`` on the channel's own
blueprint, through the app's ASGI interface (tests/support/asgi.py). What the customer is told
when it is refused, where the file ends up, and the message the conversation gets."""

from __future__ import annotations

import itertools
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from rasa.core.channels.channel import UserMessage
from sanic import Sanic

from connectors.attachments import PHOTO_ACK, PHOTO_TEXT
from connectors.identity import make_customer_token, new_session
from connectors.webchat import WebChatInput
from infra.uploads import resolve_reference
from tests.support.asgi import SanicClient

SECRET = "session-secret-for-tests"
CUSTOMER_SECRET = "customer-secret-for-tests"
URL = "/webhooks/webchat/upload"
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 200
PDF = b"%PDF-1.7\n" + b"0" * 100
_names = itertools.count()


class Upload:
    def __init__(self, client: SanicClient, messages: list[UserMessage], var: Path) -> None:
        self.client, self.messages, self.var = client, messages, var

    async def send(
        self,
        body: bytes,
        session_id: str | None,
        filename: str = "parcel.jpg",
        declared: str = "image/jpeg",
        customer_token: str = "",
    ) -> Any:
        data = {"customer_token": customer_token}
        if session_id is not None:
            data["session_id"] = session_id
        return await self.client.post(URL, data=data, files={"file": (filename, body, declared)})


@pytest.fixture
async def upload(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[Upload]:
    monkeypatch.setenv("BATON_VAR_DIR", str(tmp_path / "var"))
    messages: list[UserMessage] = []

    async def on_new_message(message: UserMessage) -> None:
        messages.append(message)

    channel = WebChatInput(SECRET, CUSTOMER_SECRET, upload_max_bytes=1024, upload_max_files=3)
    app = Sanic(f"webchat_upload_{next(_names)}")
    app.blueprint(channel.blueprint(on_new_message), url_prefix="/webhooks/webchat")
    async with SanicClient(app) as client:
        yield Upload(client, messages, tmp_path / "var")


def session(customer_id: str | None = None) -> tuple[str, str]:
    return new_session(SECRET, customer_id)


async def test_a_photo_is_kept_outside_the_web_root_and_said_in_the_conversation(
    upload: Upload,
) -> None:
    token, conversation = session()
    answer = await upload.send(JPEG, token)
    assert answer.status_code == 200, answer.text
    assert answer.json() == {
        "attachment": {"kind": "image", "content_type": "image/jpeg", "bytes": len(JPEG)},
        "reply": PHOTO_ACK,
    }
    [message] = upload.messages
    assert message.sender_id == conversation
    assert message.text == PHOTO_TEXT
    assert message.input_channel == "webchat"
    [reference] = message.metadata["attachments"]
    assert reference["path"].startswith(f"uploads/{conversation}/")
    assert reference["path"].endswith(".jpg")
    assert "parcel" not in reference["path"]  # a random name, not the customer's
    kept, content_type = resolve_reference(reference["path"]) or (None, None)
    assert kept is not None and kept.read_bytes() == JPEG
    assert content_type == "image/jpeg"
    assert kept.is_relative_to((upload.var / "uploads").resolve())
    assert not kept.is_relative_to(Path("connectors/static").resolve())


async def test_a_logged_in_customer_uploads_into_their_own_conversation(upload: Upload) -> None:
    token, conversation = session("42")
    customer = make_customer_token(42, CUSTOMER_SECRET)
    answer = await upload.send(PDF, token, "label.pdf", "application/pdf", customer)
    assert answer.status_code == 200, answer.text
    assert answer.json()["attachment"]["content_type"] == "application/pdf"
    assert upload.messages[0].sender_id == conversation
    assert upload.messages[0].metadata["customer_id"] == "42"


async def test_too_big_a_file_is_refused_with_the_reason(upload: Upload) -> None:
    token, _ = session()
    answer = await upload.send(JPEG + b"\x00" * 2048, token)
    assert answer.status_code == 413
    assert "too big" in answer.json()["error"]
    assert upload.messages == []


async def test_a_program_renamed_jpg_is_refused_whatever_it_declares(upload: Upload) -> None:
    token, conversation = session()
    answer = await upload.send(b"MZ\x90\x00\x03" + b"\x00" * 100, token, "parcel.jpg")
    assert answer.status_code == 415
    assert "JPEG, PNG or WebP" in answer.json()["error"]
    assert not (upload.var / "uploads" / conversation).exists()
    assert upload.messages == []


async def test_a_conversation_keeps_a_limited_number_of_files(upload: Upload) -> None:
    token, _ = session()
    for _ in range(3):
        assert (await upload.send(JPEG, token)).status_code == 200
    answer = await upload.send(JPEG, token)
    assert answer.status_code == 429
    assert "as many files" in answer.json()["error"]


async def test_no_session_is_401_and_a_forged_one_403(upload: Upload) -> None:
    answer = await upload.send(JPEG, None)
    assert answer.status_code == 401
    assert "reload the chat" in answer.json()["error"]
    token, conversation = session()
    forged = token[:-4] + ("0000" if not token.endswith("0000") else "1111")
    other_secret, _ = new_session("another-secret", conversation_id=conversation)
    for bad in (forged, other_secret, "0" * 32, conversation):
        answer = await upload.send(JPEG, bad)
        assert answer.status_code == 403, bad
        assert "no longer valid" in answer.json()["error"]
    assert upload.messages == []
    assert not (upload.var / "uploads").exists()


async def test_another_customers_token_cannot_upload_into_a_conversation(upload: Upload) -> None:
    token, _ = session("42")  # customer 42's conversation
    someone_else = make_customer_token(7, CUSTOMER_SECRET)
    assert (await upload.send(JPEG, token, customer_token=someone_else)).status_code == 403
    assert (await upload.send(JPEG, token)).status_code == 403  # logged out: not theirs either

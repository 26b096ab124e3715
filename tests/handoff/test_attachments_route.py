"""An agent opens a customer's photo from the console's transcript:
``GET /api/attachments/<folder>/<file>`` through the handoff app's ASGI interface."""

from __future__ import annotations

import itertools
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from actions.services import context
from handoff.app import create_app
from infra.uploads import store_bytes
from tests.handoff.conftest import make_settings
from tests.support.asgi import SanicClient

JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x01" * 64
PDF = b"%PDF-1.7\n" + b"0" * 64
_names = itertools.count()


@pytest.fixture
async def client(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[SanicClient]:
    monkeypatch.setenv("BATON_VAR_DIR", str(tmp_path / "var"))
    app = create_app(make_settings(tmp_path), name=f"handoff_attachments_{next(_names)}")
    async with SanicClient(app) as running:
        yield running


async def agent_cookies(client: SanicClient) -> dict[str, str]:
    login = await client.post("/api/login", json={"username": "demo", "password": "demo-password"})
    assert login.status_code == 200
    return {"baton_agent": login.cookies["baton_agent"]}


def url(reference: dict) -> str:
    return "/api/attachments/" + reference["path"].removeprefix("uploads/")


async def test_an_agent_who_is_not_logged_in_gets_401(client: SanicClient) -> None:
    reference = store_bytes("conv-1", JPEG, "image/jpeg")
    answer = await client.get(url(reference))
    assert answer.status_code == 401
    assert JPEG not in answer.content


async def test_a_logged_in_agent_sees_the_photo_with_its_type(client: SanicClient) -> None:
    reference = store_bytes("conv-1", JPEG, "image/jpeg")
    answer = await client.get(url(reference), cookies=await agent_cookies(client))
    assert answer.status_code == 200
    assert answer.content == JPEG
    assert answer.headers["content-type"] == "image/jpeg"
    assert answer.headers["x-content-type-options"] == "nosniff"
    assert answer.headers["content-disposition"].startswith("inline;")
    assert "sandbox" in answer.headers["content-security-policy"]


async def test_a_pdf_is_a_download(client: SanicClient) -> None:
    reference = store_bytes("conv-1", PDF, "application/pdf")
    answer = await client.get(url(reference), cookies=await agent_cookies(client))
    assert answer.status_code == 200
    assert answer.headers["content-type"] == "application/pdf"
    disposition = answer.headers["content-disposition"]
    assert disposition.startswith("attachment;") and disposition.endswith('.pdf"')


@pytest.mark.parametrize(
    "path",
    [
        "/api/attachments/%2e%2e/secrets/session.key",
        "/api/attachments/..%2F..%2Fsecrets/x.jpg",
        "/api/attachments/conv-1/..%2F..%2Fhandoff.db",
        "/api/attachments/conv-1/%2e%2e",
        "/api/attachments/conv-1/photo.jpg%00.png",
        "/api/attachments/conv-1/no-such-file.jpg",
        "/api/attachments/..%5C..%5Csecrets/x.jpg",
    ],
)
async def test_a_reference_outside_the_uploads_is_refused(client: SanicClient, path: str) -> None:
    store_bytes("conv-1", JPEG, "image/jpeg")
    answer = await client.get(path, cookies=await agent_cookies(client))
    assert answer.status_code in (400, 404), answer.text
    assert JPEG not in answer.content


async def test_a_symbolic_link_out_of_the_uploads_is_not_followed(
    client: SanicClient, tmp_path: Path
) -> None:
    secret = tmp_path / "handoff.db"
    secret.write_bytes(b"not for agents")
    folder = tmp_path / "var" / "uploads" / "conv-2"
    folder.mkdir(parents=True)
    (folder / "link.jpg").symlink_to(secret)
    answer = await client.get(
        "/api/attachments/conv-2/link.jpg", cookies=await agent_cookies(client)
    )
    assert answer.status_code == 404
    assert b"not for agents" not in answer.content


def test_the_packets_transcript_carries_the_references_and_nothing_else() -> None:
    events = [
        {
            "event": "user",
            "text": "[photo]",
            "timestamp": 1700000000,
            "metadata": {
                "channel": "webchat",
                "attachments": [
                    {
                        "kind": "image",
                        "content_type": "image/jpeg",
                        "bytes": 48213,
                        "sha256": "ab",
                        "path": "uploads/conv-1/abc.jpg",
                    },
                    "not a reference",
                ],
            },
        },
        {"event": "user", "text": "where is my parcel", "metadata": {"attachments": "junk"}},
    ]
    photo, words = context.transcript(events)
    assert photo["attachments"] == [
        {
            "kind": "image",
            "content_type": "image/jpeg",
            "path": "uploads/conv-1/abc.jpg",
            "bytes": 48213,
        }
    ]
    assert "attachments" not in words


@pytest.mark.parametrize(
    "reference",
    [
        None,
        42,
        "",
        "/etc/passwd",
        "uploads/../secrets/session.key",
        "uploads/conv-1/../../handoff.db",
        "uploads/conv-1/sub/photo.jpg",
        "uploads\\conv-1\\photo.jpg",
        "secrets/conv-1/photo.jpg",
        "uploads/conv-1/photo.jpg\x00.png",
        "uploads/conv-1/.jpg",
    ],
)
def test_an_untrusted_reference_resolves_to_nothing(
    reference: object, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from infra.uploads import resolve_reference

    monkeypatch.setenv("BATON_VAR_DIR", str(tmp_path / "var"))
    (tmp_path / "var" / "secrets").mkdir(parents=True)
    (tmp_path / "var" / "secrets" / "session.key").write_text("secret")
    store_bytes("conv-1", JPEG, "image/jpeg")
    assert resolve_reference(reference) is None

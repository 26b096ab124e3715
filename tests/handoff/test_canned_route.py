"""Canned replies over HTTP, through the handoff app's ASGI interface: every agent lists them
per language, only leads add, edit and archive them, and a reply that cannot be saved is
refused with the reason."""

from __future__ import annotations

import itertools
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from handoff.app import create_app
from handoff.canned import TRANSLATED
from handoff.settings import DEFAULT_CANNED_REPLIES
from tests.handoff.conftest import make_settings
from tests.support.asgi import SanicClient

_names = itertools.count()
URL = "/api/canned-replies"


@pytest.fixture
async def client(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[SanicClient]:
    monkeypatch.setenv("BATON_VAR_DIR", str(tmp_path / "var"))
    app = create_app(make_settings(tmp_path), name=f"handoff_canned_{next(_names)}")
    async with SanicClient(app) as running:
        await running.app.ctx.service.create_agent("ana", "Ana", "agent-password", "agent")
        yield running


async def cookies(client: SanicClient, lead: bool = True) -> dict[str, str]:
    """The demo agent is a lead; ``ana`` is an agent."""
    credentials = (
        {"username": "demo", "password": "demo-password"}
        if lead
        else {"username": "ana", "password": "agent-password"}
    )
    login = await client.post("/api/login", json=credentials)
    assert login.status_code == 200
    return {"baton_agent": login.cookies["baton_agent"]}


async def test_a_fresh_install_offers_the_built_in_replies_in_every_language(
    client: SanicClient,
) -> None:
    answer = await client.get(URL, cookies=await cookies(client, lead=False))

    assert answer.status_code == 200
    data = answer.json()
    assert sorted(data["by_language"]["en"]) == sorted(DEFAULT_CANNED_REPLIES)
    assert sorted(data["by_language"]["ko"]) == sorted(TRANSLATED["ko"])
    assert sorted(data["by_language"]["zh"]) == sorted(TRANSLATED["zh"])
    assert data["replies"] == data["by_language"]["en"]
    assert data["shop"] == "Lumen & Loom"
    assert data["can_edit"] is False
    assert {r["title"] for r in data["items"]} >= {"greeting", "refund"}


async def test_seeding_is_once_only(client: SanicClient) -> None:
    service = client.app.ctx.service
    assert await service.seed_canned_replies() == 0
    assert len(await service.canned_replies()) == 15


async def test_one_language_is_listed_on_its_own(client: SanicClient) -> None:
    answer = await client.get(URL + "?language=ko", cookies=await cookies(client, lead=False))

    assert answer.status_code == 200
    items = answer.json()["items"]
    assert len(items) == 5 and {r["language"] for r in items} == {"ko"}
    assert list(answer.json()["by_language"]) == ["ko"]


async def test_an_unknown_language_is_refused_when_listing(client: SanicClient) -> None:
    answer = await client.get(URL + "?language=fr", cookies=await cookies(client, lead=False))
    assert answer.status_code == 400
    assert "en, ko, zh" in answer.json()["error"]


async def test_nobody_logged_in_gets_401(client: SanicClient) -> None:
    assert (await client.get(URL)).status_code == 401
    assert (await client.post(URL, json={"language": "en"})).status_code == 401


async def test_a_lead_adds_edits_and_archives_a_reply(client: SanicClient) -> None:
    lead = await cookies(client)

    added = await client.post(
        URL,
        json={"language": "zh", "title": "tracking", "body": "您的订单 {order_number} 已发货。"},
        cookies=lead,
    )
    assert added.status_code == 201, added.text
    reply = added.json()["reply"]
    assert reply["created_by"] == reply["updated_by"] == "Sam"
    assert reply["archived"] is False

    edited = await client.patch(
        f"{URL}/{reply['id']}", json={"body": "订单 {order_number} 已发货。"}, cookies=lead
    )
    assert edited.status_code == 200
    assert edited.json()["reply"]["body"] == "订单 {order_number} 已发货。"
    zh = (await client.get(URL + "?language=zh", cookies=lead)).json()
    assert "订单 {order_number} 已发货。" in zh["by_language"]["zh"]

    archived = await client.patch(f"{URL}/{reply['id']}", json={"archived": True}, cookies=lead)
    assert archived.status_code == 200 and archived.json()["reply"]["archived"] is True
    in_use = (await client.get(URL + "?language=zh", cookies=lead)).json()
    assert reply["id"] not in {r["id"] for r in in_use["items"]}
    everything = (await client.get(URL + "?language=zh&archived=true", cookies=lead)).json()
    assert reply["id"] in {r["id"] for r in everything["items"]}


async def test_an_agent_cannot_change_the_replies(client: SanicClient) -> None:
    agent = await cookies(client, lead=False)
    some_id = (await client.get(URL, cookies=agent)).json()["items"][0]["id"]

    added = await client.post(
        URL, json={"language": "en", "title": "x", "body": "Hello"}, cookies=agent
    )
    edited = await client.patch(f"{URL}/{some_id}", json={"archived": True}, cookies=agent)
    archived_list = await client.get(URL + "?archived=true", cookies=agent)

    assert added.status_code == edited.status_code == archived_list.status_code == 403
    assert "leads" in added.json()["error"]
    assert len((await client.get(URL, cookies=agent)).json()["items"]) == 15


@pytest.mark.parametrize(
    ("reply", "reason"),
    [
        ({"language": "en", "title": "empty", "body": "   "}, "empty"),
        ({"language": "en", "title": "long", "body": "x" * 2001}, "2000"),
        ({"language": "fr", "title": "bonjour", "body": "Bonjour"}, "en, ko, zh"),
        ({"language": "en", "title": "", "body": "Hello"}, "title"),
        ({"language": "en", "title": "typo", "body": "Hi {frist_name}!"}, "{frist_name}"),
    ],
)
async def test_a_reply_that_cannot_be_saved_is_refused_with_the_reason(
    client: SanicClient, reply: dict[str, str], reason: str
) -> None:
    lead = await cookies(client)

    answer = await client.post(URL, json=reply, cookies=lead)

    assert answer.status_code == 400
    assert reason in answer.json()["error"]
    assert len((await client.get(URL, cookies=lead)).json()["items"]) == 15


async def test_an_edit_is_validated_too_and_an_unknown_reply_is_404(client: SanicClient) -> None:
    lead = await cookies(client)
    some_id = (await client.get(URL, cookies=lead)).json()["items"][0]["id"]

    typo = await client.patch(f"{URL}/{some_id}", json={"body": "{shopp}"}, cookies=lead)
    missing = await client.patch(f"{URL}/999999", json={"archived": True}, cookies=lead)
    nothing = await client.patch(f"{URL}/{some_id}", json={}, cookies=lead)

    assert typo.status_code == 400 and "{shopp}" in typo.json()["error"]
    assert missing.status_code == 404
    assert nothing.status_code == 400

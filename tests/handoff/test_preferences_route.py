"""An agent's console preferences over HTTP, through the handoff app's ASGI interface: read
with ``/api/me`` and ``/api/me/preferences``, changed with ``PUT``, kept across logins, refused
with the reason when invalid, and one agent's never touch another's."""

from __future__ import annotations

import itertools
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from handoff.app import create_app
from tests.handoff.conftest import make_settings
from tests.support.asgi import SanicClient

_names = itertools.count()
URL = "/api/me/preferences"


@pytest.fixture
async def client(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[SanicClient]:
    monkeypatch.setenv("BATON_VAR_DIR", str(tmp_path / "var"))
    app = create_app(make_settings(tmp_path), name=f"handoff_prefs_{next(_names)}")
    async with SanicClient(app) as running:
        await running.app.ctx.service.create_agent("ana", "Ana", "agent-password", "agent")
        yield running


async def log_in(client: SanicClient, ana: bool = True) -> dict[str, str]:
    credentials = (
        {"username": "ana", "password": "agent-password"}
        if ana
        else {"username": "demo", "password": "demo-password"}
    )
    login = await client.post("/api/login", json=credentials)
    assert login.status_code == 200
    client.http.cookies.clear()  # each request names its agent: no cookie kept in between
    return {"baton_agent": login.cookies["baton_agent"]}


async def test_a_new_agent_has_the_defaults_in_me_and_in_preferences(client: SanicClient) -> None:
    cookies = await log_in(client)

    me = await client.get("/api/me", cookies=cookies)
    own = await client.get(URL, cookies=cookies)

    defaults = {"language": None, "notifications": False, "sound": True}
    assert me.status_code == 200 and me.json()["preferences"] == defaults
    assert me.json()["agent"]["username"] == "ana"
    assert own.status_code == 200 and own.json()["preferences"] == defaults


async def test_a_change_is_kept_and_shown_at_the_next_login(client: SanicClient) -> None:
    cookies = await log_in(client)

    saved = await client.put(URL, json={"language": "ko", "notifications": True}, cookies=cookies)
    await client.post("/api/logout", json={}, cookies=cookies)
    login = await client.post("/api/login", json={"username": "ana", "password": "agent-password"})
    client.http.cookies.clear()
    again = {"baton_agent": login.cookies["baton_agent"]}
    me = await client.get("/api/me", cookies=again)

    expected = {"language": "ko", "notifications": True, "sound": True}
    assert saved.status_code == 200 and saved.json()["preferences"] == expected
    assert login.json()["preferences"] == expected
    assert me.json()["preferences"] == expected


async def test_a_partial_change_leaves_the_other_fields_alone(client: SanicClient) -> None:
    cookies = await log_in(client)
    await client.put(URL, json={"language": "zh", "notifications": True}, cookies=cookies)

    saved = await client.put(URL, json={"sound": False}, cookies=cookies)
    back = await client.put(URL, json={"language": None}, cookies=cookies)

    assert saved.json()["preferences"] == {"language": "zh", "notifications": True, "sound": False}
    assert back.json()["preferences"] == {"language": None, "notifications": True, "sound": False}


async def test_another_agents_preferences_are_unaffected(client: SanicClient) -> None:
    ana = await log_in(client)
    demo = await log_in(client, ana=False)

    await client.put(URL, json={"language": "ko", "sound": False}, cookies=ana)
    theirs = await client.get(URL, cookies=demo)
    mine = await client.get(URL, cookies=ana)

    assert theirs.json()["preferences"] == {"language": None, "notifications": False, "sound": True}
    assert mine.json()["preferences"]["language"] == "ko"


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        ({"language": "fr"}, "language is one of en, ko, zh"),
        ({"notifications": "on"}, "notifications is true or false"),
        ({"colour": "blue"}, "unknown preference colour"),
        ([1, 2], "send the preferences as a JSON object"),
    ],
)
async def test_an_invalid_change_is_refused_with_the_reason_and_saves_nothing(
    client: SanicClient, body: object, reason: str
) -> None:
    cookies = await log_in(client)
    await client.put(URL, json={"language": "ko"}, cookies=cookies)

    refused = await client.put(
        URL, json={**body, "sound": False} if isinstance(body, dict) else body, cookies=cookies
    )
    after = await client.get(URL, cookies=cookies)

    assert refused.status_code == 400
    assert reason in refused.json()["error"]
    assert after.json()["preferences"] == {"language": "ko", "notifications": False, "sound": True}


async def test_preferences_need_a_login(client: SanicClient) -> None:
    assert (await client.get(URL)).status_code == 401
    assert (await client.put(URL, json={"language": "ko"})).status_code == 401

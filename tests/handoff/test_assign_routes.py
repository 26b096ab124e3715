"""Releasing and transferring cases, teams and routing rules over HTTP, through the handoff
app's ASGI interface: who may do what, and what a refused request is told."""

from __future__ import annotations

import itertools
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from handoff.app import create_app
from tests.handoff.conftest import make_settings, packet
from tests.support.asgi import SanicClient

SERVICE = {"Authorization": "Bearer service-token"}
PASSWORD = "agent-password"
_names = itertools.count()


@pytest.fixture
async def client(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[SanicClient]:
    monkeypatch.setenv("BATON_VAR_DIR", str(tmp_path / "var"))
    app = create_app(make_settings(tmp_path), name=f"handoff_assign_{next(_names)}")
    async with SanicClient(app) as running:
        service = running.app.ctx.service
        await service.create_agent("ann", "Ann", PASSWORD, "agent")
        await service.create_agent("bo", "Bo", PASSWORD, "agent")
        yield running


async def login(client: SanicClient, username: str) -> dict[str, str]:
    """``demo`` (Sam) is a lead; ``ann`` and ``bo`` are agents."""
    password = "demo-password" if username == "demo" else PASSWORD
    answer = await client.post("/api/login", json={"username": username, "password": password})
    assert answer.status_code == 200
    client.http.cookies.clear()  # each request says who it is: several agents in one test
    return {"baton_agent": answer.cookies["baton_agent"]}


async def agent_id(client: SanicClient, cookies: dict[str, str]) -> int:
    return int((await client.get("/api/me", cookies=cookies)).json()["agent"]["id"])


async def open_case(client: SanicClient, conversation: str = "conv-a", **extra: Any) -> int:
    answer = await client.post(
        "/api/bot/tickets", json=packet(conversation, **extra), headers=SERVICE
    )
    assert answer.status_code == 200, answer.text
    return int(answer.json()["ticket_id"])


async def timeline(client: SanicClient, ticket_id: int, cookies: dict[str, str]) -> list[str]:
    detail = (await client.get(f"/api/tickets/{ticket_id}", cookies=cookies)).json()
    return [m["text"] for m in detail["messages"] if m["kind"] == "system"]


async def queue_ids(client: SanicClient, cookies: dict[str, str], scope: str) -> list[int]:
    answer = await client.get(f"/api/tickets?scope={scope}", cookies=cookies)
    assert answer.status_code == 200, answer.text
    return [t["id"] for t in answer.json()["tickets"]]


async def add_team(client: SanicClient, name: str, members: list[int]) -> int:
    lead = await login(client, "demo")
    made = await client.post("/api/teams", json={"name": name}, cookies=lead)
    assert made.status_code == 201, made.text
    team = made.json()["team"]["id"]
    set_members = await client.patch(
        f"/api/teams/{team}", json={"member_ids": members}, cookies=lead
    )
    assert set_members.status_code == 200, set_members.text
    return int(team)


async def test_the_owner_transfers_a_case_to_another_agent_with_a_reason(
    client: SanicClient,
) -> None:
    ann, bo = await login(client, "ann"), await login(client, "bo")
    case = await open_case(client)
    assert (
        await client.post(f"/api/tickets/{case}/claim", json={}, cookies=ann)
    ).status_code == 200

    moved = await client.post(
        f"/api/tickets/{case}/transfer",
        json={"agent_id": await agent_id(client, bo), "reason": "customer speaks Korean"},
        cookies=ann,
    )

    assert moved.status_code == 200, moved.text
    assert moved.json()["claimed_by_name"] == "Bo" and moved.json()["status"] == "active"
    assert "Ann transferred this case to Bo: customer speaks Korean" in await timeline(
        client, case, bo
    )
    assert await queue_ids(client, bo, "mine") == [case]
    assert await queue_ids(client, ann, "mine") == []


async def test_another_agent_cannot_release_a_claimed_case_but_a_lead_can(
    client: SanicClient,
) -> None:
    ann, bo, lead = (
        await login(client, "ann"),
        await login(client, "bo"),
        await login(client, "demo"),
    )
    case = await open_case(client)
    await client.post(f"/api/tickets/{case}/claim", json={}, cookies=ann)

    refused = await client.post(
        f"/api/tickets/{case}/release", json={"reason": "mine now"}, cookies=bo
    )
    released = await client.post(
        f"/api/tickets/{case}/release", json={"reason": "Ann is off sick"}, cookies=lead
    )

    assert refused.status_code == 409
    assert refused.json()["error"] == "Ann has claimed this case: only Ann or a lead may release it"
    assert released.status_code == 200
    assert released.json()["status"] == "waiting" and released.json()["claimed_by"] is None
    lines = await timeline(client, case, ann)
    assert lines[-2:] == ["Claimed by Ann", "Sam released this case to the queue: Ann is off sick"]
    again = await client.post(f"/api/tickets/{case}/release", json={}, cookies=lead)
    assert again.status_code == 409
    assert again.json()["error"] == "nobody has claimed this case: it is already in the queue"


async def test_a_transfer_to_a_team_leaves_the_case_unclaimed_in_that_teams_queue(
    client: SanicClient,
) -> None:
    ann, bo = await login(client, "ann"), await login(client, "bo")
    korean = await add_team(client, "Korean", [await agent_id(client, bo)])
    case = await open_case(client)
    await client.post(f"/api/tickets/{case}/claim", json={}, cookies=ann)

    moved = await client.post(
        f"/api/tickets/{case}/transfer",
        json={"team_id": korean, "reason": "Korean speaker"},
        cookies=ann,
    )

    assert moved.status_code == 200, moved.text
    summary = moved.json()
    assert (summary["status"], summary["claimed_by"], summary["team_name"]) == (
        "waiting",
        None,
        "Korean",
    )
    assert "Ann transferred this case to the Korean team: Korean speaker" in await timeline(
        client, case, ann
    )
    assert case in await queue_ids(client, bo, "teams")
    assert case not in await queue_ids(client, ann, "teams")
    assert case in await queue_ids(client, ann, "all")
    twice = await client.post(
        f"/api/tickets/{case}/transfer", json={"team_id": korean}, cookies=ann
    )
    assert twice.status_code == 409 and "already in the Korean queue" in twice.json()["error"]


@pytest.mark.parametrize(
    ("body", "status", "reason"),
    [
        ({"agent_id": 999}, 404, "no such agent"),
        ({"team_id": 999}, 404, "no such team"),
        ({}, 400, "send either agent_id or team_id: whom to transfer it to"),
        (
            {"agent_id": 1, "team_id": 1},
            400,
            "send either agent_id or team_id: whom to transfer it to",
        ),
        ({"agent_id": "bo"}, 400, "agent_id is a number"),
        ({"agent_id": 1, "reason": ["x"]}, 400, "reason is text"),
    ],
)
async def test_a_transfer_that_cannot_be_done_is_refused_with_the_reason(
    client: SanicClient, body: dict[str, Any], status: int, reason: str
) -> None:
    ann = await login(client, "ann")
    case = await open_case(client)

    answer = await client.post(f"/api/tickets/{case}/transfer", json=body, cookies=ann)

    assert answer.status_code == status
    assert answer.json() == {"error": reason}


async def test_a_closed_or_unknown_case_cannot_be_handed_on(client: SanicClient) -> None:
    ann, bo = await login(client, "ann"), await login(client, "bo")
    case = await open_case(client)
    await client.post(f"/api/tickets/{case}/close", json={}, cookies=ann)

    closed = await client.post(
        f"/api/tickets/{case}/transfer", json={"agent_id": await agent_id(client, bo)}, cookies=ann
    )
    unknown = await client.post("/api/tickets/4242/release", json={}, cookies=ann)

    assert closed.status_code == 409 and closed.json() == {"error": "this handoff is closed"}
    assert unknown.status_code == 404 and unknown.json() == {"error": "no such handoff"}


async def test_only_leads_change_teams_and_rules(client: SanicClient) -> None:
    ann = await login(client, "ann")
    team = await add_team(client, "returns", [])

    writes = [
        await client.post("/api/teams", json={"name": "x"}, cookies=ann),
        await client.patch(f"/api/teams/{team}", json={"name": "y"}, cookies=ann),
        await client.put("/api/routing-rules", json={"rules": []}, cookies=ann),
    ]
    listed = await client.get("/api/teams", cookies=ann)

    assert [w.status_code for w in writes] == [403, 403, 403]
    assert writes[0].json()["error"] == "only leads add teams; ask a lead"
    assert listed.status_code == 200
    assert [t["name"] for t in listed.json()["teams"]] == ["returns"]
    assert listed.json()["can_edit"] is False
    assert {a["display_name"] for a in listed.json()["agents"]} == {"Ann", "Bo", "Sam"}


async def test_a_lead_renames_archives_and_staffs_a_team(client: SanicClient) -> None:
    lead, ann, bo = (
        await login(client, "demo"),
        await login(client, "ann"),
        await login(client, "bo"),
    )
    team = await add_team(client, "returns", [await agent_id(client, ann)])
    other = await add_team(client, "Korean", [])

    renamed = await client.patch(f"/api/teams/{team}", json={"name": "Returns desk"}, cookies=lead)
    clash = await client.patch(f"/api/teams/{other}", json={"name": "returns DESK"}, cookies=lead)
    empty = await client.post("/api/teams", json={"name": "  "}, cookies=lead)
    stranger = await client.patch(f"/api/teams/{team}", json={"member_ids": [999]}, cookies=lead)
    archived = await client.patch(f"/api/teams/{team}", json={"archived": True}, cookies=lead)
    case = await open_case(client)
    to_archived = await client.post(
        f"/api/tickets/{case}/transfer", json={"team_id": team}, cookies=bo
    )
    missing = await client.patch("/api/teams/999", json={"name": "z"}, cookies=lead)

    assert renamed.status_code == 200 and renamed.json()["team"]["name"] == "Returns desk"
    assert (
        clash.status_code == 409
        and clash.json()["error"] == "there is already a team called returns DESK"
    )
    assert empty.status_code == 400 and empty.json()["error"] == "a team needs a name"
    assert stranger.status_code == 400 and stranger.json()["error"] == "no such agent: 999"
    assert archived.status_code == 200 and archived.json()["team"]["archived"] is True
    assert to_archived.status_code == 409
    assert to_archived.json()["error"] == "the Returns desk team is archived: it takes no cases"
    assert missing.status_code == 404 and missing.json() == {"error": "no such team"}
    mine = [t for t in (await client.get("/api/teams", cookies=ann)).json()["teams"] if t["mine"]]
    assert [t["name"] for t in mine] == ["Returns desk"]


async def test_routing_rules_put_a_new_case_in_the_first_matching_team(client: SanicClient) -> None:
    lead = await login(client, "demo")
    korean = await add_team(client, "Korean", [])
    complaints = await add_team(client, "complaints", [])
    bad = await client.put(
        "/api/routing-rules", json={"rules": [{"team_id": korean}]}, cookies=lead
    )
    saved = await client.put(
        "/api/routing-rules",
        json={
            "rules": [
                {"language": "ko", "team_id": korean},
                {"topic": "complaint", "team_id": complaints},
            ]
        },
        cookies=lead,
    )

    korean_case = await open_case(
        client, "conv-ko", language={"code": "ko", "name": "Korean"}, reason={"code": "complaint"}
    )
    angry_case = await open_case(client, "conv-en", reason={"code": "complaint"})
    plain_case = await open_case(client, "conv-plain")

    assert (
        bad.status_code == 400 and bad.json()["error"] == "rule 1 needs a language, a topic or both"
    )
    assert saved.status_code == 200 and len(saved.json()["rules"]) == 2
    listed = {
        t["id"]: t for t in (await client.get("/api/tickets", cookies=lead)).json()["tickets"]
    }
    assert listed[korean_case]["team_name"] == "Korean"
    assert listed[angry_case]["team_name"] == "complaints"
    assert listed[plain_case]["team_id"] is None
    assert "Routed to the Korean team by the routing rules" in await timeline(
        client, korean_case, lead
    )
    rules = (await client.get("/api/teams", cookies=lead)).json()["rules"]
    assert [(r["language"], r["topic"], r["team_name"]) for r in rules] == [
        ("ko", None, "Korean"),
        (None, "complaint", "complaints"),
    ]


async def test_the_queue_says_whether_a_case_waits_too_long(client: SanicClient) -> None:
    ann = await login(client, "ann")
    case = await open_case(client)

    listed = (await client.get("/api/tickets", cookies=ann)).json()["tickets"]
    detail = (await client.get(f"/api/tickets/{case}", cookies=ann)).json()

    assert listed[0]["waiting_too_long"] is False  # just handed off; the alert is at 300 s
    assert listed[0]["waiting_alert_seconds"] == 300
    assert detail["waiting_since"] == listed[0]["waiting_since"] is not None
    bad_scope = await client.get("/api/tickets?scope=others", cookies=ann)
    assert (
        bad_scope.status_code == 400
        and bad_scope.json()["error"] == "scope is one of all, mine, teams"
    )


async def test_a_lead_takes_over_a_colleagues_case(client: SanicClient) -> None:
    ann, lead = await login(client, "ann"), await login(client, "demo")
    case = await open_case(client)
    await client.post(f"/api/tickets/{case}/claim", json={}, cookies=ann)

    taken = await client.post(
        f"/api/tickets/{case}/transfer",
        json={"agent_id": await agent_id(client, lead), "reason": "Ann's shift ended"},
        cookies=lead,
    )

    assert taken.status_code == 200 and taken.json()["claimed_by_name"] == "Sam"
    assert (await timeline(client, case, lead))[-1] == "Sam took this case over: Ann's shift ended"

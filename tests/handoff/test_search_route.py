"""The console's search over HTTP, through the handoff app's ASGI interface: a case is found by
its order number, e-mail, phone, customer name and the words of its messages, open or closed,
20 a page; a typed ``%`` is a literal character; a search that cannot run says why; only a
console login may search; and a customer's cases are listed across channels."""

from __future__ import annotations

import itertools
import logging
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from handoff.app import create_app
from handoff.services import HandoffService
from tests.handoff.conftest import make_settings, packet
from tests.support.asgi import SanicClient

_names = itertools.count()


@pytest.fixture
def handoff_url(tmp_path: Path) -> str:
    """SQLite here; tests/prod/test_search_postgres.py runs these tests on PostgreSQL."""
    return f"sqlite:///{tmp_path / 'handoff.db'}"


@pytest.fixture
async def client(
    tmp_path: Path, handoff_url: str, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[SanicClient]:
    monkeypatch.setenv("BATON_VAR_DIR", str(tmp_path / "var"))
    settings = make_settings(tmp_path, database_url=handoff_url, metrics_token="bi-token")
    app = create_app(settings, name=f"handoff_search_{next(_names)}")
    async with SanicClient(app) as running:
        await running.app.ctx.service.create_agent("ana", "Ana", "agent-password", "agent")
        yield running


def service_of(client: SanicClient) -> HandoffService:
    return client.app.ctx.service


async def login(client: SanicClient, lead: bool = False) -> dict[str, str]:
    credentials = (
        {"username": "demo", "password": "demo-password"}
        if lead
        else {"username": "ana", "password": "agent-password"}
    )
    answer = await client.post("/api/login", json=credentials)
    assert answer.status_code == 200
    return {"baton_agent": answer.cookies["baton_agent"]}


def jane(conversation_id: str = "web-jane", channel: str = "webchat", **extra: Any) -> dict:
    base = packet(conversation_id)
    base["conversation"] = {"id": conversation_id, "channel": channel}
    base["customer"] = {
        "id": "7",
        "name": "Jane Doe",
        "email": "Jane.Doe@Example.com",
        "phone": "+44 7700 900123",
    }
    base["orders"] = [{"number": "#10023", "verified": True}]
    return {**base, **extra}


def other(conversation_id: str, name: str = "Omar Ali", number: str = "55501") -> dict:
    base = packet(conversation_id)
    base["customer"] = {"id": f"c-{conversation_id}", "name": name, "email": "omar@shop.test"}
    base["orders"] = [{"number": number}]
    return base


async def search(client: SanicClient, cookies: dict[str, str], q: str, **params: str) -> Any:
    return await client.get("/api/search", params={"q": q, **params}, cookies=cookies)


async def found_ids(client: SanicClient, cookies: dict[str, str], q: str) -> list[int]:
    answer = await search(client, cookies, q)
    assert answer.status_code == 200, answer.text
    return [case["id"] for case in answer.json()["cases"]]


@pytest.mark.parametrize(
    ("query", "key"),
    [
        ("10023", "order"),
        ("#10023", "order"),
        ("jane.doe@example.com", "email"),
        ("JANE.DOE@EXAMPLE.COM", "email"),
        ("+44 7700 900123", "phone"),
        ("07700 900123", "phone"),
        ("0044-7700-900123", "phone"),
        ("jane doe", "name"),
        ("parcel never arrived", "text"),
    ],
)
async def test_each_key_finds_the_case(client: SanicClient, query: str, key: str) -> None:
    service = service_of(client)
    ticket = (await service.open_ticket(jane()))["ticket_id"]
    await service.open_ticket(other("web-omar"))
    await service.customer_message("web-jane", "k1", "My parcel never arrived, it's been weeks")

    answer = await search(client, await login(client), query)

    assert answer.status_code == 200
    cases = answer.json()["cases"]
    assert [c["id"] for c in cases] == [ticket]
    assert key in cases[0]["matched"]
    assert cases[0]["customer_name"] == "Jane Doe"


async def test_a_text_hit_shows_the_words_around_the_match(client: SanicClient) -> None:
    service = service_of(client)
    await service.open_ticket(jane())
    await service.customer_message("web-jane", "k1", "Hello. My parcel never arrived at all.")

    case = (await search(client, await login(client), "never arrived")).json()["cases"][0]

    assert case["matched"] == ["text"]
    assert case["snippet"] == {"kind": "customer", "text": "Hello. My parcel never arrived at all."}


async def test_a_closed_case_is_found_and_says_it_is_closed(client: SanicClient) -> None:
    service = service_of(client)
    ticket = (await service.open_ticket(jane()))["ticket_id"]
    agent = await service.slack_agent("U1", "Sam")
    await service.claim(ticket, agent)
    await service.close(ticket, agent)

    case = (await search(client, await login(client), "#10023")).json()["cases"][0]

    assert (case["id"], case["status"]) == (ticket, "closed")
    assert case["closed_at"] is not None


async def test_a_percent_sign_or_underscore_is_a_literal_character(client: SanicClient) -> None:
    service = service_of(client)
    await service.open_ticket(jane())
    await service.open_ticket(other("web-omar"))
    discount = (await service.open_ticket(other("web-pct", name="Vera Lin")))["ticket_id"]
    await service.customer_message("web-pct", "k2", "Was the 20% off applied?")
    cookies = await login(client)

    assert await found_ids(client, cookies, "%%") == []
    assert await found_ids(client, cookies, "__") == []
    assert await found_ids(client, cookies, "20%") == [discount]


async def test_twenty_a_page_newest_first_with_has_more(client: SanicClient) -> None:
    service = service_of(client)
    opened = []
    for n in range(23):
        opened.append(
            (await service.open_ticket(other(f"web-{n}", number=f"7{n:03d}")))["ticket_id"]
        )
    cookies = await login(client)

    first = (await search(client, cookies, "omar@shop.test")).json()
    second = (await search(client, cookies, "omar@shop.test", page="2")).json()

    assert [c["id"] for c in first["cases"]] == opened[::-1][:20]
    assert first["has_more"] is True and first["page_size"] == 20
    assert [c["id"] for c in second["cases"]] == opened[::-1][20:]
    assert second["has_more"] is False


async def test_the_first_page_lists_the_customers_found_with_their_channels(
    client: SanicClient,
) -> None:
    service = service_of(client)
    await service.open_ticket(jane())
    await service.open_ticket(jane("wa-jane", channel="whatsapp"))

    customers = (await search(client, await login(client), "jane")).json()["customers"]

    assert customers == [
        {
            "customer_id": "7",
            "name": "Jane Doe",
            "cases": 2,
            "last_case_at": customers[0]["last_case_at"],
            "channels": ["webchat", "whatsapp"],
        }
    ]


async def test_a_customers_cases_come_from_every_channel(client: SanicClient) -> None:
    service = service_of(client)
    web = (await service.open_ticket(jane()))["ticket_id"]
    agent = await service.slack_agent("U1", "Sam")
    await service.claim(web, agent)
    await service.close(web, agent)
    whatsapp = (await service.open_ticket(jane("wa-jane", channel="whatsapp")))["ticket_id"]
    await service.open_ticket(other("web-omar"))

    answer = await client.get("/api/customers/7/cases", cookies=await login(client))

    assert answer.status_code == 200
    data = answer.json()
    assert data["name"] == "Jane Doe"
    assert data["channels"] == ["webchat", "whatsapp"]
    assert [(c["id"], c["channel"], c["status"]) for c in data["cases"]] == [
        (whatsapp, "whatsapp", "waiting"),
        (web, "webchat", "closed"),
    ]
    assert all(c["reason_text"] and c["created_at"] for c in data["cases"])


async def test_private_notes_are_searched_for_agents_and_leads(client: SanicClient) -> None:
    service = service_of(client)
    ticket = (await service.open_ticket(jane()))["ticket_id"]
    agent = await service.slack_agent("U1", "Sam")
    await service.claim(ticket, agent)
    await service.note(ticket, agent, "Suspected fraud, check with finance")

    for lead in (False, True):
        case = (await search(client, await login(client, lead), "fraud")).json()["cases"][0]
        assert case["snippet"]["kind"] == "note"


async def test_system_lines_are_not_searched(client: SanicClient) -> None:
    await service_of(client).open_ticket(jane())

    assert await found_ids(client, await login(client), "handed off") == []


async def test_only_a_console_login_may_search(client: SanicClient) -> None:
    await service_of(client).open_ticket(jane())

    nobody = await client.get("/api/search", params={"q": "10023"})
    bot = await client.get(
        "/api/search", params={"q": "10023"}, headers={"Authorization": "Bearer service-token"}
    )
    bi_tool = await client.get(
        "/api/search", params={"q": "10023"}, headers={"Authorization": "Bearer bi-token"}
    )
    history = await client.get("/api/customers/7/cases")

    assert [r.status_code for r in (nobody, bot, bi_tool, history)] == [401, 401, 401, 401]


@pytest.mark.parametrize(
    ("params", "reason"),
    [
        ({}, "type what to search for"),
        ({"q": "   "}, "type what to search for"),
        ({"q": "a"}, "at least 2 characters"),
        ({"q": "x" * 101}, "at most 100 characters"),
        ({"q": "jane", "page": "two"}, "page is a whole number"),
        ({"q": "jane", "page": "0"}, "page is a whole number"),
        ({"q": "jane", "page": "51"}, "page is a whole number"),
        ({"q": "a|b"}, "cannot contain '|'"),
    ],
)
async def test_a_search_that_cannot_run_says_why(
    client: SanicClient, params: dict[str, str], reason: str
) -> None:
    answer = await client.get("/api/search", params=params, cookies=await login(client))

    assert answer.status_code == 400
    assert reason in answer.json()["error"]


async def test_a_customer_id_too_long_or_a_bad_page_is_refused(client: SanicClient) -> None:
    cookies = await login(client)

    too_long = await client.get(f"/api/customers/{'9' * 41}/cases", cookies=cookies)
    bad_page = await client.get("/api/customers/7/cases", params={"page": "x"}, cookies=cookies)

    assert too_long.status_code == 400 and "customer id" in too_long.json()["error"]
    assert bad_page.status_code == 400 and "page" in bad_page.json()["error"]


async def test_the_console_page_loads_the_search_script(client: SanicClient) -> None:
    page = await client.get("/")
    script = await client.get("/console/search.js")

    assert '<script src="/console/search.js" defer></script>' in page.text
    assert 'id="search-q"' in page.text and 'id="search-panel"' in page.text
    assert script.status_code == 200
    assert script.headers["content-type"].startswith("application/javascript")
    assert "/api/search?q=" in script.text


async def test_what_an_agent_searches_for_is_not_logged(
    client: SanicClient, caplog: pytest.LogCaptureFixture
) -> None:
    await service_of(client).open_ticket(jane())

    # INFO, the level the service logs at (below it, the database driver echoes every query).
    with caplog.at_level(logging.INFO):
        cookies = await login(client)
        for query in ("jane.doe@example.com", "+44 7700 900123", "no such thing"):
            assert (await search(client, cookies, query)).status_code == 200
        assert (await client.get("/api/customers/7/cases", cookies=cookies)).status_code == 200

    # The test's own HTTP client logs its URLs; the service must not.
    service_lines = " ".join(
        r.getMessage().lower()
        for r in caplog.records
        if not r.name.startswith(("httpx", "httpcore"))
    )
    assert "logged in" in service_lines  # what the service logs is captured
    assert "jane.doe" not in service_lines
    assert "7700" not in service_lines and "no+such" not in service_lines
    assert "no such thing" not in service_lines


async def test_an_erased_customer_is_not_found_any_more(client: SanicClient) -> None:
    from infra.erasure_places import erase_handoff

    service = service_of(client)
    await service.open_ticket(jane())
    await service.open_ticket(jane("wa-jane", channel="whatsapp"))
    cookies = await login(client)
    assert len(await found_ids(client, cookies, "jane.doe@example.com")) == 2

    await erase_handoff(service.engine, {"web-jane"}, 7)

    for query in ("jane.doe@example.com", "07700 900123", "#10023", "Jane"):
        assert await found_ids(client, cookies, query) == []
    assert (await client.get("/api/customers/7/cases", cookies=cookies)).json()["cases"] == []

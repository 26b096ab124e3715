"""``GET /api/metrics`` on a running handoff service: who may read it, what bad input gets,
and that it answers the same figures as the library over the same databases."""

from __future__ import annotations

from datetime import timedelta

from analytics.cut import parse_cut, today_utc
from analytics.service import metrics_for
from tests.analytics.conftest import AGENT_PASSWORD, BI_TOKEN, LEAD_PASSWORD, Service


def test_nobody_reads_the_figures_without_a_login(analytics_service: Service) -> None:
    status, _, headers = analytics_service.get("/api/metrics")
    assert status == 401 and headers.get("www-authenticate") == "Bearer"
    status, _, _ = analytics_service.get("/api/metrics", token="not-the-token")
    assert status == 401


def test_an_agent_without_the_lead_role_is_refused(analytics_service: Service) -> None:
    token = analytics_service.login("pat", AGENT_PASSWORD)
    status, body, _ = analytics_service.get("/api/metrics", token=token)
    assert status == 403
    assert "leads" in body["error"]
    status, me, _ = analytics_service.get("/api/me", token=token)
    assert me["agent"]["role"] == "agent"


def test_a_lead_and_a_bi_tool_read_the_same_figures(analytics_service: Service) -> None:
    lead = analytics_service.login("demo", LEAD_PASSWORD)
    status, as_lead, _ = analytics_service.get("/api/metrics?channel=slack", token=lead)
    assert status == 200
    status, as_tool, _ = analytics_service.get("/api/metrics?channel=slack", token=BI_TOKEN)
    assert status == 200
    for answer in (as_lead, as_tool):
        answer.pop("generated_at")
    assert as_lead == as_tool
    assert as_lead["range"]["channel"] == "slack"


def test_the_api_answers_what_the_library_computes(analytics_service: Service) -> None:
    end = today_utc() - timedelta(days=1)
    start = end - timedelta(days=13)
    query = f"from={start}&to={end}&language=en"
    status, answer, _ = analytics_service.get(f"/api/metrics?{query}", token=BI_TOKEN)
    assert status == 200
    cut = parse_cut({"from": str(start), "to": str(end), "language": "en"})
    expected = metrics_for(analytics_service.tracker_url, analytics_service.handoff_url, cut)
    for figures in (answer, expected):
        figures.pop("generated_at")
    assert answer == expected
    assert answer["conversations"] > 300  # two weeks of the seeded history
    assert len(answer["series"]) == 14


def test_bad_parameters_get_400_with_the_reason(analytics_service: Service) -> None:
    for query, reason in (
        ("from=yesterday", "from must be a date"),
        ("from=2026-11-10&to=2026-11-01", "from must not be after to"),
        ("channel=telegram", "channel must be one of"),
        ("language=de", "language must be one of"),
        ("format=xml", "format is json or csv"),
        ("form=2026-11-01", "unknown parameter 'form'"),
    ):
        status, body, _ = analytics_service.get(f"/api/metrics?{query}", token=BI_TOKEN)
        assert status == 400, query
        assert reason in body["error"], (query, body)


def test_csv_download_for_spreadsheets(analytics_service: Service) -> None:
    status, body, headers = analytics_service.get(
        "/api/metrics?format=csv&from=2026-11-01&to=2026-11-07", token=BI_TOKEN
    )
    assert status == 200
    assert headers["content-type"].startswith("text/csv")
    assert 'filename="baton-metrics-2026-11-01-2026-11-07.csv"' in headers["content-disposition"]
    assert body.splitlines()[0] == "metric,breakdown,key,value"


def test_the_dashboard_page_is_static_and_locked_down(analytics_service: Service) -> None:
    status, page, headers = analytics_service.get("/dashboard")
    assert status == 200 and 'id="dashboard"' in page
    assert "script-src 'self'" in headers["content-security-policy"]
    assert "http" not in page.replace("http://www.w3.org", "")  # no CDN, nothing remote
    status, script, _ = analytics_service.get("/dashboard/charts.js")
    assert status == 200 and "createElementNS" in script
    status, _, _ = analytics_service.get("/dashboard/../app.py")
    assert status == 404

"""A lead in a real browser: headless Chromium logs in to the dashboard and reads the seeded
history as numbers and charts, then narrows it to one channel. Leaves a screenshot."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.analytics.conftest import AGENT_PASSWORD, BI_TOKEN, LEAD_PASSWORD, Service
from tests.e2e.test_browser import browser  # noqa: F401 - the Chromium fixture

pytestmark = [pytest.mark.browser]


def _number(text: str) -> int:
    return int(text.replace(",", ""))


def test_a_lead_sees_the_seeded_history_as_figures_and_charts(
    analytics_service: Service,
    browser: Any,  # noqa: F811 - the imported fixture
    screenshots: Path,
) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as ec
    from selenium.webdriver.support.ui import Select, WebDriverWait

    status, truth, _ = analytics_service.get("/api/metrics", token=BI_TOKEN)
    assert status == 200 and truth["conversations"] > 500

    driver = browser
    driver.set_window_size(1400, 2400)
    wait = WebDriverWait(driver, 30)
    driver.get(analytics_service.url + "/dashboard")
    wait.until(ec.visibility_of_element_located((By.ID, "login-username")))
    driver.find_element(By.ID, "login-username").send_keys("demo")
    driver.find_element(By.ID, "login-password").send_keys(LEAD_PASSWORD)
    driver.find_element(By.ID, "login-submit").click()
    wait.until(ec.visibility_of_element_located((By.ID, "dashboard")))

    def kpi(name: str) -> str:
        return str(driver.find_element(By.CSS_SELECTOR, f"#kpi-{name} .value").text)

    assert _number(kpi("conversations")) == truth["conversations"]
    assert kpi("containment") == f"{100 * truth['containment']['rate']:.1f}%"
    assert kpi("csat") == f"{100 * truth['csat']['csat']:.1f}%"
    assert "min" in kpi("wait")  # a median wait, in words
    # the trend: one stacked column pair per day of the 28-day range, drawn as SVG
    trend = driver.find_elements(By.CSS_SELECTOR, "#chart-trend svg rect")
    days_with_history = sum(1 for p in truth["series"] if p["conversations"])
    assert len(trend) >= days_with_history >= 27
    assert driver.find_elements(By.CSS_SELECTOR, "#chart-rates svg path")
    channels = driver.find_element(By.ID, "chart-channels").text
    assert {"Web chat", "WhatsApp", "Slack"} <= set(channels.split("\n"))
    assert len(driver.find_elements(By.CSS_SELECTOR, "#chart-csat svg rect")) == 5
    assert "Asked for a person" in driver.find_element(By.ID, "chart-reasons").text
    assert "Where is my order" in driver.find_element(By.ID, "chart-topics").text
    # shop topics asked but not automated yet: each with its conversations, most asked first
    asked = truth["not_automated"]["topics"]
    assert asked and truth["not_automated"]["conversations"] > 0
    table = driver.find_element(By.ID, "table-not-automated").text
    assert "Cancel an order" in table and "Change the address" in table
    first_row = table.split("\n")[1]
    assert f"{asked[0]['conversations']:,}" in first_row
    # the self-service flows: the seeded cancellations, started and how they ended
    cancel = next(f for f in truth["flows"]["flows"] if f["flow"] == "cancel")
    flows = driver.find_element(By.ID, "table-flows").text
    row = next(line for line in flows.split("\n") if line.startswith("Cancel an order"))
    assert f"{cancel['started']:,}" in row and f"{cancel['done']:,}" in row, row
    assert "GBP " in row and "EUR " in row, row
    agents = driver.find_element(By.ID, "table-agents").text
    assert "Amara Okafor" in agents and "Mei Chen" in agents
    # the page drew everything itself: nothing came from another origin
    sources = driver.execute_script(
        "return performance.getEntriesByType('resource').map(function (r) { return r.name; })"
    )
    assert all(s.startswith(analytics_service.url) for s in sources), sources
    driver.save_screenshot(str(screenshots / "dashboard.png"))

    # one channel only: the figures follow, and the address keeps the view
    Select(driver.find_element(By.ID, "f-channel")).select_by_value("whatsapp")
    driver.find_element(By.ID, "f-apply").click()
    _, whatsapp, _ = analytics_service.get("/api/metrics?channel=whatsapp", token=BI_TOKEN)
    wait.until(lambda d: _number(kpi("conversations")) == whatsapp["conversations"])
    assert "channel=whatsapp" in driver.current_url
    compared = set(driver.find_element(By.ID, "chart-channels").text.split("\n"))
    assert "WhatsApp" in compared and not {"Web chat", "Slack"} & compared
    driver.save_screenshot(str(screenshots / "dashboard-whatsapp.png"))

    # per week: one column pair per week (Monday first) of the 28 days
    Select(driver.find_element(By.ID, "f-granularity")).select_by_value("week")
    driver.find_element(By.ID, "f-apply").click()
    _, weekly, _ = analytics_service.get(
        "/api/metrics?channel=whatsapp&granularity=week", token=BI_TOKEN
    )
    wait.until(lambda d: "per week" in d.find_element(By.ID, "trend-unit").text)
    columns = driver.find_elements(By.CSS_SELECTOR, "#chart-trend svg rect")
    assert len(columns) == 2 * len(weekly["series"])
    assert len(weekly["series"]) in (4, 5)  # 28 days touch four or five weeks
    assert "granularity=week" in driver.current_url
    assert (screenshots / "dashboard.png").stat().st_size > 20_000

    # an agent who is not a lead logs in and is told why there is nothing to see
    driver.find_element(By.ID, "logout").click()
    wait.until(ec.visibility_of_element_located((By.ID, "login-username")))
    driver.find_element(By.ID, "login-username").send_keys("pat")
    driver.find_element(By.ID, "login-password").send_keys(AGENT_PASSWORD)
    driver.find_element(By.ID, "login-submit").click()
    wait.until(lambda d: "for leads" in d.find_element(By.ID, "dash-state").text)
    assert not driver.find_element(By.ID, "dashboard").is_displayed()

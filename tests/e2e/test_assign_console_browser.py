"""Handing a case on in two real browsers: Ann transfers a case to Bo with a reason, and it
appears on Bo's open console within a second, without a reload, with the reason in its
timeline, and Bo's browser shows a notification (his notifications are on); then Ann transfers
another case to Bo's team, and it shows in Bo's team queue. And a lead sets up a team and a
routing rule in the console, which routes the next Korean case.

Only the handoff service runs (``python -m handoff run``), with a small stand-in for the Rasa
server's relay that acknowledges what it is sent: no model, no Rasa."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx2
import pytest

from tests.e2e.test_browser import (
    browser,  # noqa: F401 - the Chromium fixture
    chromium,
)
from tests.e2e.test_console_notifications_browser import _allow_and_record_notifications
from tests.support.handoff_alone import AGENT_PASSWORD, LEAD_PASSWORD, handoff_alone

pytestmark = [pytest.mark.e2e, pytest.mark.browser]

SERVICE_TOKEN = "assign-service-token"
REASON = "customer writes in Korean"


@pytest.fixture
def second_browser() -> Iterator[Any]:
    """A second headless Chromium with its own profile: another agent's console."""
    with chromium() as driver:
        yield driver


@pytest.fixture
def handoff(tmp_path: Path) -> Iterator[str]:
    with handoff_alone(tmp_path, "assign", [("ann", "Ann"), ("bo", "Bo")]) as (url, _token):
        yield url


def _open_ticket(url: str, conversation: str, name: str, language: str = "en") -> int:
    packet = {
        "version": 1,
        "language": {"code": language},
        "reason": {"code": "customer_asked", "text": "The customer asked for a person"},
        "conversation": {"id": conversation, "channel": "webchat"},
        "customer": {"id": conversation, "name": name},
        "transcript": [{"sender": "user", "text": "a person please"}],
    }
    answer = httpx2.post(
        f"{url}/api/bot/tickets",
        json=packet,
        headers={"authorization": f"Bearer {SERVICE_TOKEN}"},
        timeout=15,
    )
    assert answer.status_code == 200, answer.text
    return int(answer.json()["ticket_id"])


def _korean_team_with_bo(url: str) -> int:
    """The lead adds the "Korean" team with Bo in it (over the API, as a script would)."""
    with httpx2.Client(base_url=url, timeout=15) as http:
        login = http.post(
            "/api/login", json={"username": "demo", "password": LEAD_PASSWORD, "bearer": True}
        )
        auth = {"authorization": f"Bearer {login.json()['token']}"}
        agents = http.get("/api/teams", headers=auth).json()["agents"]
        bo = next(a["id"] for a in agents if a["display_name"] == "Bo")
        team = http.post("/api/teams", json={"name": "Korean"}, headers=auth).json()["team"]
        staffed = http.patch(f"/api/teams/{team['id']}", json={"member_ids": [bo]}, headers=auth)
        assert staffed.status_code == 200, staffed.text
        return int(team["id"])


def _notifications_on(url: str, username: str) -> None:
    """The agent turned notifications on (in another browser: the preference follows them)."""
    with httpx2.Client(base_url=url, timeout=15) as http:
        login = http.post(
            "/api/login", json={"username": username, "password": AGENT_PASSWORD, "bearer": True}
        )
        auth = {"authorization": f"Bearer {login.json()['token']}"}
        saved = http.put("/api/me/preferences", json={"notifications": True}, headers=auth)
        assert saved.status_code == 200, saved.text


def _notifications(driver: Any) -> list[str]:
    return [n["title"] for n in driver.execute_script("return window.__shown || [];")]


def _log_in(driver: Any, url: str, username: str, password: str = AGENT_PASSWORD) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as ec
    from selenium.webdriver.support.ui import WebDriverWait

    wait = WebDriverWait(driver, 30)
    driver.get(url + "/")
    wait.until(ec.visibility_of_element_located((By.ID, "login-username")))
    driver.find_element(By.ID, "login-username").send_keys(username)
    driver.find_element(By.ID, "login-password").send_keys(password)
    driver.find_element(By.ID, "login-submit").click()
    wait.until(ec.visibility_of_element_located((By.ID, "app")))
    wait.until(lambda d: d.find_element(By.ID, "live-state").text == "live")


def _shown(driver: Any, ticket_id: int, text: str = "") -> bool:
    """Whether the queue on this screen lists the case (and its entry says ``text``)."""
    return bool(
        driver.execute_script(
            "var li = document.querySelector("
            "'nav.queue li[data-ticket-id=\"' + arguments[0] + '\"]');"
            "return !!li && li.textContent.indexOf(arguments[1]) >= 0;",
            ticket_id,
            text,
        )
    )


def _seconds_until_shown(driver: Any, ticket_id: int, started: float, text: str = "") -> float:
    """Poll this screen until the case shows; seconds since ``started`` (or fail after 10)."""
    while time.monotonic() - started < 10:
        if _shown(driver, ticket_id, text):
            return time.monotonic() - started
        time.sleep(0.02)
    raise AssertionError(f"case {ticket_id} did not show within 10 seconds")


def _open_case(driver: Any, ticket_id: int) -> None:
    from selenium.common.exceptions import StaleElementReferenceException
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    wait = WebDriverWait(driver, 30, ignored_exceptions=(StaleElementReferenceException,))

    def opened(d: Any) -> bool:
        d.find_element(By.CSS_SELECTOR, f"nav.queue li[data-ticket-id='{ticket_id}']").click()
        return d.find_element(By.ID, "case-title").text.startswith(f"#{ticket_id} ")

    wait.until(opened)


def _hand_on(driver: Any, target: str, reason: str) -> float:
    """Transfer the open case with the console's form; the moment of the click."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as ec
    from selenium.webdriver.support.ui import Select, WebDriverWait

    wait = WebDriverWait(driver, 30)
    wait.until(ec.visibility_of_element_located((By.ID, "assign-open"))).click()
    wait.until(ec.visibility_of_element_located((By.ID, "assign-form")))
    Select(driver.find_element(By.ID, "assign-target")).select_by_visible_text(target)
    driver.find_element(By.ID, "assign-reason").send_keys(reason)
    clicked = time.monotonic()
    driver.find_element(By.ID, "assign-send").click()
    return clicked


def test_a_case_transferred_to_a_colleague_appears_on_their_screen_within_a_second(
    handoff: str,
    browser: Any,  # noqa: F811 - the imported fixture
    second_browser: Any,
) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    to_bo = _open_ticket(handoff, "assign-conv-1", "Mina Park")
    to_team = _open_ticket(handoff, "assign-conv-2", "Jun Seo")
    _korean_team_with_bo(handoff)
    ann, bo = browser, second_browser
    _notifications_on(handoff, "bo")
    _allow_and_record_notifications(bo, handoff)  # his browser allows them; we record them
    _log_in(ann, handoff, "ann")
    _log_in(bo, handoff, "bo")
    bo.find_element(By.ID, "scope-mine").click()  # Bo looks at his own cases only
    assert not _shown(bo, to_bo)

    _open_case(ann, to_bo)
    ann.find_element(By.ID, "claim").click()
    WebDriverWait(ann, 30).until(
        lambda d: "claimed by Ann" in d.find_element(By.ID, "case-meta").text
    )
    clicked = _hand_on(ann, "Bo", REASON)
    to_bo_seconds = _seconds_until_shown(bo, to_bo, clicked)

    notice = bo.find_element(By.ID, "assign-notice-text").text
    # A real transfer (the API's ticket_updated with handed_on) notifies Bo's browser.
    WebDriverWait(bo, 30).until(lambda d: any(f"#{to_bo}" in n for n in _notifications(d)))
    notified = _notifications(bo)
    _open_case(bo, to_bo)
    WebDriverWait(bo, 30).until(lambda d: REASON in d.find_element(By.ID, "transcript").text)
    transcript = bo.find_element(By.ID, "transcript").text
    meta = bo.find_element(By.ID, "case-meta").text

    # The second case, unclaimed, to Bo's team: it shows in his team queue tagged "Korean".
    bo.find_element(By.ID, "scope-teams").click()
    ann.find_element(By.ID, "scope-teams").click()
    _open_case(ann, to_team)
    clicked = _hand_on(ann, "Korean", "Korean speaker")
    to_team_seconds = _seconds_until_shown(bo, to_team, clicked, "Korean")
    WebDriverWait(ann, 30).until(lambda d: not _shown(d, to_team))  # not Ann's team
    team_notice = bo.find_element(By.ID, "assign-notice-text").text

    assert to_bo_seconds < 1.0, f"shown on Bo's screen {to_bo_seconds:.2f} s after the click"
    assert f"Ann transferred this case to Bo: {REASON}" in transcript
    assert "claimed by Bo" in meta
    assert f"Ann handed case #{to_bo} to you" in notice and REASON in notice
    assert notified == [f"Ann transferred case #{to_bo} to you"]
    assert to_team_seconds < 1.0, (
        f"shown in Bo's team queue {to_team_seconds:.2f} s after the click"
    )
    assert team_notice == f"Ann put case #{to_team} in the Korean queue"
    print(
        json.dumps(
            {
                "to_agent_seconds": round(to_bo_seconds, 3),
                "to_team_seconds": round(to_team_seconds, 3),
            }
        )
    )


def test_a_lead_sets_up_a_team_and_a_routing_rule_that_routes_the_next_case(
    handoff: str,
    browser: Any,  # noqa: F811 - the imported fixture
) -> None:
    from selenium.common.exceptions import StaleElementReferenceException
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as ec
    from selenium.webdriver.support.ui import Select, WebDriverWait

    lead = browser
    wait = WebDriverWait(lead, 30)
    steady = WebDriverWait(lead, 30, ignored_exceptions=(StaleElementReferenceException,))
    _log_in(lead, handoff, "demo", LEAD_PASSWORD)
    wait.until(ec.visibility_of_element_located((By.ID, "teams-admin-open"))).click()
    wait.until(ec.visibility_of_element_located((By.ID, "teams-admin")))
    lead.find_element(By.ID, "team-new-name").send_keys("Korean")
    lead.find_element(By.CSS_SELECTOR, "#team-new button[type=submit]").click()
    card = "#team-list form[data-team-id]"
    wait.until(lambda d: d.find_elements(By.CSS_SELECTOR, card))
    lead.find_element(By.ID, "team-new-name").send_keys("korean")  # the same name again
    lead.find_element(By.CSS_SELECTOR, "#team-new button[type=submit]").click()
    wait.until(lambda d: d.find_element(By.ID, "team-new-error").text)
    refused = lead.find_element(By.ID, "team-new-error").text

    def tick_bo_and_save(d: Any) -> bool:  # the card is redrawn when teams change: find anew
        form = d.find_element(By.CSS_SELECTOR, card)
        box = form.find_element(By.XPATH, ".//label[contains(., 'Bo')]/input")
        if not box.is_selected():
            box.click()
        form.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
        return True

    steady.until(tick_bo_and_save)
    steady.until(lambda d: d.find_element(By.CSS_SELECTOR, card + " .team-state").text == "saved")
    lead.find_element(By.ID, "rule-add").click()
    steady.until(
        lambda d: (
            Select(d.find_element(By.CSS_SELECTOR, "#rule-list li select")).select_by_value("ko")
            or True
        )
    )
    lead.find_element(By.ID, "rules-save").click()
    wait.until(lambda d: d.find_element(By.ID, "rules-state").text == "saved")
    lead.find_element(By.CSS_SELECTOR, "#teams-admin .canned-admin-head button").click()
    wait.until(ec.visibility_of_element_located((By.CSS_SELECTOR, "main.layout")))

    korean = _open_ticket(handoff, "assign-conv-ko", "Ji-woo Kim", language="ko")
    english = _open_ticket(handoff, "assign-conv-en", "Amy Lee")
    wait.until(lambda d: _shown(d, korean, "Korean") and _shown(d, english))
    english_tagged = _shown(lead, english, "Korean")
    with httpx2.Client(base_url=handoff, timeout=15) as http:
        login = http.post(
            "/api/login", json={"username": "bo", "password": AGENT_PASSWORD, "bearer": True}
        )
        seen_by_bo = http.get(
            "/api/teams", headers={"authorization": f"Bearer {login.json()['token']}"}
        ).json()

    assert refused == "there is already a team called korean"
    assert not english_tagged  # no rule matches: no team, everyone's queue
    assert [(t["name"], t["mine"]) for t in seen_by_bo["teams"]] == [("Korean", True)]
    assert [(r["language"], r["team_name"]) for r in seen_by_bo["rules"]] == [("ko", "Korean")]

"""Handing a case on in two real browsers: Ann transfers a case to Bo with a reason, and it
appears on Bo's open console within a second, without a reload, with the reason in its
timeline, and Bo's browser shows a notification (his notifications are on); then Ann transfers
another case to Bo's team, and it shows in Bo's team queue. And a lead sets up a team and a
routing rule in the console, which routes the next Korean case.

Only the handoff service runs (``python -m handoff run``), with a small stand-in for the Rasa
server's relay that acknowledges what it is sent: no model, no Rasa."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx2
import pytest

from bot.launcher import handoff_command, stop, wait_until_up
from bot.settings import ROOT
from infra.procs import free_port
from tests.e2e.test_browser import (
    CHROMEDRIVER,
    CHROMIUM,
    browser,  # noqa: F401 - the Chromium fixture
)
from tests.e2e.test_console_notifications_browser import _allow_and_record_notifications

pytestmark = [pytest.mark.e2e, pytest.mark.browser]

LEAD_PASSWORD = "lead-password-1"
AGENT_PASSWORD = "agent-password-1"
SERVICE_TOKEN = "assign-service-token"
REASON = "customer writes in Korean"


class _Relay(BaseHTTPRequestHandler):
    """The Rasa server's relay, acknowledging every delivery."""

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("content-length") or 0))
        body = b'{"delivered": true}'
        self.send_response(200)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *_: Any) -> None:
        pass


@pytest.fixture
def second_browser() -> Iterator[Any]:
    """A second headless Chromium with its own profile: another agent's console."""
    if not (CHROMIUM and CHROMEDRIVER):
        pytest.skip("needs Debian's chromium and chromium-driver (make browser-deps)")
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    profile = tempfile.mkdtemp(prefix="baton-chromium-")
    for flag in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        f"--user-data-dir={profile}",
        "--window-size=1280,900",
    ):
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    driver.set_page_load_timeout(30)
    try:
        yield driver
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)


@pytest.fixture
def handoff(tmp_path: Path) -> Iterator[str]:
    relay = ThreadingHTTPServer(("127.0.0.1", 0), _Relay)
    threading.Thread(target=relay.serve_forever, daemon=True).start()
    port = str(free_port())
    env = {
        **os.environ,
        "BATON_VAR_DIR": str(tmp_path),
        "HANDOFF_PORT": port,
        "HANDOFF_DATABASE_URL": f"sqlite:///{tmp_path / 'handoff.db'}",
        "HANDOFF_SERVICE_TOKEN": SERVICE_TOKEN,
        "HANDOFF_RELAY_TOKEN": "assign-relay-token",
        "RASA_RELAY_URL": f"http://127.0.0.1:{relay.server_address[1]}/webhooks/relay",
        "HANDOFF_DEMO_AGENT": "true",  # the demo agent (Sam) is a lead
        "HANDOFF_DEMO_PASSWORD": LEAD_PASSWORD,
        "HANDOFF_BUSINESS_HOURS": "always",
        "HANDOFF_NEW_AGENT_PASSWORD": AGENT_PASSWORD,
        "REDIS_URL": "",
        "PROMETHEUS_SCRAPE_TOKEN": "assign-scrape-token",
    }
    for username, name in (("ann", "Ann"), ("bo", "Bo")):
        subprocess.run(
            [sys.executable, "-m", "handoff", "create-agent", username, name],
            env=env,
            cwd=ROOT,
            check=True,
            capture_output=True,
        )
    log = (tmp_path / "handoff.log").open("wb")
    proc = subprocess.Popen(
        handoff_command(port), env=env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT
    )
    url = f"http://127.0.0.1:{port}"
    try:
        assert wait_until_up(f"{url}/health", 60, [proc]), (tmp_path / "handoff.log").read_text()
        yield url
    finally:
        stop([proc])
        log.close()
        relay.shutdown()


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

"""Canned replies in a real browser: a lead adds one in the console's editor, then an agent in
a case opens the picker with "/", filters by title, and Enter puts the reply, filled in for
this customer and order, into the reply box; it is sent as written.

Only the handoff service runs (``python -m handoff run``), with a small stand-in for the Rasa
server's relay that acknowledges what it is sent: no model, no Rasa."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx2
import pytest

from tests.e2e.test_browser import browser  # noqa: F401 - the Chromium fixture
from tests.support.handoff_alone import AGENT_PASSWORD, LEAD_PASSWORD, AckRelay, handoff_alone

pytestmark = [pytest.mark.e2e, pytest.mark.browser]

LEAD, AGENT = "demo", "ana"
SERVICE_TOKEN = "canned-service-token"


@pytest.fixture
def handoff(tmp_path: Path) -> Iterator[str]:
    with handoff_alone(tmp_path, "canned", [(AGENT, "Ana")]) as (url, _token):
        yield url


def _open_ticket(url: str) -> int:
    packet = {
        "version": 1,
        "reason": {"code": "customer_asked", "text": "The customer asked for a person"},
        "conversation": {"id": "canned-conv-1", "channel": "webchat"},
        "customer": {"id": "7", "name": "Mina Park", "first_name": "Mina"},
        "orders": [{"number": "10042", "status": "shipped"}],
        "bot_knows": {"order_number": "10042"},
        "transcript": [{"sender": "user", "text": "where is my parcel?"}],
    }
    answer = httpx2.post(
        f"{url}/api/bot/tickets",
        json=packet,
        headers={"authorization": f"Bearer {SERVICE_TOKEN}"},
        timeout=15,
    )
    assert answer.status_code == 200, answer.text
    return int(answer.json()["ticket_id"])


def _log_in(driver: Any, url: str, username: str, password: str) -> None:
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


def _lead_adds_a_reply(driver: Any, url: str) -> dict[str, Any]:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as ec
    from selenium.webdriver.support.ui import Select, WebDriverWait

    wait = WebDriverWait(driver, 30)
    _log_in(driver, url, LEAD, LEAD_PASSWORD)
    wait.until(ec.visibility_of_element_located((By.ID, "canned-admin-open"))).click()
    wait.until(ec.visibility_of_element_located((By.ID, "canned-admin")))
    Select(driver.find_element(By.ID, "canned-admin-language")).select_by_value("en")
    wait.until(lambda d: "greeting" in d.find_element(By.ID, "canned-admin-list").text)
    driver.find_element(By.ID, "canned-admin-new").click()
    # A typo first: refused with the reason, nothing saved.
    driver.find_element(By.ID, "canned-form-name").send_keys("parcel-update")
    body = driver.find_element(By.ID, "canned-form-body")
    body.send_keys("Hi {frist_name}, order {order_number} is on its way.")
    driver.find_element(By.ID, "canned-form-save").click()
    wait.until(lambda d: "frist_name" in d.find_element(By.ID, "canned-form-error").text)
    refused = driver.find_element(By.ID, "canned-form-error").text
    body.clear()
    body.send_keys("Hi {first_name}, your order {order_number} left our warehouse today. {agent}")
    driver.find_element(By.ID, "canned-form-save").click()
    wait.until(lambda d: "parcel-update" in d.find_element(By.ID, "canned-admin-list").text)
    listed = driver.find_element(By.ID, "canned-admin-list").text
    driver.find_element(By.ID, "logout").click()
    wait.until(ec.visibility_of_element_located((By.ID, "login-username")))
    return {"refused": refused, "listed": listed}


def _agent_picks_it(driver: Any, url: str, ticket_id: int) -> dict[str, Any]:
    from selenium.common.exceptions import StaleElementReferenceException
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys
    from selenium.webdriver.support import expected_conditions as ec
    from selenium.webdriver.support.ui import WebDriverWait

    wait = WebDriverWait(driver, 30, ignored_exceptions=(StaleElementReferenceException,))
    _log_in(driver, url, AGENT, AGENT_PASSWORD)
    lead_link = driver.find_element(By.ID, "canned-admin-open").is_displayed()

    def open_case(d: Any) -> bool:
        d.find_element(By.CSS_SELECTOR, f"#queue-waiting li[data-ticket-id='{ticket_id}']").click()
        return "Mina" in d.find_element(By.ID, "case-title").text

    wait.until(open_case)
    driver.find_element(By.ID, "claim").click()
    wait.until(lambda d: not d.find_element(By.ID, "claim").is_displayed())
    hint = driver.find_element(By.ID, "canned-hint").text
    box = driver.find_element(By.ID, "reply-text")
    box.click()
    box.send_keys("/")
    wait.until(ec.visibility_of_element_located((By.ID, "canned-picker")))
    picker = driver.switch_to.active_element
    assert picker.get_attribute("id") == "canned-filter"
    picker.send_keys("parc")
    wait.until(lambda d: len(d.find_elements(By.CSS_SELECTOR, "#canned-list li")) == 1)
    shown = driver.find_element(By.ID, "canned-list").text
    picker.send_keys(Keys.ENTER)
    wait.until(lambda d: d.find_element(By.ID, "reply-text").get_attribute("value"))
    filled = driver.find_element(By.ID, "reply-text").get_attribute("value")
    picker_hidden = not driver.find_element(By.ID, "canned-picker").is_displayed()
    # Edit before sending, then Ctrl+Enter sends.
    box = driver.find_element(By.ID, "reply-text")
    box.send_keys(Keys.END, " Thanks!")
    box.send_keys(Keys.CONTROL, Keys.ENTER)
    wait.until(lambda d: d.find_element(By.ID, "reply-state").text == "sent")
    wait.until(lambda d: "Thanks!" in d.find_element(By.ID, "transcript").text)
    # Ctrl+K opens the picker too, even with text in the box; Esc closes it.
    box = driver.find_element(By.ID, "reply-text")
    box.send_keys("x")
    box.send_keys(Keys.CONTROL, "k")
    wait.until(ec.visibility_of_element_located((By.ID, "canned-picker")))
    driver.switch_to.active_element.send_keys(Keys.ESCAPE)
    wait.until(ec.invisibility_of_element_located((By.ID, "canned-picker")))
    return {
        "lead_link": lead_link,
        "hint": hint,
        "shown": shown,
        "filled": filled,
        "picker_hidden": picker_hidden,
    }


def test_a_lead_adds_a_canned_reply_and_an_agent_picks_it_with_the_keyboard(
    handoff: str,
    browser: Any,  # noqa: F811 - the imported fixture
) -> None:
    ticket_id = _open_ticket(handoff)

    added = _lead_adds_a_reply(browser, handoff)
    picked = _agent_picks_it(browser, handoff, ticket_id)

    assert "unknown placeholder {frist_name}" in added["refused"]
    assert "parcel-update" in added["listed"]
    assert picked["lead_link"] is False
    assert "Ctrl" in picked["hint"] and "/" in picked["hint"]
    assert picked["shown"].startswith("parcel-update")
    expected = "Hi Mina, your order 10042 left our warehouse today. Ana"
    assert picked["filled"] == expected
    assert picked["picker_hidden"]
    sent = [d for d in AckRelay.received if d.get("text", "").startswith("Hi Mina")]
    assert sent and sent[-1]["text"] == expected + " Thanks!"

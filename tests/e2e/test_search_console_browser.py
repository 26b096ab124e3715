"""Search in a real browser: an agent opens a customer's web-chat case, claims and closes it,
then finds it again with the search field in the top bar, by the order number and by the
customer's e-mail; the customer among the results lists their cases; the closed case opens
read-only, and a click on the customer's name in it shows their cases from web chat and
WhatsApp.

Only the handoff service runs (the canned replies' browser test's ``handoff`` fixture, with
its stand-in relay): no model, no Rasa."""

from __future__ import annotations

from typing import Any

import httpx2
import pytest

from tests.e2e.test_browser import browser  # noqa: F401 - the Chromium fixture
from tests.e2e.test_canned_console_browser import (  # noqa: F401 - the handoff fixture
    AGENT,
    AGENT_PASSWORD,
    SERVICE_TOKEN,
    _log_in,
    handoff,
)

pytestmark = [pytest.mark.e2e, pytest.mark.browser]


def _open_ticket(url: str, conversation_id: str, channel: str) -> int:
    packet = {
        "version": 1,
        "reason": {"code": "customer_asked", "text": "The customer asked for a person"},
        "conversation": {"id": conversation_id, "channel": channel},
        "customer": {
            "id": "31",
            "name": "Hana Kim",
            "first_name": "Hana",
            "email": "Hana.Kim@Example.com",
            "phone": "+44 7700 900456",
        },
        "orders": [{"number": "#20417", "status": "delivered"}],
        "transcript": [{"sender": "user", "text": "the lamp arrived broken"}],
    }
    answer = httpx2.post(
        f"{url}/api/bot/tickets",
        json=packet,
        headers={"authorization": f"Bearer {SERVICE_TOKEN}"},
        timeout=15,
    )
    assert answer.status_code == 200, answer.text
    return int(answer.json()["ticket_id"])


def _search(driver: Any, query: str, ticket_id: int) -> dict[str, Any]:
    """Ctrl+Shift+F, type, Enter: the case's line in the results."""
    from selenium.common.exceptions import StaleElementReferenceException
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys
    from selenium.webdriver.support.ui import WebDriverWait

    wait = WebDriverWait(driver, 30, ignored_exceptions=(StaleElementReferenceException,))
    ActionChains(driver).key_down(Keys.CONTROL).key_down(Keys.SHIFT).send_keys("f").key_up(
        Keys.SHIFT
    ).key_up(Keys.CONTROL).perform()
    field = driver.switch_to.active_element
    focused = field.get_attribute("id")
    field.clear()
    field.send_keys(query, Keys.ENTER)
    hit = f"#search-cases li[data-ticket-id='{ticket_id}']"
    wait.until(lambda d: d.find_elements(By.CSS_SELECTOR, hit))
    return {"focused": focused, "text": driver.find_element(By.CSS_SELECTOR, hit).text}


def test_an_agent_finds_a_closed_case_and_the_customers_cases_on_two_channels(
    handoff: str,  # noqa: F811 - the imported fixture
    browser: Any,  # noqa: F811 - the imported fixture
) -> None:
    from selenium.common.exceptions import StaleElementReferenceException
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as ec
    from selenium.webdriver.support.ui import WebDriverWait

    web = _open_ticket(handoff, "search-web-1", "webchat")
    whatsapp = _open_ticket(handoff, "search-wa-1", "whatsapp")
    driver = browser
    wait = WebDriverWait(driver, 30, ignored_exceptions=(StaleElementReferenceException,))
    _log_in(driver, handoff, AGENT, AGENT_PASSWORD)

    # Open the web chat case from the queue, claim it, close it.
    def open_web_case(d: Any) -> bool:
        d.find_element(By.CSS_SELECTOR, f"#queue-waiting li[data-ticket-id='{web}']").click()
        return d.find_element(By.ID, "case-title").text.startswith(f"#{web} ")

    wait.until(open_web_case)
    driver.find_element(By.ID, "claim").click()
    wait.until(lambda d: not d.find_element(By.ID, "claim").is_displayed())
    driver.find_element(By.ID, "close").click()
    wait.until(ec.alert_is_present()).accept()
    wait.until(lambda d: "closed" in d.find_element(By.ID, "case-meta").text)

    by_order = _search(driver, "#20417", web)
    by_email = _search(driver, "HANA.KIM@example.com", web)

    # The customer among the results: their cases; back to the results.
    driver.find_element(By.CSS_SELECTOR, "#search-customers li[data-customer-id='31']").click()
    wait.until(lambda d: len(d.find_elements(By.CSS_SELECTOR, "#customer-history li")) == 2)
    driver.find_element(By.ID, "search-back").click()
    wait.until(
        lambda d: d.find_elements(By.CSS_SELECTOR, f"#search-cases li[data-ticket-id='{web}']")
    )

    # The closed case opens read-only.
    driver.find_element(By.CSS_SELECTOR, f"#search-cases li[data-ticket-id='{web}']").click()
    wait.until(ec.invisibility_of_element_located((By.ID, "search-panel")))
    wait.until(lambda d: d.find_element(By.ID, "case-title").text.startswith(f"#{web} "))
    read_only = not driver.find_element(By.ID, "reply-text").is_enabled() and not (
        driver.find_element(By.ID, "close").is_enabled()
    )

    # The customer's name in the case: all their cases, from both channels.
    driver.find_element(By.CSS_SELECTOR, "#case-customer .customer-link").click()
    wait.until(lambda d: len(d.find_elements(By.CSS_SELECTOR, "#customer-history li")) == 2)
    history = {
        int(li.get_attribute("data-ticket-id")): li.text
        for li in driver.find_elements(By.CSS_SELECTOR, "#customer-history li")
    }
    panel = driver.find_element(By.ID, "search-panel").text

    assert by_order["focused"] == "search-q"
    assert f"#{web} Hana Kim" in by_order["text"] and "closed" in by_order["text"]
    assert "matched by order number" in by_order["text"]
    assert "matched by e-mail" in by_email["text"]
    assert read_only
    assert "Cases of Hana Kim" in panel
    assert sorted(history) == [web, whatsapp]
    assert "webchat" in history[web] and "closed" in history[web]
    assert "whatsapp" in history[whatsapp] and "waiting" in history[whatsapp]

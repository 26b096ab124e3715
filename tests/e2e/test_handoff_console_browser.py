"""An agent in a real browser: headless Chromium logs in to the console, sees a waiting
handoff with its context, replies to the customer and closes it."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

import pytest

from tests.e2e.test_browser import browser  # noqa: F401 - the Chromium fixture
from tests.support.servers import AGENT_PASSWORD, AGENT_USERNAME, Baton
from tests.support.webchat_client import WebChatCustomer

pytestmark = [pytest.mark.e2e, pytest.mark.browser]
Opener = Callable[..., Awaitable[WebChatCustomer]]


def _log_in_and_open_the_case(driver: Any, url: str, customer_name: str) -> dict[str, Any]:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as ec
    from selenium.webdriver.support.ui import WebDriverWait

    wait = WebDriverWait(driver, 30)
    driver.get(url + "/")
    # not logged in: the login form, and nothing else
    wait.until(ec.visibility_of_element_located((By.ID, "login-username")))
    assert not driver.find_element(By.ID, "app").is_displayed()
    driver.find_element(By.ID, "login-username").send_keys(AGENT_USERNAME)
    driver.find_element(By.ID, "login-password").send_keys("not the password")
    driver.find_element(By.ID, "login-submit").click()
    wait.until(ec.visibility_of_element_located((By.ID, "login-error")))
    password = driver.find_element(By.ID, "login-password")
    password.clear()
    password.send_keys(AGENT_PASSWORD)
    driver.find_element(By.ID, "login-submit").click()
    wait.until(ec.visibility_of_element_located((By.ID, "app")))
    wait.until(lambda d: d.find_element(By.ID, "live-state").text == "live")
    # the waiting handoff, live in the queue
    item = wait.until(
        lambda d: next(
            (
                li
                for li in d.find_elements(By.CSS_SELECTOR, "#queue-waiting li")
                if customer_name in li.text
            ),
            None,
        )
    )
    item.click()
    wait.until(lambda d: customer_name in d.find_element(By.ID, "case-title").text)
    wait.until(lambda d: d.find_elements(By.CSS_SELECTOR, "#case-orders .order"))
    return {
        "customer": driver.find_element(By.ID, "case-customer").text,
        "orders": driver.find_element(By.ID, "case-orders").text,
        "transcript": driver.find_element(By.ID, "transcript").text,
        "reason": driver.find_element(By.ID, "case-reason").text,
        "intents": driver.find_element(By.ID, "case-intents").text,
    }


def _reply(driver: Any, text: str) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    box = driver.find_element(By.ID, "reply-text")
    box.send_keys(text)
    driver.find_element(By.ID, "reply-send").click()
    WebDriverWait(driver, 15).until(lambda d: d.find_element(By.ID, "reply-state").text == "sent")


def _wait_for_transcript(driver: Any, text: str) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    WebDriverWait(driver, 15).until(lambda d: text in d.find_element(By.ID, "transcript").text)


def _close(driver: Any, path: Any) -> str:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as ec
    from selenium.webdriver.support.ui import WebDriverWait

    wait = WebDriverWait(driver, 15)
    driver.find_element(By.ID, "close").click()
    wait.until(ec.alert_is_present()).accept()
    wait.until(lambda d: "closed" in d.find_element(By.ID, "case-meta").text)
    driver.save_screenshot(str(path))
    return str(driver.find_element(By.ID, "case-meta").text)


async def test_an_agent_logs_in_sees_the_context_replies_and_closes(
    baton: Baton,
    browser: Any,  # noqa: F811 - the imported fixture
    new_customer: Opener,
    tmp_path: Any,
) -> None:
    jane = await new_customer(customer_id=1)
    await jane.say("where is my order 10001?")
    await jane.say("I want to talk to a person")

    shown = await asyncio.to_thread(
        _log_in_and_open_the_case, browser, baton.handoff_url, "Jane Doe"
    )
    assert "jane.doe@example.com" in shown["customer"]
    assert "whatsapp:+447700900001" in shown["customer"]
    assert "10001" in shown["orders"] and "DPD" in shown["orders"]
    assert "Stoneware table lamp" in shown["orders"]
    assert "where is my order 10001?" in shown["transcript"]
    assert "asked for a person" in shown["reason"]
    assert "human_handoff" in shown["intents"]

    await asyncio.to_thread(_reply, browser, "Hello Jane, it's Sam. Your lamp arrives Monday.")
    heard = await jane.listen(timeout=5)
    assert heard[0]["text"] == "Hello Jane, it's Sam. Your lamp arrives Monday."
    assert heard[0]["metadata"] == {"agent_name": "Sam"}

    # the customer's answer appears in the open case without a reload
    await jane.say("Brilliant, thanks <b>so</b> much")
    await asyncio.to_thread(_wait_for_transcript, browser, "Brilliant, thanks <b>so</b> much")

    meta = await asyncio.to_thread(_close, browser, tmp_path / "console.png")
    assert "closed" in meta
    question = await jane.listen(timeout=5)
    assert "rate the help" in question[0]["text"]

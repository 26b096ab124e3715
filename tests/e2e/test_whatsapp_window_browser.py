"""WhatsApp after 24 hours in a real browser: the agent's reply is refused by WhatsApp, the
case shows the banner and the template's preview instead of the reply box, the button sends
the template, and the customer's answer brings the reply box back."""

from __future__ import annotations

import asyncio
import secrets
from typing import Any

import aiohttp
import pytest

from fakes.clients import WhatsAppCustomer
from fakes.twilio import DEMO_TEMPLATE_SID
from tests.e2e.test_browser import browser  # noqa: F401 - the Chromium fixture
from tests.support.servers import AGENT_PASSWORD, AGENT_USERNAME, Baton

pytestmark = [pytest.mark.e2e, pytest.mark.browser]


def _open_case(driver: Any, url: str, name: str) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as ec
    from selenium.webdriver.support.ui import WebDriverWait

    wait = WebDriverWait(driver, 30)
    driver.get(url + "/")
    wait.until(ec.visibility_of_element_located((By.ID, "login-username")))
    driver.find_element(By.ID, "login-username").send_keys(AGENT_USERNAME)
    driver.find_element(By.ID, "login-password").send_keys(AGENT_PASSWORD)
    driver.find_element(By.ID, "login-submit").click()
    wait.until(lambda d: d.find_element(By.ID, "live-state").text == "live")
    item = wait.until(
        lambda d: next(
            (li for li in d.find_elements(By.CSS_SELECTOR, "#queue-waiting li") if name in li.text),
            None,
        )
    )
    item.click()
    wait.until(lambda d: name in d.find_element(By.ID, "case-title").text)
    assert driver.find_element(By.ID, "reply-form").is_displayed()
    assert not driver.find_element(By.ID, "wa-window").is_displayed()


def _reply_and_see_the_banner(driver: Any, text: str) -> dict[str, str]:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as ec
    from selenium.webdriver.support.ui import WebDriverWait

    driver.find_element(By.ID, "reply-text").send_keys(text)
    driver.find_element(By.ID, "reply-send").click()
    wait = WebDriverWait(driver, 15)
    wait.until(ec.visibility_of_element_located((By.ID, "wa-window")))
    return {
        "banner": driver.find_element(By.ID, "wa-window-text").text,
        "preview": driver.find_element(By.ID, "wa-template-preview").text,
        "reply_box": str(driver.find_element(By.ID, "reply-form").is_displayed()),
        "transcript": driver.find_element(By.ID, "transcript").text,
    }


def _send_template(driver: Any) -> str:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    driver.find_element(By.ID, "wa-template-send").click()
    WebDriverWait(driver, 15).until(
        lambda d: "Re-opening template sent" in d.find_element(By.ID, "transcript").text
    )
    return str(driver.find_element(By.ID, "wa-window-text").text)


def _reply_box_returns(driver: Any, text: str) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as ec
    from selenium.webdriver.support.ui import WebDriverWait

    wait = WebDriverWait(driver, 15)
    wait.until(lambda d: text in d.find_element(By.ID, "transcript").text)
    wait.until(ec.visibility_of_element_located((By.ID, "reply-form")))
    assert not driver.find_element(By.ID, "wa-window").is_displayed()


async def test_the_banner_replaces_the_reply_box_until_the_customer_answers(
    baton: Baton,
    browser: Any,  # noqa: F811 - the imported fixture
    http: aiohttp.ClientSession,
    tmp_path: Any,
) -> None:
    name = f"Noor {secrets.token_hex(2)}"
    phone = f"+1555010{secrets.randbelow(10_000):04d}"  # fiction's range: a stranger
    noor = WhatsAppCustomer(http, baton.rasa_url, baton.twilio_url, phone, name)
    asked = await noor.say("I want to talk to a person")
    assert "colleague" in asked.text, asked.text
    await asyncio.to_thread(_open_case, browser, baton.handoff_url, name)

    await noor.age_window(30)
    before = len(await noor.sent_to_me())
    shown = await asyncio.to_thread(_reply_and_see_the_banner, browser, "Hi, are you there?")
    assert "WhatsApp" in shown["banner"] and "approved template" in shown["banner"]
    assert shown["preview"].startswith("Hi Noor, this is ")
    assert shown["reply_box"] == "False"
    assert "Not delivered: WhatsApp's 24-hour window is closed" in shown["transcript"]

    banner = await asyncio.to_thread(_send_template, browser)
    assert "re-opening template was sent" in banner
    heard = await noor.replies_after(before)
    assert [m.get("content_sid") for m in heard.messages] == [DEMO_TEMPLATE_SID]
    browser.save_screenshot(str(tmp_path / "whatsapp-window.png"))

    await noor.send_through_fake("Yes, here now")
    await asyncio.to_thread(_reply_box_returns, browser, "Yes, here now")

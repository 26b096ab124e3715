"""A WhatsApp photo sent after the handoff, in a real browser: the agent has the case open
when the customer's photo arrives, and it appears in the transcript as a thumbnail, drawn
from the console's login-protected route, without the page being reloaded."""

from __future__ import annotations

import asyncio
import secrets
from typing import Any

import aiohttp
import pytest

from fakes.clients import WhatsAppCustomer
from tests.e2e.test_browser import browser  # noqa: F401 - the Chromium fixture
from tests.support.servers import AGENT_PASSWORD, AGENT_USERNAME, Baton

pytestmark = [pytest.mark.e2e, pytest.mark.browser]

#: Set on the page once the case is open; a reload would lose it.
MARK = "window.__batonSamePage"


def _open_case(driver: Any, url: str, name: str) -> None:
    from selenium.common.exceptions import StaleElementReferenceException
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as ec
    from selenium.webdriver.support.ui import WebDriverWait

    wait = WebDriverWait(driver, 30, ignored_exceptions=(StaleElementReferenceException,))
    driver.get(url + "/")
    wait.until(ec.visibility_of_element_located((By.ID, "login-username")))
    driver.find_element(By.ID, "login-username").send_keys(AGENT_USERNAME)
    driver.find_element(By.ID, "login-password").send_keys(AGENT_PASSWORD)
    driver.find_element(By.ID, "login-submit").click()
    wait.until(lambda d: d.find_element(By.ID, "live-state").text == "live")

    def open_it(d: Any) -> bool:
        for li in d.find_elements(By.CSS_SELECTOR, "#queue-waiting li"):
            if name in li.text:
                li.click()
                return name in d.find_element(By.ID, "case-title").text
        return False

    wait.until(open_it)
    assert not driver.find_elements(By.CSS_SELECTOR, "#transcript img.thumb")
    driver.execute_script(MARK + " = true")


def _photo_appears(driver: Any) -> dict[str, Any]:
    """The customer's thumbnail once the browser has drawn it, read in one script (an element
    held across calls could be replaced by a redraw of the case)."""
    from selenium.webdriver.support.ui import WebDriverWait

    drawn = (
        "var i = document.querySelector('#transcript li.user img.thumb');"
        "if (!i || !i.complete || !i.naturalWidth) return null;"
        "var item = i.closest('li');"
        "return {width: i.naturalWidth, src: i.src, href: i.parentNode.href,"
        " message_id: item.dataset.messageId || null, text: item.innerText,"
        " same_page: " + MARK + " === true};"
    )
    shown: dict[str, Any] = WebDriverWait(driver, 30).until(lambda d: d.execute_script(drawn))
    return shown


async def test_a_photo_sent_after_the_handoff_appears_live_in_the_open_case(
    baton: Baton,
    browser: Any,  # noqa: F811 - the imported fixture
    http: aiohttp.ClientSession,
    tmp_path: Any,
) -> None:
    name = f"Lea {secrets.token_hex(2)}"
    phone = f"+1555012{secrets.randbelow(10_000):04d}"  # fiction's range: a stranger
    lea = WhatsAppCustomer(http, baton.rasa_url, baton.twilio_url, phone, name)
    asked = await lea.say("I want to talk to a person")
    assert "colleague" in asked.text, asked.text
    await asyncio.to_thread(_open_case, browser, baton.handoff_url, name)

    ack = await lea.send_photo()
    assert ack.status == 200
    seen = await asyncio.to_thread(_photo_appears, browser)
    browser.save_screenshot(str(tmp_path / "photo-after-handoff.png"))

    assert seen["same_page"] is True  # arrived over the live feed, no reload
    assert seen["width"] == 16  # the fake Twilio's photo, decoded by the browser
    assert seen["message_id"]  # a message of the case, not the bot's transcript before it
    assert "[photo]" in seen["text"]
    assert "/api/attachments/" in seen["src"] and seen["href"] == seen["src"]

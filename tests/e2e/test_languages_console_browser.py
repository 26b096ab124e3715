"""An agent in a real browser sees the customer's language on the ticket and gets that
language's canned replies, filled in with the customer's name."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

import pytest

from tests.e2e.test_browser import browser  # noqa: F401 - the Chromium fixture
from tests.support.handoff_agent import AgentClient
from tests.support.servers import AGENT_PASSWORD, AGENT_USERNAME, Baton
from tests.support.webchat_client import WebChatCustomer

pytestmark = [pytest.mark.e2e, pytest.mark.browser]
Opener = Callable[..., Awaitable[WebChatCustomer]]


def _open_case_and_pick_a_canned_reply(driver: Any, url: str, ticket_id: int) -> dict[str, Any]:
    from selenium.common.exceptions import StaleElementReferenceException
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as ec
    from selenium.webdriver.support.ui import Select, WebDriverWait

    # The queue is redrawn on every live event: an element found a moment ago may be gone,
    # so each step finds and acts in one go and tries again on a stale reference.
    wait = WebDriverWait(driver, 30, ignored_exceptions=(StaleElementReferenceException,))

    def open_case(d: Any) -> bool:
        d.find_element(By.CSS_SELECTOR, f"#queue-waiting li[data-ticket-id='{ticket_id}']").click()
        return bool(d.find_element(By.ID, "case-language").text)

    driver.get(url + "/")
    wait.until(ec.visibility_of_element_located((By.ID, "login-username")))
    driver.find_element(By.ID, "login-username").send_keys(AGENT_USERNAME)
    driver.find_element(By.ID, "login-password").send_keys(AGENT_PASSWORD)
    driver.find_element(By.ID, "login-submit").click()
    wait.until(ec.visibility_of_element_located((By.ID, "app")))
    wait.until(open_case)
    badge = driver.find_element(By.ID, "case-language")
    canned = Select(driver.find_element(By.ID, "canned"))
    options = [o.get_attribute("value") for o in canned.options[1:]]
    canned.select_by_index(1)
    return {
        "badge": badge.text,
        "badge_class": badge.get_attribute("class"),
        "options": options,
        "reply": driver.find_element(By.ID, "reply-text").get_attribute("value"),
    }


async def test_the_console_shows_the_language_and_offers_korean_canned_replies(
    baton: Baton,
    browser: Any,  # noqa: F811 - the imported fixture
    new_customer: Opener,
) -> None:
    customer = await new_customer(customer_id=3)
    await customer.say("상담원 연결해 주세요")
    assert customer.session_id
    agent = await AgentClient(baton.handoff_url, AGENT_USERNAME, AGENT_PASSWORD).login()
    try:
        ticket = await agent.ticket_for(customer.session_id.split(".")[0])
        first_name = ticket["context"]["customer"]["first_name"]
        shown = await asyncio.to_thread(
            _open_case_and_pick_a_canned_reply, browser, baton.handoff_url, ticket["id"]
        )
        assert shown["badge"] == "한국어 (Korean)" and "other" in shown["badge_class"]
        assert len(shown["options"]) == 5
        assert shown["options"][-1] == "오늘 더 도와드릴 일이 있을까요?"
        assert shown["reply"].startswith(f"안녕하세요 {first_name} 고객님, Lumen & Loom 팀의 ")
        await agent.close(ticket["id"])
    finally:
        await agent.logout()

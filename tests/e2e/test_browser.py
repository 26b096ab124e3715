"""A customer in a real browser: headless Chromium opens /webchat, asks, reloads."""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from tests.support.servers import Baton

pytestmark = [pytest.mark.e2e, pytest.mark.browser]

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMEDRIVER = shutil.which("chromedriver")


@contextmanager
def chromium() -> Iterator[Any]:
    """One headless Chromium with a profile of its own (removed afterwards): one person's
    browser. Two at once are two agents, or an agent and a customer."""
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
        "--disable-quic",
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
def browser() -> Iterator[Any]:
    with chromium() as driver:
        yield driver


def texts(driver: Any, who: str) -> list[str]:
    from selenium.webdriver.common.by import By

    selector = f"#baton-messages .baton-msg.baton-{who}"
    return [e.text for e in driver.find_elements(By.CSS_SELECTOR, selector)]


def bot_texts(driver: Any) -> list[str]:
    return texts(driver, "bot")


def test_a_customer_asks_in_the_browser_and_the_answer_survives_a_reload(
    baton: Baton, browser: Any, tmp_path: Path
) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys
    from selenium.webdriver.support import expected_conditions as ec
    from selenium.webdriver.support.ui import WebDriverWait

    driver = browser
    wait = WebDriverWait(driver, 30)
    driver.get(f"{baton.rasa_url}/webchat")
    wait.until(ec.element_to_be_clickable((By.ID, "baton-launcher"))).click()
    box = wait.until(ec.element_to_be_clickable((By.ID, "baton-input")))
    box.send_keys("where is my order 10001?")
    box.send_keys(Keys.ENTER)
    wait.until(lambda d: any("e-mail address or the delivery postcode" in t for t in bot_texts(d)))
    box.send_keys("jane.doe@example.com")
    driver.find_element(By.ID, "baton-send").click()
    wait.until(lambda d: any("on its way with DPD" in t for t in bot_texts(d)))
    # the tracking link is a real link, opening in a new tab
    links = driver.find_elements(By.CSS_SELECTOR, "#baton-messages a[href^='https://track.dpd']")
    assert links and links[0].get_attribute("target") == "_blank"
    driver.save_screenshot(str(tmp_path / "webchat.png"))

    driver.refresh()
    wait.until(lambda d: any("on its way with DPD" in t for t in bot_texts(d)))
    assert "where is my order 10001?" in texts(driver, "user")


def test_html_in_a_message_is_shown_as_text_not_run(baton: Baton, browser: Any) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys
    from selenium.webdriver.support import expected_conditions as ec
    from selenium.webdriver.support.ui import WebDriverWait

    driver = browser
    wait = WebDriverWait(driver, 30)
    driver.get(f"{baton.rasa_url}/webchat")
    wait.until(ec.element_to_be_clickable((By.ID, "baton-launcher"))).click()
    box = wait.until(ec.element_to_be_clickable((By.ID, "baton-input")))
    box.send_keys("<img src=x onerror=\"document.title='pwned'\">")
    box.send_keys(Keys.ENTER)
    wait.until(lambda d: len(bot_texts(d)) >= 1)
    assert texts(driver, "user")[-1].startswith("<img src=x")
    assert driver.title != "pwned"

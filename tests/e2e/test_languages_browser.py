"""The web widget in a real browser whose language is Korean: its own words are Korean from
the start, the answers are Korean, and when the customer switches to Chinese the widget's
words follow."""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from typing import Any

import pytest

from tests.support.servers import Baton

pytestmark = [pytest.mark.e2e, pytest.mark.browser]

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMEDRIVER = shutil.which("chromedriver")


@pytest.fixture
def korean_browser() -> Iterator[Any]:
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
        "--lang=ko-KR",
    ):
        options.add_argument(flag)
    options.add_experimental_option("prefs", {"intl.accept_languages": "ko-KR,ko"})
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    driver.set_page_load_timeout(30)
    try:
        yield driver
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)


def bot_texts(driver: Any) -> list[str]:
    from selenium.webdriver.common.by import By

    found = driver.find_elements(By.CSS_SELECTOR, "#baton-messages .baton-msg.baton-bot")
    return [e.text for e in found]


def test_a_korean_browser_gets_a_korean_widget_that_follows_a_switch_to_chinese(
    baton: Baton, korean_browser: Any
) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys
    from selenium.webdriver.support import expected_conditions as ec
    from selenium.webdriver.support.ui import WebDriverWait

    driver = korean_browser
    wait = WebDriverWait(driver, 30)
    driver.get(f"{baton.rasa_url}/webchat")
    launcher = wait.until(ec.element_to_be_clickable((By.ID, "baton-launcher")))
    assert launcher.get_attribute("aria-label") == "채팅 열기"
    launcher.click()
    box = wait.until(ec.element_to_be_clickable((By.ID, "baton-input")))
    assert box.get_attribute("placeholder") == "메시지를 입력하세요…"
    assert driver.find_element(By.ID, "baton-title").text == "상담하기"

    box.send_keys("주문 10001 어디쯤 왔어요?")
    box.send_keys(Keys.ENTER)
    wait.until(lambda d: any("우편번호" in t for t in bot_texts(d)))

    box.send_keys("请说中文")
    box.send_keys(Keys.ENTER)
    wait.until(lambda d: any("好的，我会用中文回复您" in t for t in bot_texts(d)))
    wait.until(
        lambda d: d.find_element(By.ID, "baton-input").get_attribute("placeholder") == "请输入消息…"
    )
    assert driver.find_element(By.ID, "baton-root").get_attribute("lang") == "zh-Hans"
    assert driver.execute_script("return window.BatonChat.getLanguage()") == "zh"

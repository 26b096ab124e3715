"""A photo from the web chat to the agent's screen, in real browsers: the customer sends it with
the widget's paperclip button, asks for a person, and the agent sees it in the console's
transcript (a thumbnail, loaded through the console's login) and opens it."""

from __future__ import annotations

import asyncio
import struct
import zlib
from pathlib import Path
from typing import Any

import pytest

from connectors.attachments import PHOTO_ACK
from infra.uploads import folder_name
from tests.e2e.test_browser import bot_texts, browser  # noqa: F401 - the Chromium fixture
from tests.support.handoff_agent import AgentClient
from tests.support.servers import AGENT_PASSWORD, AGENT_USERNAME, Baton

pytestmark = [pytest.mark.e2e, pytest.mark.browser]


def png(width: int = 40, height: int = 30) -> bytes:
    """A real (orange) PNG, so the browser draws it."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    rows = b"".join(b"\x00" + b"\xff\x80\x00" * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


def _customer_sends_a_photo(driver: Any, url: str, photo: Path, exe: Path) -> str:
    """Returns the conversation id (the session the widget keeps)."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys
    from selenium.webdriver.support import expected_conditions as ec
    from selenium.webdriver.support.ui import WebDriverWait

    wait = WebDriverWait(driver, 30)
    driver.get(f"{url}/webchat")
    wait.until(ec.element_to_be_clickable((By.ID, "baton-launcher"))).click()
    box = wait.until(ec.element_to_be_clickable((By.ID, "baton-input")))
    assert driver.find_element(By.ID, "baton-attach").is_displayed()
    wait.until(lambda d: d.execute_script("return !!localStorage.getItem('baton_session_id')"))
    # the file chooser itself is the browser's; the button opens it, selenium fills it
    driver.execute_script("document.getElementById('baton-file').hidden = false")
    chooser = driver.find_element(By.ID, "baton-file")
    chooser.send_keys(str(exe))
    wait.until(lambda d: d.find_elements(By.CSS_SELECTOR, ".baton-upload-error"))
    refused = driver.find_element(By.CSS_SELECTOR, ".baton-upload-error").text
    assert "can't be sent here" in refused
    chooser.send_keys(str(photo))
    wait.until(lambda d: PHOTO_ACK in bot_texts(d))
    shown = driver.find_elements(By.CSS_SELECTOR, "#baton-messages .baton-user img")
    assert shown and shown[-1].get_attribute("src").startswith("blob:")
    box.send_keys("I want to talk to a person")
    box.send_keys(Keys.ENTER)
    wait.until(lambda d: len(bot_texts(d)) >= 2)
    session = driver.execute_script("return localStorage.getItem('baton_session_id')")
    return str(session).split(".")[0]


def _agent_sees_the_photo(driver: Any, url: str, ticket_id: int) -> dict[str, Any]:
    from selenium.common.exceptions import StaleElementReferenceException
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as ec
    from selenium.webdriver.support.ui import WebDriverWait

    # The queue holds the other tests' cases too, and is redrawn on every live event: find
    # this customer's case and click it in one step, again on a stale reference.
    wait = WebDriverWait(driver, 30, ignored_exceptions=(StaleElementReferenceException,))

    def open_case(d: Any) -> bool:
        d.find_element(By.CSS_SELECTOR, f"#queue-waiting li[data-ticket-id='{ticket_id}']").click()
        return bool(d.find_elements(By.CSS_SELECTOR, "#transcript img.thumb"))

    driver.get(url + "/")
    wait.until(ec.visibility_of_element_located((By.ID, "login-username")))
    driver.find_element(By.ID, "login-username").send_keys(AGENT_USERNAME)
    driver.find_element(By.ID, "login-password").send_keys(AGENT_PASSWORD)
    driver.find_element(By.ID, "login-submit").click()
    wait.until(ec.visibility_of_element_located((By.ID, "app")))
    wait.until(open_case)
    # The poll's last click redraws the case once more, after the thumbnail was first seen:
    # an element held across calls may be the replaced one (a detached image never loads).
    # Read the drawn thumbnail and its link in one script, on the page as it is then.
    drawn = (
        "var i = document.querySelector('#transcript img.thumb');"
        "if (!i || !i.naturalWidth) return null;"
        "return {width: i.naturalWidth, target: i.parentNode.target, href: i.parentNode.href};"
    )
    shown = wait.until(lambda d: d.execute_script(drawn))
    href = shown["href"]
    # what the link opens: the photo's bytes, fetched with the agent's session
    fetched = driver.execute_async_script(
        "var done = arguments[arguments.length - 1];"
        "fetch(arguments[0]).then(function (r) { return r.arrayBuffer().then(function (b) {"
        " done({status: r.status, type: r.headers.get('content-type'),"
        " nosniff: r.headers.get('x-content-type-options'), size: b.byteLength}); }); });",
        href,
    )
    return {
        "width": shown["width"],
        "target": shown["target"],
        "href": href,
        "fetched": fetched,
        "transcript": driver.find_element(By.ID, "transcript").text,
    }


async def test_a_customers_photo_reaches_the_agents_transcript(
    baton: Baton,
    browser: Any,  # noqa: F811 - the imported fixture
    tmp_path: Path,
) -> None:
    photo = tmp_path / "parcel.png"
    photo.write_bytes(png())
    exe = tmp_path / "parcel.jpg"
    exe.write_bytes(b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 200)  # a program, renamed
    conversation = await asyncio.to_thread(
        _customer_sends_a_photo, browser, baton.rasa_url, photo, exe
    )
    agent = await AgentClient(baton.handoff_url, AGENT_USERNAME, AGENT_PASSWORD).login()
    try:
        ticket = await agent.ticket_for(conversation)
        seen = await asyncio.to_thread(
            _agent_sees_the_photo, browser, baton.handoff_url, ticket["id"]
        )
        await agent.close(ticket["id"])
    finally:
        await agent.logout()
    assert seen["width"] == 40
    assert seen["target"] == "_blank"
    assert "/api/attachments/" in seen["href"]
    assert seen["fetched"] == {
        "status": 200,
        "type": "image/png",
        "nosniff": "nosniff",
        "size": len(png()),
    }
    assert "[photo]" in seen["transcript"]
    kept = list((baton.var_dir / "uploads" / folder_name(conversation)).rglob("*.png"))
    assert len(kept) == 1 and kept[0].read_bytes() == png()

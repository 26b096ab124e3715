"""Notifications and the console's language in a real browser.

An agent turns notifications on in the console's settings (the browser allows them), then a
customer's handoff arrives: a browser notification names the customer and the case, and the tab
title counts the waiting cases; the customer's next message is announced too, the agent's own
reply is not, nor a reply in a case a colleague claimed; a reply the agent has not read yet
counts in the title until they open the case. An agent switches the console to Korean: the
labels are Korean at once (the search field's placeholder and the open case's transfer button
too), after a reload and after logging in again (the analytics page too), and another agent's
console stays in English. (A real transfer's notification, in two browsers, is in
tests/e2e/test_assign_console_browser.py.)

Only the handoff service runs (``python -m handoff run``, the fixture of
tests/e2e/test_canned_console_browser.py); the customer's handoff and messages arrive through
the bot's API, as the action server sends them. ``window.Notification`` is wrapped in the page
to record what is shown, with the browser's own underneath."""

from __future__ import annotations

import itertools
import time
from typing import Any

import httpx2
import pytest

from tests.e2e.test_browser import browser  # noqa: F401 - the Chromium fixture
from tests.e2e.test_canned_console_browser import (
    AGENT,
    AGENT_PASSWORD,
    LEAD,
    LEAD_PASSWORD,
    SERVICE_TOKEN,
    _log_in,
    handoff,  # noqa: F401 - the handoff service fixture
)

pytestmark = [pytest.mark.e2e, pytest.mark.browser]

_conversations = itertools.count(1)

#: Runs before the console's own scripts on every page load: records each notification and
#: each tone of the chime.
RECORD_NOTIFICATIONS = """
(function () {
  var Real = window.Notification;
  window.__shown = [];
  if (!Real) return;
  function Recorded(title, options) {
    window.__shown.push({ title: String(title), body: (options && options.body) || "" });
    return new Real(title, options);
  }
  Recorded.prototype = Real.prototype;
  Object.defineProperty(Recorded, "permission", { get: function () { return Real.permission; } });
  Recorded.requestPermission = function () {
    return Real.requestPermission.apply(Real, arguments);
  };
  window.Notification = Recorded;
  window.__tones = 0; // the chime's tones, played through WebAudio
  var start = window.OscillatorNode && window.OscillatorNode.prototype.start;
  if (start) {
    window.OscillatorNode.prototype.start = function () {
      window.__tones += 1;
      return start.apply(this, arguments);
    };
  }
})();
"""


def _bot(url: str, path: str, body: dict[str, Any]) -> dict[str, Any]:
    answer = httpx2.post(
        f"{url}/api/bot/{path}",
        json=body,
        headers={"authorization": f"Bearer {SERVICE_TOKEN}"},
        timeout=15,
    )
    assert answer.status_code == 200, answer.text
    result: dict[str, Any] = answer.json()
    return result


def _customer_hands_off(url: str, name: str) -> tuple[int, str]:
    conversation = f"notify-conv-{next(_conversations)}"
    packet = {
        "version": 1,
        "reason": {"code": "customer_asked", "text": "The customer asked for a person"},
        "conversation": {"id": conversation, "channel": "webchat"},
        "customer": {"id": "8", "name": name, "first_name": name.split()[0]},
        "orders": [],
        "transcript": [{"sender": "user", "text": "a person please"}],
    }
    return int(_bot(url, "tickets", packet)["ticket_id"]), conversation


def _allow_and_record_notifications(driver: Any, url: str) -> None:
    """The agent allowed notifications for the console (as a click on "Allow" would), and
    every page load records what it shows."""
    driver.execute_cdp_cmd(
        "Browser.grantPermissions", {"origin": url, "permissions": ["notifications"]}
    )
    record = {"source": RECORD_NOTIFICATIONS}
    driver.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", record)


def _colleague_claims(url: str, ticket_id: int) -> None:
    """The lead claims a case from a script of their own (a bearer token, no browser)."""
    login = httpx2.post(
        f"{url}/api/login",
        json={"username": LEAD, "password": LEAD_PASSWORD, "bearer": True},
        timeout=15,
    )
    assert login.status_code == 200, login.text
    claimed = httpx2.post(
        f"{url}/api/tickets/{ticket_id}/claim",
        json={},
        headers={"authorization": f"Bearer {login.json()['token']}"},
        timeout=15,
    )
    assert claimed.status_code == 200, claimed.text


def _open_case(driver: Any, queue: str, ticket_id: int, name: str) -> None:
    """Click the case in the queue (redrawn by live events: again until it opens)."""
    from selenium.common.exceptions import NoSuchElementException, StaleElementReferenceException
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    def opened(d: Any) -> bool:
        d.find_element(By.CSS_SELECTOR, f"#queue-{queue} li[data-ticket-id='{ticket_id}']").click()
        return name in d.find_element(By.ID, "case-title").text

    ignored = (StaleElementReferenceException, NoSuchElementException)
    WebDriverWait(driver, 30, ignored_exceptions=ignored).until(opened)


def _shown(driver: Any) -> list[dict[str, str]]:
    return list(driver.execute_script("return window.__shown || [];"))


def _open_settings(driver: Any) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as ec
    from selenium.webdriver.support.ui import WebDriverWait

    driver.find_element(By.ID, "settings-open").click()
    WebDriverWait(driver, 10).until(ec.visibility_of_element_located((By.ID, "settings")))


def test_an_agent_is_notified_of_a_new_case_and_the_customers_reply_but_not_their_own(
    handoff: str,  # noqa: F811 - the imported fixture
    browser: Any,  # noqa: F811 - the imported fixture
) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    driver = browser
    wait = WebDriverWait(driver, 30)
    _allow_and_record_notifications(driver, handoff)
    _log_in(driver, handoff, AGENT, AGENT_PASSWORD)
    permission = driver.execute_script("return Notification.permission;")
    quiet_title = driver.title
    _open_settings(driver)
    sound_before = driver.find_element(By.ID, "settings-sound").is_enabled()
    driver.find_element(By.ID, "settings-notifications").click()
    wait.until(lambda d: d.find_element(By.ID, "settings-state").text == "Saved.")
    sound_after = driver.find_element(By.ID, "settings-sound").is_enabled()
    driver.find_element(By.ID, "settings-close").click()
    saved = httpx2.get(f"{handoff}/api/me/preferences", cookies=_cookies(driver), timeout=10)

    ticket_id, conversation = _customer_hands_off(handoff, "Jun Seo")
    wait.until(lambda d: any(f"#{ticket_id}" in n["title"] for n in _shown(d)))
    wait.until(lambda d: d.title.startswith("(1) "))
    new_case = _shown(driver)[-1]
    title_one = driver.title
    tones = driver.execute_script("return window.__tones;")

    _bot(handoff, "messages", {"conversation_id": conversation, "key": "k-1", "text": "hello?"})
    wait.until(lambda d: len(_shown(d)) == 2)
    reply = _shown(driver)[-1]

    second_id, second_conversation = _customer_hands_off(handoff, "Ana Lima")
    wait.until(lambda d: d.title.startswith("(2) "))
    wait.until(lambda d: len(_shown(d)) == 3)

    # The agent's own work: claim the first case and answer; nothing is announced.
    _open_case(driver, "waiting", ticket_id, "Jun Seo")
    driver.find_element(By.ID, "claim").click()
    wait.until(lambda d: not d.find_element(By.ID, "claim").is_displayed())
    driver.find_element(By.ID, "reply-text").send_keys("Hello Jun, I am on it.")
    driver.find_element(By.ID, "reply-send").click()
    wait.until(lambda d: d.find_element(By.ID, "reply-state").text == "sent")
    wait.until(lambda d: d.title.startswith("(1) "))  # one case still waiting
    time.sleep(1.0)  # any late live event would have arrived
    after_own_work = len(_shown(driver))

    # A colleague claims the second case: the customer's reply there is theirs to see.
    _colleague_claims(handoff, second_id)
    wait.until(lambda d: d.title == "Baton · agent console")  # nothing waits any more
    _bot(handoff, "messages", {"conversation_id": second_conversation, "key": "k-2", "text": "hi"})
    # The agent looks elsewhere (the second case); their own customer writes again.
    _open_case(driver, "active", second_id, "Ana Lima")
    _bot(handoff, "messages", {"conversation_id": conversation, "key": "k-3", "text": "thanks!"})
    wait.until(lambda d: len(_shown(d)) == 4)
    own_reply = _shown(driver)[-1]
    wait.until(lambda d: d.title == "(1) Baton · agent console")  # one reply not read
    unread_title = driver.title
    _open_case(driver, "active", ticket_id, "Jun Seo")
    wait.until(lambda d: d.title == "Baton · agent console")

    assert permission == "granted"
    assert quiet_title == "Baton · agent console"
    assert (sound_before, sound_after) == (False, True)
    assert saved.json()["preferences"] == {"language": None, "notifications": True, "sound": True}
    assert new_case["title"] == f"New case #{ticket_id}: Jun Seo"
    assert "The customer asked for a person" in new_case["body"]
    assert title_one == "(1) Baton · agent console"
    assert tones == 2  # the chime: two short tones
    assert reply == {"title": f"Reply from Jun Seo (#{ticket_id})", "body": "hello?"}
    assert _shown(driver)[2]["title"] == f"New case #{second_id}: Ana Lima"
    assert after_own_work == 3
    assert own_reply == {"title": f"Reply from Jun Seo (#{ticket_id})", "body": "thanks!"}
    assert unread_title == "(1) Baton · agent console"
    assert [n["body"] for n in _shown(driver)].count("hi") == 0  # the colleague's case


def test_a_transfer_to_the_agent_is_announced_without_sound_when_the_sound_is_off(
    handoff: str,  # noqa: F811 - the imported fixture
    browser: Any,  # noqa: F811 - the imported fixture
) -> None:
    """Only a transfer to this agent by someone else is announced (one without a recipient,
    to another agent or by the agent themselves is not), and with the sound off no chime
    plays. The "transfer" live event comes from the teams part of the service; here it is
    handed to the console's live-event handling as the socket would."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    driver = browser
    wait = WebDriverWait(driver, 30)
    _allow_and_record_notifications(driver, handoff)
    ticket_id, _ = _customer_hands_off(handoff, "Mei Chen")
    _log_in(driver, handoff, AGENT, AGENT_PASSWORD)
    _open_settings(driver)
    driver.find_element(By.ID, "settings-notifications").click()
    wait.until(lambda d: d.find_element(By.ID, "settings-state").text == "Saved.")
    driver.execute_script("document.getElementById('settings-state').textContent = '';")
    driver.find_element(By.ID, "settings-sound").click()  # silent, this time
    wait.until(lambda d: d.find_element(By.ID, "settings-state").text == "Saved.")
    me = httpx2.get(f"{handoff}/api/me", cookies=_cookies(driver), timeout=10).json()["agent"]["id"]
    ticket = {"id": ticket_id, "customer_name": "Mei Chen"}

    events = [
        {"type": "transfer", "ticket": ticket},  # no to_agent_id: ignored
        {"type": "transfer", "ticket": ticket, "to_agent_id": me + 1000},  # someone else
        {"type": "transfer", "ticket": ticket, "to_agent_id": me, "by_agent_id": me},  # own
        {"type": "transfer", "ticket_id": ticket_id, "to_agent_id": me, "by_agent_name": "Sam"},
    ]
    for event in events:
        driver.execute_script("window.BatonNotify.event(arguments[0]);", event)
    wait.until(lambda d: len(_shown(d)) >= 1)
    time.sleep(0.5)

    assert [n["title"] for n in _shown(driver)] == [f"Sam transferred case #{ticket_id} to you"]
    assert driver.execute_script("return window.__tones;") == 0


def _cookies(driver: Any) -> dict[str, str]:
    return {c["name"]: c["value"] for c in driver.get_cookies()}


def test_an_agent_switches_the_console_to_korean_and_it_stays_korean(
    handoff: str,  # noqa: F811 - the imported fixture
    browser: Any,  # noqa: F811 - the imported fixture
) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as ec
    from selenium.webdriver.support.ui import Select, WebDriverWait

    driver = browser
    wait = WebDriverWait(driver, 30)

    def heading(d: Any) -> str:
        # As written (the stylesheet shows the queue's headings in capitals)
        return str(d.find_element(By.ID, "heading-waiting").get_attribute("textContent"))

    def placeholder(d: Any) -> str:
        return str(d.find_element(By.ID, "search-q").get_attribute("placeholder"))

    _log_in(driver, handoff, AGENT, AGENT_PASSWORD)
    english = heading(driver)
    # An open case of the agent's (claimed: nothing waits, the tab title stays plain).
    ticket_id, _ = _customer_hands_off(handoff, "Min Ji")
    _open_case(driver, "waiting", ticket_id, "Min Ji")
    driver.find_element(By.ID, "claim").click()
    wait.until(lambda d: not d.find_element(By.ID, "claim").is_displayed())
    english_case = {
        "search": placeholder(driver),
        "transfer": wait.until(ec.visibility_of_element_located((By.ID, "assign-open"))).text,
    }
    _open_settings(driver)
    Select(driver.find_element(By.ID, "settings-language")).select_by_value("ko")
    wait.until(lambda d: heading(d) == "대기 중")
    saved_note = driver.find_element(By.ID, "settings-state").text
    at_once = {
        "settings": driver.find_element(By.ID, "settings-title").text,
        "logout": driver.find_element(By.ID, "logout").text,
        "status": driver.find_element(By.ID, "status-line").text,
        "search": placeholder(driver),
        "transfer": driver.find_element(By.ID, "assign-open").text,
    }

    driver.refresh()
    wait.until(ec.visibility_of_element_located((By.ID, "app")))
    wait.until(lambda d: heading(d) == "대기 중")
    reloaded = {
        "title": driver.title,
        "lang": driver.execute_script("return document.documentElement.lang;"),
        "claim_hint": driver.find_element(By.ID, "case-empty").text,
    }

    driver.find_element(By.ID, "logout").click()
    wait.until(ec.visibility_of_element_located((By.ID, "login-username")))
    driver.execute_script("window.localStorage.clear();")  # the preference, not this browser
    _log_in(driver, handoff, AGENT, AGENT_PASSWORD)
    wait.until(lambda d: heading(d) == "대기 중")
    relogin = heading(driver)
    driver.get(handoff + "/dashboard")  # the analytics page follows (the agent is no lead)
    wait.until(lambda d: d.find_element(By.ID, "app").is_displayed())
    dashboard = {
        "heading": driver.find_element(By.CSS_SELECTOR, ".topbar [data-i18n='dash.heading']").text,
        "show": driver.find_element(By.ID, "f-apply").text,
    }
    driver.get(handoff + "/")
    wait.until(lambda d: heading(d) == "대기 중")

    driver.find_element(By.ID, "logout").click()
    wait.until(ec.visibility_of_element_located((By.ID, "login-username")))
    _log_in(driver, handoff, LEAD, LEAD_PASSWORD)
    wait.until(lambda d: heading(d) == "Waiting")
    colleague = heading(driver)

    assert english == "Waiting"
    assert saved_note == "저장했습니다."
    assert at_once["settings"] == "설정" and at_once["logout"] == "로그아웃"
    assert "상담원" in at_once["status"] and "접속 중" in at_once["status"]
    assert english_case == {
        "search": "Search cases: order, e-mail, phone, name, words… (Ctrl+Shift+F)",
        "transfer": "Transfer / release…",
    }
    assert at_once["search"] == "상담 검색: 주문번호, 이메일, 전화번호, 이름, 단어… (Ctrl+Shift+F)"
    assert at_once["transfer"] == "이관 / 대기열로 반환…"
    assert reloaded == {
        "title": "Baton · 상담원 콘솔",
        "lang": "ko",
        "claim_hint": "대기열에서 상담을 선택하세요.",
    }
    assert relogin == "대기 중"
    assert dashboard == {"heading": "상담 분석", "show": "보기"}
    assert colleague == "Waiting"

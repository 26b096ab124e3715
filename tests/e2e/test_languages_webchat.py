"""Korean and Chinese customers over the real web chat, with all three servers running.

A Korean customer asking where a shipped order is gets the answer in Korean, with the dates,
the scan and the carrier formatted for Korean from the shop's own data; a customer who
switches to Chinese midway keeps the question in progress and gets the answer in Chinese;
a Korean customer who asks for a person is told the wait in Korean, and the agent sees the
language on the ticket and gets Korean canned replies.
"""

from __future__ import annotations

import json
import re
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from actions.services import shop_text
from actions.services.formatting import day, moment
from actions.store.models import Order
from tests.support.handoff_agent import AgentClient
from tests.support.servers import AGENT_PASSWORD, AGENT_USERNAME, Baton
from tests.support.webchat_client import WebChatCustomer

pytestmark = pytest.mark.e2e
Opener = Callable[..., Awaitable[WebChatCustomer]]
OrderLoader = Callable[[str], Awaitable[Order]]
SHOP_TZ = ZoneInfo("Europe/London")
HANGUL = re.compile(r"[\uac00-\ud7a3]")
HAN = re.compile(r"[\u4e00-\u9fff]")
RMA = re.compile(r"RMA-\d{5}")


def shop_today() -> datetime:
    return datetime.now(SHOP_TZ)


@pytest.fixture
async def agent(baton: Baton) -> AsyncIterator[AgentClient]:
    client = await AgentClient(baton.handoff_url, AGENT_USERNAME, AGENT_PASSWORD).login()
    yield client
    await client.logout()


async def test_a_korean_customer_gets_a_shipped_order_in_korean_with_korean_dates(
    new_customer: Opener, load_order: OrderLoader
) -> None:
    customer = await new_customer()
    asked = await customer.say("주문 10001 어디쯤 왔어요?")
    assert "이메일 주소나 배송지 우편번호" in asked.text
    answer = (await customer.say("jane.doe@example.com")).text

    order = await load_order("10001")
    [parcel] = order.shipments
    today = shop_today().date()
    latest = parcel.latest_event
    assert parcel.estimated_delivery is not None and latest is not None
    assert answer.startswith("10001번 주문은 DPD에서 배송 중이에요.")
    assert f"도착 예정: {day(parcel.estimated_delivery, today, 'ko')}" in answer
    assert moment(latest.occurred_at, SHOP_TZ, today, "ko") in answer
    assert shop_text.scan(latest.description, latest.status, "ko") in answer
    assert parcel.tracking_url in answer
    # nothing composed in English slipped in: no English weekday, month or "today at"
    assert not re.search(r"\b(today|tomorrow|Monday|Tuesday|Wednesday|Thursday|Friday)\b", answer)
    assert not re.search(r"\b(January|February|March|November|December|at \d\d:\d\d)\b", answer)


async def test_switching_to_chinese_midway_keeps_the_question_and_answers_in_chinese(
    new_customer: Opener, load_order: OrderLoader
) -> None:
    customer = await new_customer()
    asked = await customer.say("제 택배 어디 있어요? 주문번호 10003")
    assert HANGUL.search(asked.text) and "우편번호" in asked.text
    switched = await customer.say("请说中文")
    assert "好的，我会用中文回复您。" in switched.text
    # the order question carries on, now in Chinese, without asking for the number again
    assert "电子邮箱地址或收货地址的邮政编码" in switched.texts[-1]
    assert not HANGUL.search(switched.text)
    answer = (await customer.say("D02 X285")).text

    order = await load_order("10003")
    [parcel] = order.shipments
    assert parcel.estimated_delivery is not None
    assert "10003" in answer and not HANGUL.search(answer)
    assert day(parcel.estimated_delivery, shop_today().date(), "zh") in answer
    assert HAN.search(answer)


async def test_a_korean_handoff_tells_the_wait_in_korean_and_the_agent_sees_the_language(
    baton: Baton, agent: AgentClient, new_customer: Opener
) -> None:
    customer = await new_customer(customer_id=1)
    asked = await customer.say("상담원 연결해 주세요")
    assert HANGUL.search(asked.text)
    assert "passing you" not in asked.text
    assert customer.session_id
    conversation = customer.session_id.split(".")[0]

    detail = await agent.ticket_for(conversation)
    assert detail["context"]["language"] == {"code": "ko", "name": "한국어 (Korean)"}
    canned = await agent.ok("GET", "/api/canned-replies")
    assert all(HANGUL.search(text) for text in canned["by_language"]["ko"])
    assert "{first_name}" in canned["by_language"]["ko"][0]

    # Closing hands the conversation back: the rating question comes in Korean too.
    await agent.close(detail["id"])
    resumed = await customer.listen(timeout=10)
    texts = [m.get("text", "") for m in resumed if m.get("text")]
    assert texts and all(HANGUL.search(t) for t in texts)


async def test_a_customer_writing_traditional_chinese_is_answered_in_traditional(
    new_customer: Opener,
) -> None:
    customer = await new_customer()
    asked = await customer.say("我的訂單10007到哪了？")
    assert "為保護您的訂單隱私" in asked.text
    answer = (await customer.say("jane.doe@example.com")).text
    assert "10007" in answer and "訂單" in answer
    assert "订单" not in answer  # no simplified form of a character the answer uses


async def test_a_korean_customer_returns_an_order_at_a_store_in_korean(
    new_customer: Opener, load_order: OrderLoader
) -> None:
    # 10101: delivered yesterday, £117, used by no other test
    customer = await new_customer()
    asked = await customer.say("주문 10101 반품하고 싶어요")
    assert "이메일 주소나 배송지 우편번호" in asked.text
    turn = await customer.say("B15 6DZ")
    if any("items:" in str(b["payload"]) for b in turn.buttons):  # several items: pick one
        turn = await customer.say(str(turn.buttons[0]["payload"]))
    assert "사이즈가 맞지 않음" in [b["title"] for b in turn.buttons]  # the reasons, in Korean

    method = await customer.say(choice("reason", "doesnt_fit"))
    assert str(method.buttons[0]["title"]).startswith("매장 반납 (")
    stores = await customer.say("매장에 직접 가져갈게요")  # typed, in Korean: drop-off
    assert "B15 6DZ" in stores.text and re.search(r"오늘 (영업|휴무)", stores.text)
    assert re.search(r"[월화수목금토일](–[월화수목금토일])? \d\d:\d\d–\d\d:\d\d", stores.text)
    refund = await customer.say(str(stores.buttons[0]["payload"]))
    assert "적립금 (더 빠름)" in [b["title"] for b in refund.buttons]
    summary = await customer.say("적립금으로 주세요")  # typed, in Korean: store credit
    assert [b["title"] for b in summary.buttons] == ["네, 반품을 접수해 주세요", "취소"]
    assert "적립금" in summary.text and HANGUL.search(summary.text)
    done = (await customer.say("네")).text
    assert RMA.search(done) and HANGUL.search(done)
    assert not re.search(r"\b(today|tomorrow|Monday|Tuesday|Wednesday|Thursday|Friday)\b", done)


def choice(kind: str, value: str) -> str:
    return "/inform" + json.dumps({"return_choice": f"{kind}:{value}"}, separators=(",", ":"))

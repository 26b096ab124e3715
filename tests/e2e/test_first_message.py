"""Customers who say everything at once, and stock widgets that open the chat.

A customer who writes the order number and the e-mail or postcode in their first message gets
the answer straight away, in English, Korean and Chinese, however the number and the postcode
are written. A stock Rasa web chat widget that opens the chat with an empty message or
"/get_started" is greeted; a customer who sends nothing later still gets the hint.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import pytest
import zhconv

from connectors.webchat import EMPTY_HINT
from tests.support.webchat_client import WebChatCustomer

pytestmark = pytest.mark.e2e

Opener = Callable[..., Awaitable[WebChatCustomer]]
ASKS_FOR_PROOF = ("e-mail address or the delivery postcode", "우편번호", "邮政编码")
PACKED = {
    "en": "order 10006 is packed and ready to go",
    "ko": "10006번 주문은 포장을 마치고",
    "zh": "订单10006已打包完毕",
}


@pytest.mark.parametrize(
    "lang, message",
    [
        ("en", "where is my parcel, order #10006, postcode EH1 1YZ"),
        ("en", "hi can u check no. 10006 for me, my email is ewan.campbell@example.com thanks"),
        ("en", "Order 10006 hasn't come yet?? postcode EH11YZ"),
        ("ko", "주문번호 10006 어디쯤 왔나요? 우편번호는 EH1 1YZ 입니다"),
        ("ko", "10006번 주문 배송 언제 와요 이메일 ewan.campbell@example.com"),
        ("zh", "订单号10006到哪了 我的邮箱是ewan.campbell@example.com"),
        ("zh", "請問訂單10006什麼時候發貨 郵編EH1 1YZ"),
    ],
)
async def test_an_order_number_and_proof_in_one_message_are_answered_at_once(
    new_customer: Opener, lang: str, message: str
) -> None:
    customer = await new_customer()
    answer = await customer.say(message)
    # a customer writing traditional Chinese is answered in traditional characters
    text = zhconv.convert(answer.text, "zh-cn") if lang == "zh" else answer.text
    assert PACKED[lang] in text, answer.text
    assert not any(ask in text for ask in ASKS_FOR_PROOF)


async def test_a_wrong_proof_given_up_front_is_refused_and_asked_for_again(
    new_customer: Opener,
) -> None:
    customer = await new_customer()
    answer = await customer.say("where is order 10006? my postcode is SW1A 1AA")
    assert "is packed" not in answer.text
    assert "doesn't match" in answer.text or "don't match" in answer.text, answer.text
    retry = await customer.say("sorry, EH1 1YZ")
    assert PACKED["en"] in retry.text


async def test_a_return_with_the_proof_in_the_first_message_skips_the_question(
    new_customer: Opener,
) -> None:
    customer = await new_customer()
    answer = await customer.say(
        "I want to return something from order no. 10013, my email is priya.shah@example.com"
    )
    assert not any(ask in answer.text for ask in ASKS_FOR_PROOF), answer.text
    assert "10013" in answer.text and "window" in answer.text


async def test_a_refund_question_with_the_proof_in_the_first_message_is_answered(
    new_customer: Opener,
) -> None:
    customer = await new_customer()
    answer = await customer.say(
        "has the refund for RMA-20005 gone through yet? george.wilson@example.co.uk"
    )
    assert not any(ask in answer.text for ask in ASKS_FOR_PROOF), answer.text
    assert "RMA-20005" in answer.text


@pytest.mark.parametrize("opening", ["", None, "/get_started", "get_started"])
async def test_a_stock_widget_opening_the_chat_is_greeted(
    new_customer: Opener, opening: str | None
) -> None:
    customer = await new_customer()
    greeting = await customer.say(opening)
    assert greeting.text and EMPTY_HINT not in greeting.text
    assert "catch that" not in greeting.text
    assert "order" in greeting.text.lower()  # the greeting says what Baton can do


async def test_sending_nothing_after_the_opening_still_gets_the_hint(new_customer: Opener) -> None:
    customer = await new_customer()
    await customer.say("/get_started")
    assert (await customer.say("   ")).text == EMPTY_HINT

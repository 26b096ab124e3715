"""Cancelling some items of an order over the real web chat on the built-in shop (the platform
backends cancel whole orders only): two of four items tapped one by one, what comes back shown
before confirming, a double tap on "Yes", and "where is my refund?" afterwards; and a whole
multi-item order cancelled in Chinese.

Orders from the generated part of the demo shop that no other test uses: 10115 (paid £228.99
by Visa ending 1881, four items), 10105 (paid by Google Pay, two items).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from decimal import Decimal

import pytest

from actions.store.models import Order
from tests.support.webchat_client import WebChatCustomer

pytestmark = pytest.mark.e2e

NewCustomer = Callable[..., Awaitable[WebChatCustomer]]
OrderLoader = Callable[[str], Awaitable[Order]]


async def test_two_of_four_items_are_cancelled_and_refunded_once_the_rest_goes_ahead(
    new_customer: NewCustomer, load_order: OrderLoader
) -> None:
    before = await load_order("10115")
    bulb, duvet = before.items[1], before.items[2]
    customer = await new_customer()
    await customer.say("I want to cancel my order 10115", timeout=60)
    asked = await customer.say("emily.bennett@example.com", timeout=60)
    assert "the whole order, or only some items?" in asked.text, asked.text
    assert "2. Smart LED bulb, 2-pack" in asked.text
    by_title = {b["title"]: b["payload"] for b in asked.buttons}
    assert "The whole order" in by_title and "That's all" not in by_title
    tapped = await customer.say(by_title["2. Smart LED bulb, 2-pack"], timeout=60)
    assert "So far: Smart LED bulb, 2-pack" in tapped.text, tapped.text
    by_title = {b["title"]: b["payload"] for b in tapped.buttons}
    assert "2. Smart LED bulb, 2-pack" not in by_title
    last = await customer.say(by_title["3. Washed linen duvet cover, double"], timeout=60)
    by_title = {b["title"]: b["payload"] for b in last.buttons}
    confirm = await customer.say(by_title["That's all"], timeout=60)
    assert "Smart LED bulb, 2-pack and Washed linen duvet cover, double" in confirm.text, (
        confirm.text
    )
    assert "£119.99 back to Visa ending 1881" in confirm.text, confirm.text
    # a double tap: both "Yes" reach the bot; the second finds the form already done
    turns = await asyncio.gather(
        customer.say("/affirm", timeout=60), customer.say("/affirm", timeout=60)
    )
    said = " ".join(t.text for t in turns)
    assert said.count("cancelled from order 10115") == 1, said
    assert "£119.99 is on its way back to Visa ending 1881" in said
    after = await load_order("10115")
    assert after.status == "paid"
    gone = {i.id for i in after.items if i.cancelled_at is not None}
    assert gone == {bulb.id, duvet.id}  # the gift card and the alarm clock still ship
    refunded = sum((i.refunded or Decimal(0) for i in after.items), Decimal(0))
    assert refunded == Decimal("119.99")  # once, not twice
    refund = await customer.say("where is my refund for order 10115?", timeout=60)
    assert "we refunded £119.99 to Visa ending 1881" in refund.text, refund.text


async def test_a_chinese_customer_cancels_a_whole_multi_item_order_in_chinese(
    new_customer: NewCustomer, load_order: OrderLoader
) -> None:
    customer = await new_customer()
    asked = await customer.say("我想取消订单 10105", timeout=60)
    assert "邮箱" in asked.text or "邮编" in asked.text, asked.text
    which = await customer.say("charlie.ahmed@example.co.uk", timeout=60)
    assert "要取消整个订单，还是只取消部分商品？" in which.text, which.text
    by_title = {b["title"]: b["payload"] for b in which.buttons}
    confirm = await customer.say(by_title["整个订单"], timeout=60)
    assert "要取消整个订单吗？" in confirm.text and "Google Pay" in confirm.text, confirm.text
    done = await customer.say("/affirm", timeout=60)
    assert "已完成：订单 10105 已取消" in done.text, done.text
    cancelled = await load_order("10105")
    assert (cancelled.status, cancelled.payment_status) == ("cancelled", "refunded")

"""Cancelling an order over the real web chat, on every shop backend (built-in tables, Shopify
and WooCommerce through their fakes): the proof, what comes back before the customer
confirms, the cancellation itself, asking twice, changing one's mind, and too late.

Orders from the generated part of the demo shop that no other test uses: a cancellation
changes them for the rest of the session.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import pytest

from actions.store.models import Order
from tests.support.shop_backends import baton_on_every_shop_backend  # noqa: F401
from tests.support.webchat_client import ASK_PROOF, WebChatCustomer, proven

pytestmark = pytest.mark.e2e

NewCustomer = Callable[..., Awaitable[WebChatCustomer]]
OrderLoader = Callable[[str], Awaitable[Order]]


async def test_a_paid_order_is_cancelled_after_the_customer_sees_the_refund_and_confirms(
    new_customer: NewCustomer, load_order: OrderLoader
) -> None:
    customer = await new_customer()
    offer = await customer.say("I want to cancel my order 10112", timeout=60)
    assert ASK_PROOF in offer.text, offer.text
    confirm = await customer.say("amara.edwards@example.com", timeout=60)
    assert "hasn't left our warehouse yet, so I can cancel it" in confirm.text, confirm.text
    assert "back to Mastercard ending 4444 by" in confirm.text
    total = (await load_order("10112")).total
    assert f"£{total}" in confirm.text
    assert [b["payload"] for b in confirm.buttons] == ["/affirm", "/deny"]
    done = await customer.say("/affirm", timeout=60)
    assert "Done: order 10112 is cancelled" in done.text, done.text
    assert "on its way back to Mastercard ending 4444" in done.text
    cancelled = await load_order("10112")
    assert (cancelled.status, cancelled.payment_status) == ("cancelled", "refunded")
    # The order question now says so, and asking to cancel again cancels nothing twice.
    status = await customer.say("where is my order 10112?", timeout=60)
    assert "was cancelled" in status.text, status.text
    again = await customer.say("please cancel order 10112", timeout=60)
    assert "is already cancelled" in again.text, again.text
    refund = await customer.say("where is my refund for order 10112?", timeout=60)
    assert "We refunded" in refund.text and "Mastercard ending 4444" in refund.text, refund.text


async def test_an_order_not_charged_yet_is_cancelled_with_nothing_to_refund(
    new_customer: NewCustomer, load_order: OrderLoader
) -> None:
    customer = await new_customer()
    confirm = await proven(customer, "can you cancel order 10117", "clodagh.ryan@example.ie")
    assert "You haven't been charged for it" in confirm.text, confirm.text
    done = await customer.say("/affirm", timeout=60)
    assert "You weren't charged, so there is nothing to refund" in done.text, done.text
    assert (await load_order("10117")).status == "cancelled"


async def test_saying_no_at_the_last_step_changes_nothing(
    new_customer: NewCustomer, load_order: OrderLoader
) -> None:
    customer = await new_customer()
    before = await load_order("10104")
    confirm = await proven(customer, "cancel my order 10104", "freya.lewis@example.com")
    assert "Shall I cancel the whole order?" in confirm.text, confirm.text
    kept = await customer.say("/deny", timeout=60)
    assert "order 10104 goes ahead as planned" in kept.text, kept.text
    after = await load_order("10104")
    assert (after.status, after.payment_status) == (before.status, before.payment_status)


async def test_an_order_on_its_way_cannot_be_cancelled_and_a_return_is_offered(
    new_customer: NewCustomer,
) -> None:
    customer = await new_customer()
    refused = await proven(customer, "I need to cancel order 10001", "jane.doe@example.com")
    assert "has already left our warehouse" in refused.text, refused.text
    payloads = [b["payload"] for b in refused.buttons]
    assert '/return_item{"order_number":"10001"}' in payloads and "/human_handoff" in payloads


async def test_a_delivered_order_is_not_cancelled_but_can_be_returned(
    new_customer: NewCustomer,
) -> None:
    customer = await new_customer()
    refused = await proven(customer, "cancel order 10002", "SW1A 1AA")
    assert "has been delivered, so there's nothing left to cancel" in refused.text, refused.text


async def test_someone_elses_order_needs_their_proof_before_anything_is_said(
    new_customer: NewCustomer, load_order: OrderLoader
) -> None:
    customer = await new_customer()
    asked = await customer.say("cancel order 10119", timeout=60)
    assert ASK_PROOF in asked.text
    wrong = await customer.say("not-grace@example.com", timeout=60)
    assert "Apple Pay" not in wrong.text and "cancel it" not in wrong.text
    assert (await load_order("10119")).status != "cancelled"


async def test_a_korean_customer_cancels_in_korean(
    new_customer: NewCustomer, load_order: OrderLoader
) -> None:
    customer = await new_customer()
    asked = await customer.say("주문 10106 취소해 주세요", timeout=60)
    assert "이메일" in asked.text or "우편번호" in asked.text, asked.text
    confirm = await customer.say("saoirse.lynch@example.ie", timeout=60)
    assert "취소할까요?" in confirm.text, confirm.text
    done = await customer.say("/affirm", timeout=60)
    assert "주문 10106이(가) 취소되었어요" in done.text, done.text
    assert (await load_order("10106")).status == "cancelled"

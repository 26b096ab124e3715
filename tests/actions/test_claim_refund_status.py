"""'Where is my refund?' after a delivery-problem claim was refunded: the real refund-status
action against the in-memory demo shop, and the answer's words. Order 10011: delivered, £75.99
by Visa ending 4242, no return; its 22.00 vase was claimed damaged and refunded."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from rasa_sdk.executor import CollectingDispatcher

from actions.refunds import ActionRefundStatus
from actions.services.refunds import describe_claim_refunds
from actions.shop.claim_payment import ClaimRefund
from actions.store.models import Address, ClaimRefundPaid, Order
from bot import names
from tests.support.fake_shop import FakeShop
from tests.support.trackers import responses, tracker

NUMBER = "10011"


async def refunded(shop: FakeShop) -> Order:
    order = await shop.order(NUMBER)
    assert order is not None and order.payment_status == "paid"
    vase = next(i for i in order.items if i.unit_price == Decimal("22.00"))
    refund = ClaimRefund(NUMBER, "CLM-30001", Decimal("22.00"), "GBP", ((vase.id, 1),), "damaged")
    return (await shop.refund_claim(NUMBER, refund)).order


async def test_where_is_my_refund_says_what_the_claim_paid_back(fake_shop: FakeShop) -> None:
    order = await refunded(fake_shop)
    assert await fake_shop.returns_for_order(NUMBER) == []
    asked = CollectingDispatcher()
    slots = {names.SLOT_CUSTOMER_ID: str(order.customer_id), names.SLOT_REFUND_REFERENCE: NUMBER}
    await ActionRefundStatus().run(asked, tracker(slots), {})
    assert responses(asked) == ["utter_order_claim_refunded"]
    said = asked.messages[0]
    assert (said["claims"], said["amount"], said["order_number"]) == ("CLM-30001", "£22.00", NUMBER)
    assert said["payment_method"] == order.payment_method and said["refunded_date"] == "today"


async def test_in_korean_the_card_and_the_day_are_korean(fake_shop: FakeShop) -> None:
    order = await refunded(fake_shop)
    asked = CollectingDispatcher()
    slots = {
        names.SLOT_CUSTOMER_ID: str(order.customer_id),
        names.SLOT_REFUND_REFERENCE: NUMBER,
        names.SLOT_LANGUAGE: "ko",
    }
    await ActionRefundStatus().run(asked, tracker(slots), {})
    said = asked.messages[0]
    assert order.payment_method == "Visa ending 4242"
    assert (said["payment_method"], said["amount"], said["refunded_date"]) == (
        "Visa(끝자리 4242)",
        "22.00파운드",
        "오늘",
    )


def test_several_claims_are_summed_with_the_latest_day() -> None:
    def paid(claim: str, amount: str, day: int) -> ClaimRefundPaid:
        return ClaimRefundPaid(claim, Decimal(amount), "EUR", "PayPal", datetime(2026, 12, day, 9))

    order = Order(
        1, "10019", 1, "delivered", datetime(2026, 11, 20), None, "EUR", Decimal("67.00"),
        Decimal("0.00"), Decimal("67.00"), None, None, None, None, "partially_refunded", None,
        "PayPal", Address("1 Quay St", None, "Galway", "H91 X2Y3", "IE"), "x@example.com",
        claim_refunds=(paid("CLM-30004", "17.00", 2), paid("CLM-30007", "25.00", 4)),
    )  # fmt: skip
    reply = describe_claim_refunds(order, datetime(2026, 12, 7, 12), ZoneInfo("Europe/Dublin"))
    assert reply.params["claims"] == "CLM-30004 and CLM-30007"
    assert reply.params["amount"] == "€42.00" and reply.params["payment_method"] == "PayPal"
    assert reply.params["refunded_date"] == "Friday 4 December"

"""The problem form's answers read from what customers write (English, Korean, Chinese), and
each decision in plain words: the remedy and the amount, why it is a refund, the hours left and
where to look, the other parcel, the last day (actions/services/problems_choice.py and
problems_replies.py; pure, on hand-built orders)."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Optional
from zoneinfo import ZoneInfo

import pytest

from actions.services import problems_choice, problems_replies
from actions.services.problems import decide
from actions.services.problems_decision import StockLookup
from actions.services.problems_policy import parse_policy
from actions.store.models import OrderItem
from tests.actions.fixtures import NOW, order, parcel
from tests.actions.test_problems_policy import raw

LONDON = ZoneInfo("Europe/London")
POLICY = parse_policy(raw())
DUVET = OrderItem(1, "HW-1", "Linen duvet cover", "bedding", 1, Decimal("79.00"))
MUGS = OrderItem(3, "HW-3", "Stoneware mug", "kitchen", 2, Decimal("8.00"))
PHOTO = "uploads/web-conv-1/0123456789abcdef0123456789abcdef.jpg"


def stock(answer: Optional[bool]) -> StockLookup:
    return lambda sku, quantity: answer


@pytest.mark.parametrize(
    ("words", "kind"),
    [
        ("tracking says delivered but i never got it", "not_received"),
        ("my parcel's gone missing", "not_received"),
        ("the mugs weren't in the box", "missing_item"),
        ("the vase arrived in pieces", "damaged"),
        ("you sent me the wrong size", "wrong_item"),
        ("배송완료라고 뜨는데 못 받았어요", "not_received"),
        ("구성품이 빠져 있어요", "missing_item"),
        ("컵이 깨져서 왔어요", "damaged"),
        ("다른 상품이 왔어요", "wrong_item"),
        ("显示已签收但是我没收到", "not_received"),
        ("少了一件", "missing_item"),
        ("杯子碎了", "damaged"),
        ("发错货了", "wrong_item"),
        ('/inform{"return_choice":"problem:damaged"}', "damaged"),
        ("hello there", None),
        ("problem:lost", None),
    ],
)
def test_what_went_wrong_in_the_customers_own_words(words: str, kind: Optional[str]) -> None:
    assert problems_choice.kind_in(words) == kind


def test_a_later_answer_names_the_kind_before_an_earlier_message() -> None:
    assert problems_choice.kind_in_any(["it came broken", "it never arrived"]) == "damaged"


def test_an_item_by_position_only_in_an_answer_never_from_a_number_in_a_story() -> None:
    items = (DUVET, MUGS)
    assert problems_choice.item_in("2", items) == MUGS
    assert problems_choice.item_in("ordered 2 days ago", items, by_position=False) is None
    assert problems_choice.item_in("the mugs", items, by_position=False) == MUGS
    assert problems_choice.item_in("both of them", items) is None


def test_only_an_image_reference_the_connectors_write_is_a_photo() -> None:
    good = {"kind": "image", "path": PHOTO}
    assert problems_choice.photo_in({"attachments": [good]}) == PHOTO
    assert (
        problems_choice.photo_in({"attachments": [{"kind": "image", "path": "../x.png"}]}) is None
    )
    pdf = {"kind": "application", "path": PHOTO.replace(".jpg", ".pdf")}
    assert problems_choice.photo_in({"attachments": [pdf]}) is None
    assert problems_choice.photo_in(None) is None


def test_a_replacement_in_stock_is_offered_free_and_a_kept_item_need_not_go_back() -> None:
    shop_order = order(
        status="delivered",
        shipments=(parcel("delivered", delivered_at=NOW - timedelta(days=3)),),
        items=(DUVET, MUGS),
        total=Decimal("95.00"),
    )
    decision = decide("damaged", shop_order, POLICY, NOW, stock(True), MUGS, photo=PHOTO)
    reply = problems_replies.confirm(decision, shop_order, "en")
    assert reply.response == "utter_confirm_problem_replacement"
    assert reply.params["items"] == "2 × Stoneware mug"
    assert reply.params["note"] == " You don't need to send anything back."


def test_out_of_stock_is_a_refund_and_says_why_in_korean() -> None:
    shop_order = order(
        status="delivered",
        shipments=(parcel("delivered", delivered_at=NOW - timedelta(days=3)),),
        items=(DUVET, MUGS),
        total=Decimal("95.00"),
    )
    decision = decide("missing_item", shop_order, POLICY, NOW, stock(False), DUVET)
    reply = problems_replies.confirm(decision, shop_order, "ko")
    assert reply.response == "utter_confirm_problem_refund"
    assert "재고가 없어" in reply.params["note"]
    assert reply.params["amount"] == "79.00파운드"


def test_wait_says_the_hours_left_and_where_to_look_in_chinese() -> None:
    delivered = parcel(
        "delivered",
        delivered_at=NOW - timedelta(hours=20),
        delivered_to="Left in safe place: porch",
    )
    shop_order = order(status="delivered", shipments=(delivered,))
    decision = decide("not_received", shop_order, POLICY, NOW, stock(None))
    reply = problems_replies.answer(decision, shop_order, NOW, LONDON, "zh")
    assert reply.response == "utter_problem_wait"
    assert reply.params["time_left"] == "28小时"
    assert reply.params["where"].startswith("问问邻居")
    assert reply.params["carrier"] == "DPD"


def test_the_other_parcel_is_named_with_its_carrier_status_and_tracking() -> None:
    first = parcel(
        "delivered",
        id=1,
        delivered_at=NOW - timedelta(days=1),
        contents=(("Linen duvet cover", 1),),
    )
    second = parcel(
        "in_transit",
        id=2,
        carrier="Royal Mail",
        tracking_url="https://rm.example/track/2",
        contents=(("Stoneware mug", 2),),
    )
    shop_order = order(shipments=(first, second), items=(DUVET, MUGS))
    decision = decide("missing_item", shop_order, POLICY, NOW, stock(None), MUGS)
    reply = problems_replies.answer(decision, shop_order, NOW, LONDON, "en")
    assert reply.response == "utter_problem_other_parcel"
    assert (reply.params["carrier"], reply.params["parcel_status"]) == ("Royal Mail", "on its way")
    assert reply.params["tracking_url"] == "https://rm.example/track/2"


def test_too_late_names_the_last_day() -> None:
    old = parcel("delivered", delivered_at=NOW - timedelta(days=40))
    shop_order = order(status="delivered", shipments=(old,))
    decision = decide("not_received", shop_order, POLICY, NOW, stock(None))
    reply = problems_replies.answer(decision, shop_order, NOW, LONDON, "en")
    assert reply.response == "utter_problem_too_late"
    last = NOW - timedelta(days=10)
    assert reply.params["deadline"] == f"{last:%A} {last.day} {last:%B}"


def test_a_claim_is_not_an_answer() -> None:
    delivered = parcel("delivered", delivered_at=NOW - timedelta(days=5))
    shop_order = order(status="delivered", shipments=(delivered,))
    decision = decide("not_received", shop_order, POLICY, NOW, stock(None))
    assert decision.outcome in problems_replies.CLAIMS
    with pytest.raises(ValueError):
        problems_replies.answer(decision, shop_order, NOW, LONDON, "en")

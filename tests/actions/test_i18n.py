"""What Korean and Chinese customers read in the facts the actions compute.

The sentences are domain responses (checked by ``make validate``); these tests cover the
values that go into them: dates, times, money in the order's currency, carrier scans, store
hours, button titles, and the catalogue that holds every fragment composed in code.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from string import Formatter
from zoneinfo import ZoneInfo

import pytest

from actions.csat import parse_rating
from actions.services import i18n, shop_text
from actions.services.formatting import day, moment, money
from actions.services.handoff import waiting_reply
from actions.services.order_status import describe_order
from actions.services.returns import quote
from actions.services.returns_policy import load_policy
from actions.services.returns_replies import ask_method, ask_reason, summary
from actions.services.stores import opening_hours_text, today_text
from tests.actions.fixtures import NOW, order, parcel

LONDON = ZoneInfo("Europe/London")
SUNDAY = date(2026, 11, 22)


def test_every_fragment_composed_in_code_exists_in_every_language_with_the_same_placeholders() -> (
    None
):
    for key, entry in i18n.CATALOGUE.items():
        assert set(entry) == set(i18n.LANGUAGES), f"{key} is missing a language"
        fields = {
            lang: {f for _, f, _, _ in Formatter().parse(t) if f} for lang, t in entry.items()
        }
        assert fields["ko"] == fields["en"] == fields["zh"], f"{key}: placeholders differ"


@pytest.mark.parametrize(
    ("value", "expected"),
    [("ko", "ko"), ("ko-KR", "ko"), ("zh_Hant", "zh"), ("zh-TW", "zh"), ("fr", "en"), (None, "en")],
)
def test_any_language_tag_maps_to_a_supported_language(value: object, expected: str) -> None:
    assert i18n.normalize(value) == expected


def test_days_read_naturally_in_each_language() -> None:
    tuesday = date(2026, 11, 24)
    assert day(tuesday, SUNDAY) == "Tuesday 24 November"
    assert day(tuesday, SUNDAY, "ko") == "11월 24일 (화)"
    assert day(tuesday, SUNDAY, "zh") == "11月24日（周二）"
    assert day(date(2027, 1, 3), SUNDAY, "ko") == "2027년 1월 3일 (일)"
    assert day(date(2027, 1, 3), SUNDAY, "zh") == "2027年1月3日（周日）"
    assert [day(date(2026, 11, 23), SUNDAY, lang) for lang in ("en", "ko", "zh")] == [
        "tomorrow",
        "내일",
        "明天",
    ]


def test_times_use_the_shops_time_zone_and_a_24_hour_clock() -> None:
    scan = datetime(2026, 11, 22, 4, 2)
    assert moment(scan, LONDON, SUNDAY) == "today at 04:02"
    assert moment(scan, LONDON, SUNDAY, "ko") == "오늘 04:02"
    assert moment(scan, LONDON, SUNDAY, "zh") == "今天 04:02"


def test_money_stays_in_the_orders_currency_written_the_languages_way() -> None:
    assert money(Decimal("1234.5"), "GBP") == "£1,234.50"
    assert money(Decimal("12.5"), "EUR") == "€12.50"
    assert money(Decimal("12.5"), "GBP", "ko") == "12.50파운드"
    assert money(Decimal("1234.5"), "EUR", "ko") == "1,234.50유로"
    assert money(Decimal("12.5"), "GBP", "zh") == "12.50英镑"
    assert money(Decimal("12.5"), "EUR", "zh") == "12.50欧元"
    assert money(Decimal("3"), "CHF", "zh") == "3.00 CHF"


def test_a_shipped_order_in_korean_has_korean_dates_and_a_translated_scan() -> None:
    [reply] = describe_order(order("shipped", (parcel(),)), NOW, LONDON, "ko")
    assert reply.response == "utter_order_shipped"
    assert reply.params["eta"] == "11월 24일 (화)"
    assert reply.params["event_time"] == "오늘 04:02"
    assert reply.params["event_description"] == "배송 지역 터미널 도착"
    # proper names and links are not translated
    assert reply.params["carrier"] == "DPD"
    assert reply.params["event_location"] == "London depot"


def test_a_cancelled_refunded_order_in_chinese() -> None:
    cancelled = order(
        "cancelled",
        cancelled_at=datetime(2026, 11, 20, 9, 0),
        cancellation_reason="An item went out of stock before dispatch",
        payment_status="refunded",
        refunded_at=datetime(2026, 11, 21, 9, 0),
    )
    [reply] = describe_order(cancelled, NOW, LONDON, "zh")
    assert reply.response == "utter_order_cancelled_refunded"
    assert reply.params == {
        "order_number": "10001",
        "total": "79.00英镑",
        "cancelled_date": "11月20日（周五）",
        "reason": "发货前商品缺货",
        "payment_method": "Visa（尾号4242）",
        "refunded_date": "昨天",
    }


@pytest.mark.parametrize(
    ("text", "status", "ko", "zh"),
    [
        ("Parcel collected by DPD", "in_transit", "DPD에서 상품을 접수했습니다", "DPD已揽收包裹"),
        (
            "We've got it: item received by Royal Mail",
            "in_transit",
            "Royal Mail에서 상품을 접수했습니다",
            "Royal Mail已揽收包裹",
        ),
        ("Out for delivery", "out_for_delivery", "배달 출발", "派送中"),
        (
            "Delayed at Dublin Mail Centre due to high volumes",
            "delayed",
            "물량 증가로 Dublin Mail Centre에서 지연 중",
            "因包裹量大，在Dublin Mail Centre延误",
        ),
        # wording no rule knows: the status in the language, then the carrier's own words
        ("Customs check", "delayed", "배송 지연 (Customs check)", "延误 (Customs check)"),
    ],
)
def test_carrier_scans_are_translated_and_unknown_ones_keep_the_carriers_words(
    text: str, status: str, ko: str, zh: str
) -> None:
    assert shop_text.scan(text, status, "ko") == ko
    assert shop_text.scan(text, status, "zh") == zh
    assert shop_text.scan(text, status, "en") == text


def test_where_the_parcel_was_left_is_translated() -> None:
    assert shop_text.delivered_to("Left in safe place: porch", "ko") == "안전한 장소에 보관: 현관"
    assert shop_text.delivered_to("Delivered to neighbour", "zh") == "已交给邻居"


def test_store_hours_in_each_language() -> None:
    hours = {d: "10:00-18:00" for d in ("mon", "tue", "wed", "thu", "fri", "sat")} | {"sun": None}
    assert opening_hours_text(hours) == "Mon–Sat 10:00–18:00, Sun closed"
    assert opening_hours_text(hours, "ko") == "월–토 10:00–18:00, 일 휴무"
    assert opening_hours_text(hours, "zh") == "周一–周六 10:00–18:00，周日 休息"
    assert today_text(hours, SUNDAY, "ko") == "오늘 휴무"
    assert today_text(hours, date(2026, 11, 23), "zh") == "今天营业 10:00–18:00"


def test_return_buttons_are_in_the_customers_language_with_the_same_payloads() -> None:
    policy = load_policy()
    english = ask_reason(policy)
    korean = ask_reason(policy, "ko")
    assert [b.payload for b in korean.buttons] == [b.payload for b in english.buttons]
    assert "파손 또는 불량" in [b.title for b in korean.buttons]
    method = ask_method(order("delivered"), "changed_mind", policy, "Royal Mail", "zh")
    assert method.buttons[0].title.startswith("到门店退货")
    assert "通过Royal Mail寄回" in method.buttons[1].title


def test_the_return_summary_in_korean_names_the_refund_in_korean() -> None:
    policy = load_policy()
    delivered = order("delivered")
    q = quote(delivered, {1: 1}, "changed_mind", "drop_off", policy)
    reply = summary(
        delivered,
        {1: 1},
        "changed_mind",
        "drop_off",
        None,
        None,
        q,
        "original_payment",
        policy,
        "ko",
    )
    assert reply.params["reason"] == "단순 변심"
    assert reply.params["refund_destination"] == "고객님의 Visa(끝자리 4242)"
    assert reply.params["amount"].endswith("파운드")
    assert [b.title for b in reply.buttons] == ["네, 반품을 접수해 주세요", "취소"]


def test_the_wait_for_a_person_is_told_in_the_customers_language() -> None:
    ticket = {"open_now": True, "agents_online": 1, "position": 3, "estimate_minutes": 12}
    assert waiting_reply(ticket, "ko").params == {
        "queue_place": "대기 3번째",
        "estimate": "약 12분",
    }
    assert waiting_reply(ticket, "zh").params == {
        "queue_place": "排在第3位",
        "estimate": "大约12分钟",
    }
    nobody = {"open_now": True, "agents_online": 0, "business_hours": "월요일–금요일 09:00–18:00"}
    assert (
        waiting_reply(nobody, "ko").params["hours_note"]
        == " (상담 가능 시간: 월요일–금요일 09:00–18:00)"
    )
    always = {"open_now": True, "agents_online": 0, "business_hours": "24시간"}
    assert waiting_reply(always, "ko").params["hours_note"] == ""


@pytest.mark.parametrize(
    ("text", "rating"),
    [("5점", 5), ("다섯 개", 5), ("五星", 5), ("满分", 5), ("两分", 2), ("4", 4)],
)
def test_ratings_typed_in_korean_or_chinese_are_understood(text: str, rating: int) -> None:
    assert parse_rating(text, []) == rating

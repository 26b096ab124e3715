"""The handoff in the customer's language: hours and next opening told in it, the packet's
language kept on the ticket for the console, canned replies offered per language."""

from __future__ import annotations

from datetime import datetime
from string import Formatter
from typing import Any

from handoff.canned import TRANSLATED, by_language
from handoff.domain import Ticket
from handoff.hours import BusinessHours
from handoff.services import HandoffService
from handoff.settings import DEFAULT_CANNED_REPLIES
from handoff.slack import ticket_card
from tests.handoff.conftest import Clock, packet

HOURS = BusinessHours.parse("mon-fri 09:00-18:00; sat 10:00-16:00", "Europe/London")
SATURDAY_EVENING = datetime(2026, 11, 28, 17, 0)


def test_business_hours_are_described_in_each_language() -> None:
    assert HOURS.describe() == "Monday–Friday 09:00–18:00, Saturday 10:00–16:00"
    assert HOURS.describe("ko") == "월요일–금요일 09:00–18:00, 토요일 10:00–16:00"
    assert HOURS.describe("zh") == "周一–周五 09:00–18:00，周六 10:00–16:00"
    assert BusinessHours.parse("always").describe("zh") == "全天候"


def test_the_next_opening_is_told_in_each_language() -> None:
    assert HOURS.describe_next_opening(SATURDAY_EVENING) == "Monday at 09:00"
    assert HOURS.describe_next_opening(SATURDAY_EVENING, "ko") == "월요일 09:00"
    assert HOURS.describe_next_opening(SATURDAY_EVENING, "zh") == "周一 09:00"
    assert HOURS.describe_next_opening(datetime(2026, 11, 29, 12, 0), "ko") == "내일 09:00"


async def test_a_korean_customer_after_hours_hears_the_hours_in_korean(
    make_service: Any, clock: Clock
) -> None:
    service: HandoffService = await make_service(business_hours=HOURS)
    clock.now = clock.now.replace(hour=20)  # Monday 20:00
    opened = await service.open_ticket(
        packet("ko-1", language={"code": "ko", "name": "한국어 (Korean)"})
    )
    assert not opened["open_now"]
    assert opened["next_opening"] == "내일 09:00"
    assert opened["business_hours"] == "월요일–금요일 09:00–18:00, 토요일 10:00–16:00"
    detail = await service.ticket_detail(opened["ticket_id"])
    assert detail["context"]["language"]["code"] == "ko"


async def test_a_packet_without_a_language_is_answered_in_english(
    make_service: Any, clock: Clock
) -> None:
    service: HandoffService = await make_service(business_hours=HOURS)
    clock.now = clock.now.replace(hour=20)
    opened = await service.open_ticket(packet("en-1"))
    assert opened["next_opening"] == "tomorrow at 09:00"


def test_each_canned_reply_exists_in_korean_and_chinese_with_the_same_placeholders() -> None:
    def fields(text: str) -> set[str]:
        return {f for _, f, _, _ in Formatter().parse(text) if f}

    for lang, replies in TRANSLATED.items():
        assert len(replies) == len(DEFAULT_CANNED_REPLIES), lang
        for english, translated in zip(DEFAULT_CANNED_REPLIES, replies, strict=True):
            assert fields(translated) == fields(english), (lang, translated)


def test_a_shop_with_its_own_english_replies_keeps_them_in_every_language() -> None:
    own = ("Hello {first_name}, {agent} here.",)
    assert by_language(own) == {"en": list(own), "ko": list(own), "zh": list(own)}
    assert by_language(DEFAULT_CANNED_REPLIES)["zh"] == list(TRANSLATED["zh"])


def test_the_slack_card_says_which_language_the_customer_writes() -> None:
    ticket = Ticket(
        id=3,
        conversation_id="c",
        channel="webchat",
        status="waiting",
        reason="customer_asked",
        created_at=datetime(2026, 11, 23, 10, 0),
        context={"language": {"code": "zh", "name": "中文 (Chinese)"}},
    )
    fields = [f["text"] for f in ticket_card(ticket)[1]["fields"]]
    assert "*Writes in*\n中文 (Chinese)" in fields

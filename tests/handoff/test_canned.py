"""Canned replies' placeholders: which a body may hold, how the console fills them for a case
(handoff/console/canned.js mirrors ``fill``), and the built-in replies a fresh install gets."""

from __future__ import annotations

import pytest

from handoff import canned
from handoff.settings import DEFAULT_CANNED_REPLIES

CONTEXT = {
    "language": {"code": "en", "name": "English"},
    "customer": {"first_name": "Mina"},
    "orders": [{"number": "10007"}, {"number": "10002"}],
    "bot_knows": {},
}


def test_every_placeholder_is_filled_for_the_case() -> None:
    values = canned.case_values(CONTEXT, "Sam", "Lumen & Loom")
    body = "Hi {first_name}, {agent} from {shop} here about order {order_number}."

    assert canned.fill(body, values) == "Hi Mina, Sam from Lumen & Loom here about order 10007."


def test_the_order_the_bot_was_asking_about_comes_first() -> None:
    context = {**CONTEXT, "bot_knows": {"order_number": "10002"}}
    assert canned.order_number(context) == "10002"
    assert canned.order_number({"orders": []}) == ""


def test_a_missing_name_reads_naturally_in_each_language() -> None:
    english = canned.case_values({"customer": None}, "Sam", "Shop")
    korean = canned.case_values({"language": {"code": "ko"}}, "Sam", "Shop")

    assert canned.fill("Hi {first_name}, ", english) == "Hi there, "
    assert canned.fill("안녕하세요 {first_name} 고객님", korean) == "안녕하세요 고객님"


@pytest.mark.parametrize(
    ("body", "unknown"),
    [
        ("Hi {first_name}", []),
        ("Hi {frist_name}", ["frist_name"]),
        ("{ first_name } and {}", [" first_name ", ""]),
        ("{Order_Number} {order_number} {Order_Number}", ["Order_Number"]),
        ("a lone { brace is fine", []),
    ],
)
def test_unknown_placeholders_are_found(body: str, unknown: list[str]) -> None:
    assert canned.unknown_placeholders(body) == unknown


def test_validation_says_why_a_reply_cannot_be_saved() -> None:
    assert canned.validate("ko", " greeting ", " 안녕하세요 ") == ("ko", "greeting", "안녕하세요")
    with pytest.raises(canned.CannedReplyInvalid, match=r"unknown placeholder \{frist_name\}"):
        canned.validate("en", "hi", "Hi {frist_name}")
    with pytest.raises(canned.CannedReplyInvalid, match="2000"):
        canned.validate("en", "hi", "x" * (canned.MAX_BODY + 1))
    with pytest.raises(canned.CannedReplyInvalid, match="empty"):
        canned.validate("en", "hi", "")
    with pytest.raises(canned.CannedReplyInvalid, match="language"):
        canned.validate("de", "hi", "Hallo")
    with pytest.raises(canned.CannedReplyInvalid, match="title"):
        canned.validate("en", None, "Hello")


def test_the_seed_is_todays_built_in_replies_with_titles_and_valid_placeholders() -> None:
    rows = canned.seed_rows(DEFAULT_CANNED_REPLIES)

    assert len(rows) == 3 * len(DEFAULT_CANNED_REPLIES)
    assert len({r["seed_key"] for r in rows}) == len(rows)
    for row in rows:
        assert canned.validate(row["language"], row["title"], row["body"])
    assert [r["body"] for r in rows if r["language"] == "en"] == list(DEFAULT_CANNED_REPLIES)

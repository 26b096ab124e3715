"""Customers' answers in the returns flow, typed or tapped, become the same values."""

from datetime import datetime

import pytest

from actions.services.returns import assess_order
from actions.services.returns_parsing import (
    choice,
    is_cancel,
    parse_confirmation,
    parse_items,
    parse_method,
    parse_reason,
    parse_refund_method,
    parse_store,
)
from actions.services.stores import locate
from actions.store.models import Store
from tests.actions.returns_fixtures import (
    BULBS,
    CANDLE,
    LONDON,
    TEE,
    all_delivered,
    delivered_order,
    policy,
)

NOW = datetime(2026, 11, 22, 10, 0)
ORDER = delivered_order(CANDLE, TEE, BULBS, delivered_at=datetime(2026, 11, 20, 12, 0))
RETURNABLE = assess_order(ORDER, all_delivered(ORDER), {}, policy(), NOW, LONDON).returnable


@pytest.mark.parametrize(
    "text, expected",
    [
        ('/inform{"return_choice":"items:11x1"}', {11: 1}),
        ("items:all", {11: 2, 12: 1, 13: 1}),
        ("the candles and the tee", {11: 2, 12: 1}),
        ("just one of the candles", {11: 1}),
        ("2 candles please", {11: 2}),
        ("the t-shirt", {12: 1}),
        ("the light bulbs", {13: 1}),
        ("all of them", {11: 2, 12: 1, 13: 1}),
        ("everything", {11: 2, 12: 1, 13: 1}),
        ("the cotton tee", {12: 1}),  # "cotton" alone would not say which item
        ("the sofa", None),
        ("asdf", None),
    ],
)
def test_items_are_recognised_by_any_distinctive_word(text: str, expected: object) -> None:
    assert parse_items(text, RETURNABLE) == expected


def test_a_deny_is_not_read_as_all_items() -> None:
    assert parse_items("no, not at all", RETURNABLE, loose=False) is None
    assert parse_items("no, the candles", RETURNABLE, loose=False) == {11: 2}


@pytest.mark.parametrize(
    "text, code",
    [
        ("reason:doesnt_fit", "doesnt_fit"),
        ("it's too small", "doesnt_fit"),
        ("doesn't fit", "doesnt_fit"),
        ("the glass arrived broken", "damaged"),
        ("it stopped working after a day", "damaged"),
        ("you sent the wrong size", "wrong_item"),
        ("wrong item", "wrong_item"),
        ("not what i ordered", "wrong_item"),
        ("changed my mind", "changed_mind"),
        ("I don't like the colour", "changed_mind"),
        ("something else", "other"),
        ("the smell is odd, like wet dog", "other"),
    ],
)
def test_reasons_are_recognised_in_free_text(text: str, code: str) -> None:
    parsed = parse_reason(text)
    assert parsed is not None and parsed[0] == code


def test_typed_reasons_keep_the_customers_words_and_buttons_do_not() -> None:
    assert parse_reason("the zip broke") == ("damaged", "the zip broke")
    assert parse_reason("reason:damaged") == ("damaged", None)
    assert parse_reason("ok") is None
    assert parse_reason("no thanks", loose=False) is None


@pytest.mark.parametrize(
    "text, method",
    [
        ("method:carrier", "carrier"),
        ("I'll drop it at a store", "drop_off"),
        ("bring it to the shop", "drop_off"),
        ("by post please", "carrier"),
        ("send me a label", "carrier"),
        ("hmm", None),
    ],
)
def test_return_methods(text: str, method: object) -> None:
    assert parse_method(text) == method


@pytest.mark.parametrize(
    "text, method",
    [
        ("refund:store_credit", "store_credit"),
        ("store credit please", "store_credit"),
        ("a voucher is fine", "store_credit"),
        ("back to my card", "original_payment"),
        ("to my paypal", "original_payment"),
        ("whatever", None),
    ],
)
def test_refund_methods(text: str, method: object) -> None:
    assert parse_refund_method(text) == method


def _store(store_id: int, name: str, line1: str) -> Store:
    return Store(store_id, name, line1, "London", "X", "GB", None, 51.5, -0.1, {}, True)


def test_stores_by_button_name_or_street() -> None:
    stores = [
        _store(1, "Lumen & Loom Covent Garden", "41 Floral Street"),
        _store(2, "Lumen & Loom Shoreditch", "118 Commercial Street"),
    ]
    assert parse_store("store:2", stores) == 2
    assert parse_store("the covent garden one", stores) == 1
    assert parse_store("commercial street", stores) == 2
    assert parse_store("Leeds", stores) is None


@pytest.mark.parametrize(
    "text",
    [
        "cancel",
        "Cancel the return",
        "stop",
        "forget it",
        "never mind",
        "no, cancel it please",
        "I want to cancel",
        "actually cancel that",
    ],
)
def test_cancel_at_any_step(text: str) -> None:
    assert is_cancel(text)


@pytest.mark.parametrize(
    "text", ["cancel my order", "the candles", "I don't want to cancel, the tee", ""]
)
def test_not_every_mention_of_cancel_cancels(text: str) -> None:
    assert not is_cancel(text)


def test_confirmation_and_changes() -> None:
    assert parse_confirmation("yes please") == (True, None)
    assert parse_confirmation("go ahead") == (True, None)
    assert parse_confirmation("change the reason") == (None, "return_reason")
    assert parse_confirmation("actually I'd rather use a store") == (None, "return_method")
    assert parse_confirmation("can I change the refund to store credit") == (
        None,
        "return_refund_method",
    )
    assert parse_confirmation("hmm") == (None, None)


def test_choices_only_match_their_own_kind() -> None:
    assert choice("reason:damaged", "reason") == "damaged"
    assert choice("reason:damaged", "method") is None
    assert choice(None, "reason") is None


def test_a_postcode_or_town_is_a_place_not_a_store() -> None:
    assert locate("somewhere near M1 1AE") is not None

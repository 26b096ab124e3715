"""Which items to cancel, asked and answered (actions/services/cancel_choice.py, the cancel
form's item question): taps one at a time, typed names or numbers, the whole order."""

from __future__ import annotations

from decimal import Decimal

from actions.services.cancel_choice import ALL, ask, decode, payload, read_answer
from actions.store.models import OrderItem

SHIRT = OrderItem(11, "CLO-1", "Linen shirt, sky", "clothing", 1, Decimal("40.00"))
MUGS = OrderItem(12, "HOM-1", "Stoneware mugs, set of 4", "homeware", 2, Decimal("15.00"))
LAMP = OrderItem(13, "HOM-2", "Stoneware table lamp", "homeware", 1, Decimal("30.00"))
ITEMS = (SHIRT, MUGS, LAMP)


def test_taps_add_up_until_thats_all() -> None:
    first = read_answer(payload("11"), ITEMS)
    assert first is not None and first.final is None and first.chosen == "11"
    second = read_answer(payload("13"), ITEMS, first.chosen)
    assert second is not None and second.chosen == "11,13"
    done = read_answer(payload("done"), ITEMS, second.chosen)
    assert done is not None and done.final == "11,13" and decode(done.final) == (11, 13)


def test_tapping_every_item_or_the_whole_order_button_is_the_whole_order() -> None:
    assert read_answer(payload("all"), ITEMS).final == ALL  # type: ignore[union-attr]
    tapped = read_answer(payload("13"), ITEMS, "11,12")
    assert tapped is not None and tapped.final == ALL


def test_typed_names_or_list_numbers_pick_the_items() -> None:
    named = read_answer("the shirt and the lamp please", ITEMS)
    assert named is not None and named.final == "11,13"
    numbered = read_answer("1 and 3", ITEMS)
    assert numbered is not None and numbered.final == "11,13"
    for whole in ("the whole order", "주문 전체 취소해 주세요", "整个订单"):
        everything = read_answer(whole, ITEMS)
        assert everything is not None and everything.final == ALL, whole


def test_nothing_recognisable_or_a_stranger_id_picks_nothing() -> None:
    assert read_answer("hmm not sure", ITEMS) is None
    assert read_answer(payload("999"), ITEMS) is None  # an item of another order
    assert read_answer(payload("done"), ITEMS) is None  # "That's all" before any tap
    assert read_answer("7", ITEMS) is None  # no seventh item


def test_the_question_lists_the_items_and_drops_each_button_once_tapped() -> None:
    reply = ask("10115", ITEMS, "12", "en")
    assert reply.response == "utter_ask_cancel_items"
    assert reply.params["items"].splitlines() == [
        "1. Linen shirt, sky",
        "2. Stoneware mugs, set of 4 ×2",
        "3. Stoneware table lamp",
    ]
    assert "Stoneware mugs, set of 4" in reply.params["chosen"]
    titles = [b.title for b in reply.buttons]
    assert titles == [
        "1. Linen shirt, sky",
        "3. Stoneware table lamp",
        "That's all",
        "The whole order",
    ]
    assert ask("10115", ITEMS, None, "zh").buttons[-1].title == "整个订单"
    assert [b.title for b in ask("10115", ITEMS, None, "ko").buttons][-1] == "주문 전체"

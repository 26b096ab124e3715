"""Nonsense gets "I didn't quite catch that" (nlu_fallback), in every script; typos do not.

The nonsense strings here are not in the training data, and nothing tunes the model to them:
they are a held-out check of bot/nlu/unknown_words.py and the FallbackClassifier together.
"""

from __future__ import annotations

from typing import Any

import pytest
from rasa.nlu.tokenizers.tokenizer import Token

from bot.nlu.unknown_words import Vocabulary, one_typo_apart

NONSENSE = [
    "flurb wozzle zorbix quux",
    "qzx vlorp",
    "blibber snorkwax plimf",
    "뷁쀍 퉯꿻",
    "떍뙗 쀎뽋 꿹",
    "犇猋骉 麤羴",
    "鬻彧 爨麤",
]


@pytest.mark.parametrize("text", NONSENSE)
def test_nonsense_falls_back_in_every_script(parse: Any, text: str) -> None:
    assert parse(text)["intent"]["name"] == "nlu_fallback"


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        ("wher is my ordr", "order_status"),
        ("i want to retrun this", "return_item"),
        ("refnd status", "refund_status"),
        ("주문 어디쯤 왔나요", "order_status"),
        ("我的订单到哪了", "order_status"),
    ],
)
def test_typos_and_real_messages_are_still_understood(parse: Any, text: str, intent: str) -> None:
    assert parse(text)["intent"]["name"] == intent


def test_an_order_number_alone_is_not_nonsense(parse: Any) -> None:
    assert parse("BT-12345")["intent"]["name"] != "nlu_fallback"


def tokens(*words: str) -> list[Token]:
    return [Token(word, 0) for word in words]


@pytest.mark.parametrize(
    ("word", "known"),
    [("ordr", "order"), ("refnd", "refund"), ("retrun", "return"), ("orderr", "order")],
)
def test_one_dropped_added_changed_or_swapped_letter_is_a_typo(word: str, known: str) -> None:
    assert one_typo_apart(word, known) is True


@pytest.mark.parametrize(
    ("word", "known"), [("flurb", "flour"), ("odr", "order"), ("rfund", "refunds")]
)
def test_two_typos_make_a_different_word(word: str, known: str) -> None:
    assert one_typo_apart(word, known) is False


def test_a_word_one_letter_off_a_known_word_counts_as_known() -> None:
    vocabulary = Vocabulary({"order", "refund", "where"})
    assert vocabulary.knows_any(tokens("ordr")) is True
    assert vocabulary.knows_any(tokens("flurb", "quux")) is False
    # short words must match exactly: "ordr" → "order", but "ox" is not "on"
    assert vocabulary.knows_any(tokens("ox")) is False


def test_a_message_without_letters_is_not_judged() -> None:
    assert Vocabulary({"order"}).knows_any(tokens("10001", "👍")) is None

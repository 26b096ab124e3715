"""Order details reach the featurizers as a placeholder per kind, not as their characters."""

from __future__ import annotations

import re

from rasa.nlu.constants import TOKENS_NAMES
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message

from bot.nlu.details_mask import mask, placeholder
from bot.nlu.tokenizer import MultilingualTokenizer

PATTERNS = [
    ("order_number", re.compile(r"(?<![A-Za-z0-9_])[1-9]\d{4}(?![A-Za-z0-9_])")),
    ("email", re.compile(r"[A-Za-z0-9._%+\-]+@[A-Za-z0-9\-.]+\.[A-Za-z]{2,}")),
    (
        "postal_code",
        re.compile(r"(?i)(?<![A-Za-z0-9_])[A-Z]{1,2}\d[A-Z\d]? ?\d[A-Z]{2}(?![A-Za-z0-9_])"),
    ),
]


def lemmas(text: str) -> list[str]:
    message = Message(data={TEXT: text})
    tokenizer = MultilingualTokenizer(MultilingualTokenizer.get_default_config())
    message.set(TOKENS_NAMES[TEXT], tokenizer.tokenize(message, TEXT))
    mask(message, PATTERNS)
    return [token.lemma for token in message.get(TOKENS_NAMES[TEXT])]


def test_two_postcodes_give_the_classifier_the_same_words() -> None:
    one = lemmas("where is order 10006? my postcode is SW1A 1AA")
    other = lemmas("where is order 10006? my postcode is EH1 1YZ")
    assert one == other
    assert one[-2:] == [placeholder("postal_code")] * 2
    assert placeholder("order_number") in one


def test_the_words_around_a_detail_are_left_alone() -> None:
    assert lemmas("my email is jane.doe@example.com thanks") == [
        "my",
        "email",
        "is",
        placeholder("email"),
        "thanks",
    ]


def test_details_inside_korean_and_chinese_are_masked_where_the_script_changes() -> None:
    assert placeholder("order_number") in lemmas("주문 10001번 어디쯤 왔어요?")
    chinese = lemmas("订单号10006到哪了 我的邮箱是 li.wei@example.com")
    assert placeholder("order_number") in chinese
    assert placeholder("email") in chinese
    assert "10006" not in chinese


def test_a_message_without_details_keeps_its_lemmas() -> None:
    assert lemmas("I want to return the candles") == [
        "I",
        "want",
        "to",
        "return",
        "the",
        "candles",
    ]


def test_the_text_and_offsets_stay_as_written() -> None:
    message = Message(data={TEXT: "order 10006 please"})
    tokenizer = MultilingualTokenizer(MultilingualTokenizer.get_default_config())
    message.set(TOKENS_NAMES[TEXT], tokenizer.tokenize(message, TEXT))
    mask(message, PATTERNS)
    token = message.get(TOKENS_NAMES[TEXT])[1]
    assert (token.text, token.start, token.end) == ("10006", 6, 11)
    assert message.get(TEXT) == "order 10006 please"

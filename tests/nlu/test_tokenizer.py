"""The tokenizer picks by script: English as before, Korean by spaces, Chinese by jieba."""

from __future__ import annotations

import pytest
from rasa.nlu.tokenizers.whitespace_tokenizer import WhitespaceTokenizer
from rasa.shared.nlu.training_data.message import Message

from bot.nlu.tokenizer import MultilingualTokenizer


@pytest.fixture(scope="module")
def tokenizer() -> MultilingualTokenizer:
    return MultilingualTokenizer(MultilingualTokenizer.get_default_config())


def words(tokenizer: MultilingualTokenizer, text: str) -> list[tuple[str, str]]:
    tokens = tokenizer.tokenize(Message({"text": text}), "text")
    assert all(text[t.start : t.end] == t.text for t in tokens)  # offsets point into the text
    return [(t.text, t.lemma) for t in tokens]


@pytest.mark.parametrize(
    "text",
    [
        "where's BT-10234?? it's late",
        "my email is jane.doe@example.com, postcode SW1A 1AA",
        "refund for #10234 :) pls",
    ],
)
def test_english_gets_exactly_the_whitespace_tokenizers_tokens(
    tokenizer: MultilingualTokenizer, text: str
) -> None:
    rasa_own = WhitespaceTokenizer(WhitespaceTokenizer.get_default_config())
    ours = tokenizer.tokenize(Message({"text": text}), "text")
    theirs = rasa_own.tokenize(Message({"text": text}), "text")
    assert [(t.text, t.start) for t in ours] == [(t.text, t.start) for t in theirs]


def test_chinese_is_segmented_into_words_and_the_order_number_split_off(
    tokenizer: MultilingualTokenizer,
) -> None:
    assert [w for w, _ in words(tokenizer, "订单10001在哪里？")] == ["订单", "10001", "在", "哪里"]


def test_traditional_chinese_reads_as_simplified(tokenizer: MultilingualTokenizer) -> None:
    assert words(tokenizer, "我的訂單到哪裡了") == [
        ("我", "我"),
        ("的", "的"),
        ("訂單", "订单"),
        ("到", "到"),
        ("哪裡", "哪里"),
        ("了", "了"),
    ]


def test_korean_words_keep_their_spaces_and_drop_particles_from_the_lemma(
    tokenizer: MultilingualTokenizer,
) -> None:
    assert words(tokenizer, "10001번 주문이 어디쯤 왔나요?") == [
        ("10001", "10001"),
        ("번", "번"),
        ("주문이", "주문"),
        ("어디쯤", "어디쯤"),
        ("왔나요", "왔나요"),
    ]


def test_an_email_glued_to_korean_or_chinese_stays_one_token(
    tokenizer: MultilingualTokenizer,
) -> None:
    assert "jane.doe@example.com" in [
        w for w, _ in words(tokenizer, "메일은 jane.doe@example.com입니다")
    ]
    assert "jane.doe@example.com" in [
        w for w, _ in words(tokenizer, "邮箱是jane.doe@example.com，谢谢")
    ]


def test_punctuation_and_emoji_are_not_words(tokenizer: MultilingualTokenizer) -> None:
    assert [w for w, _ in words(tokenizer, "你好，我想退货。😭")] == ["你好", "我", "想", "退货"]

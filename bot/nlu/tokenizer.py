"""One tokenizer for English, Korean and Chinese, picking the method by script.

Rasa's WhitespaceTokenizer refuses Chinese (it is written without spaces) and would make
"订单10001在哪里" one token, so neither the word features nor the order number would be found.
This tokenizer keeps Rasa's whitespace rules (the same tokens as before for English, so the English
model does not change character), then splits every token where the script changes, and segments
runs of Han characters into words with jieba:

- English and other Latin text: whitespace tokens, as WhitespaceTokenizer makes them
  (``#12345``, ``BT-12345``, ``jane@example.com`` stay one token);
- Korean: whitespace tokens (Korean is written with spaces between words), split from Latin and
  digits ("10001번" → 10001 | 번); the lemma drops a trailing noun particle (주문이 → 주문);
- Chinese: jieba's words, on the simplified form of the text, so 訂單 and 订单 are one word;
  the lemma is the simplified word.

Featurizers read the lemma (lower-cased), entity offsets keep pointing into the original text.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Any, Final

import regex
from rasa.engine.graph import ExecutionContext
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.tokenizers.tokenizer import Token
from rasa.nlu.tokenizers.whitespace_tokenizer import WhitespaceTokenizer
from rasa.shared.nlu.training_data.message import Message

from bot.nlu.scripts import HAN_RUN, HANGUL_RUN, SCRIPT_RUNS, korean_stem, to_simplified

# Shop words jieba's general dictionary splits or does not know; added with a high frequency so
# they come out whole ("订单号" rather than "订单" + "号" is fine either way, "退货单" is not).
DOMAIN_WORDS: Final = (
    "订单号",
    "单号",
    "快递单号",
    "物流单号",
    "退货",
    "退款",
    "退货单",
    "退换货",
    "人工客服",
    "真人客服",
    "转人工",
    "邮编",
    "到货",
    "发货",
    "没收到",
    "没到",
    "机器人",
    "退货政策",
    "七天无理由",
)

_segmenter: Any = None


def segmenter() -> Any:
    """jieba's tokenizer with its bundled dictionary, loaded once per process and silent.

    jieba logs the dictionary build at DEBUG on its own stderr handler; it is turned down to
    WARNING so a Rasa server's log stays readable.
    """
    global _segmenter
    if _segmenter is None:
        import jieba

        jieba.setLogLevel(logging.WARNING)
        logging.getLogger("jieba").setLevel(logging.WARNING)
        instance = jieba.Tokenizer()
        instance.initialize()
        for word in DOMAIN_WORDS:
            instance.add_word(word, freq=200000)
        _segmenter = instance
    return _segmenter


def _han_words(run: str) -> Iterable[tuple[str, int, str]]:
    """(word, offset in run, simplified lemma) for a run of Han characters."""
    simplified = to_simplified(run)
    # zhconv maps character for character in all but rare phrase cases; segment the simplified
    # text when the offsets still line up, the original otherwise.
    basis = simplified if len(simplified) == len(run) else run
    offset = 0
    for word in segmenter().cut(basis, HMM=True):
        original = run[offset : offset + len(word)]
        yield original, offset, to_simplified(word)
        offset += len(word)


# WhitespaceTokenizer's clean-up of punctuation between words (its own pattern, so English keeps
# its tokens): punctuation before a space or the end, after a space or the start unless a number
# follows, and between letters unless it belongs in an e-mail address, a URL or a number.
_PUNCTUATION: Final = regex.compile(
    r"[^\w#@&]+(?=\s|$)|"
    r"(\s|^)[^\w#@&]+(?=[^0-9\s])|"
    r"(?<=[^0-9\s])[^\w._~:/?#\[\]()@!$&*+,;=-]+(?=[^0-9\s])"
)
# What a non-CJK piece keeps at its edges: "10001，" → "10001", "(BT-10001)" → "BT-10001".
_EDGES: Final = regex.compile(r"^[^\w#@&]+|[^\w#@&]+$")


def split_token(token: Token) -> list[Token]:
    """``token`` split at script changes, Han runs into words; lemmas normalised.

    Pieces without a letter or digit (Chinese punctuation "，。？", emoji) are dropped.
    """
    out: list[Token] = []
    for match in SCRIPT_RUNS.finditer(token.text):
        piece, start = match.group(), token.start + match.start()
        if HAN_RUN.fullmatch(piece):
            for word, offset, lemma in _han_words(piece):
                out.append(Token(word, start + offset, lemma=lemma))
        elif HANGUL_RUN.fullmatch(piece):
            out.append(Token(piece, start, lemma=korean_stem(piece)))
        else:
            core = _EDGES.sub("", piece)
            if core and any(ch.isalnum() for ch in core):
                lead = piece.index(core)
                out.append(Token(core, start + lead, lemma=core.lower()))
    return out


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.MESSAGE_TOKENIZER, is_trainable=False)
class MultilingualTokenizer(WhitespaceTokenizer):
    """WhitespaceTokenizer's rules, then split by script and Chinese word segmentation."""

    @staticmethod
    def not_supported_languages() -> list[str] | None:
        return None

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return WhitespaceTokenizer.get_default_config()

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> MultilingualTokenizer:
        segmenter()  # load the dictionary now, not on a customer's first Chinese message
        return cls(config)

    def tokenize(self, message: Message, attribute: str) -> list[Token]:
        text = message.get(attribute)
        if text.isascii():
            return super().tokenize(message, attribute)  # English: WhitespaceTokenizer's tokens
        # Not WhitespaceTokenizer's own method for the rest: its emoji filter covers the Hangul
        # and Han blocks and would drop every Korean and Chinese word.
        words = _PUNCTUATION.sub(" ", text).split()
        tokens: list[Token] = []
        for token in self._convert_words_to_tokens(words, text):
            tokens.extend(split_token(token))
        if not tokens:
            return [Token(text, 0)]
        return self._apply_token_pattern(tokens)

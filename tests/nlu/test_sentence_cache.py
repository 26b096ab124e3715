"""The sentence encoder's cache size comes from BATON_SENTENCE_CACHE; nonsense keeps the default."""

from __future__ import annotations

import pytest

from bot.nlu.sentence_features import cache_size


def test_the_cache_keeps_4096_sentences_unless_told_otherwise(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("BATON_SENTENCE_CACHE", raising=False)
    assert cache_size() == 4096


@pytest.mark.parametrize(("value", "size"), [("0", 0), ("100", 100), ("-5", 0), ("lots", 4096)])
def test_a_benchmark_can_switch_the_cache_off_and_a_typo_does_not_crash_the_server(
    monkeypatch: pytest.MonkeyPatch, value: str, size: int
) -> None:
    monkeypatch.setenv("BATON_SENTENCE_CACHE", value)
    assert cache_size() == size

"""When Rasa changes under a patch, Baton runs Rasa's own code there — and the assistant still
answers. The stand-in below plays a Rasa release that rewrote a patched function (the sparse
feature join every message goes through): the registry must refuse to patch it, say so in the
log, and the trained model must still understand and answer a customer."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from bot import patches
from bot.patches import PATCHES

calls: list[int] = []


def _rewritten_combine(original: Any) -> Any:
    """Rasa's join as a later release might have written it: the same result, other source."""

    def _combine_sparse_features(self: Any, additional_features: Any) -> None:
        calls.append(1)  # proves this, not Baton's join, ran
        original(self, additional_features)

    return _combine_sparse_features


@pytest.fixture
def rasa_rewrote_the_join(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    from rasa.shared.nlu.training_data.features import Features

    for patch in PATCHES:
        patches.remove(patch)
    stand_in = _rewritten_combine(Features._combine_sparse_features)
    monkeypatch.setattr(Features, "_combine_sparse_features", stand_in)
    calls.clear()
    yield stand_in
    for patch in PATCHES:
        patches.remove(patch)


def test_a_patch_rasa_rewrote_falls_back_to_rasas_code_and_the_assistant_still_answers(
    model: Path, rasa_rewrote_the_join: Any, caplog: pytest.LogCaptureFixture
) -> None:
    from rasa.core.agent import Agent
    from rasa.shared.nlu.training_data.features import Features

    with caplog.at_level(logging.WARNING, logger="bot.patches"):
        applied = patches.install("rasa")

    sparse = patches.by_name("sparse-concat")
    assert sparse.name not in applied
    assert patches.state(sparse) == patches.MISMATCH
    assert Features._combine_sparse_features is rasa_rewrote_the_join
    warnings = [r.getMessage() for r in caplog.records if r.name == "bot.patches"]
    assert warnings == [
        "Rasa patch 'sparse-concat' not applied: "
        f"{sparse.target} has changed (checked against rasa {sparse.checked_against}); "
        "Rasa's own code runs instead"
    ]
    assert len(applied) == len([p for p in PATCHES if "rasa" in p.processes]) - 1

    agent = Agent.load(str(model))

    async def chat() -> tuple[dict[str, Any], list[dict[str, Any]]]:
        parsed = await agent.parse_message("hi there")
        replies = await agent.handle_text("hi there", sender_id="patch-fallback")
        return parsed, replies or []

    parsed, replies = asyncio.run(chat())
    assert parsed["intent"]["name"] == "greet"
    assert calls, "Rasa's (rewritten) join did not run"
    assert any(reply.get("text") for reply in replies), replies

"""The trained model's NLU, loaded once for the tests of this directory."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from rasa.core.channels.channel import UserMessage

from bot.trainers.evaluation import load_processor


@pytest.fixture(scope="session")
def parse(model: Path) -> Callable[[str], dict[str, Any]]:
    """What the trained model makes of a text (Rasa's own parse, as the server runs it)."""
    processor = load_processor(model)

    def run(text: str) -> dict[str, Any]:
        return asyncio.run(processor.parse_message(UserMessage(text=text)))

    return run

"""``rasa`` with the ``language`` entity left out of the end-to-end comparison, unless asked for.

``rasa test core --fail-on-prediction-errors`` compares every entity the NLU predicts with the
entities annotated in the test story, and the language detector adds one to nearly every message.
Writing ``language`` into every line of every conversation test would pin the detector, not the
dialogue, so a predicted ``language`` entity only counts when the story annotates one on that line
(e.g. ``[Korean]{"entity": "language", "value": "ko"}`` on a change_language line).

    python -m bot.nlu.e2e test core --stories tests/conversations ...   (same arguments as rasa)
"""

from __future__ import annotations

import sys
from typing import Any

from bot.nlu.language import ENTITY


def compare_language_only_when_annotated() -> None:
    import rasa.core.test as core_test

    if getattr(core_test, "_baton_language_patch", False):
        return
    original = core_test._collect_user_uttered_predictions

    def collect(event: Any, predicted: dict[str, Any], *args: Any, **kwargs: Any) -> Any:
        annotated = any(e.get("entity") == ENTITY for e in event.entities or [])
        if not annotated and predicted.get("entities"):
            predicted = {
                **predicted,
                "entities": [e for e in predicted["entities"] if e.get("entity") != ENTITY],
            }
        return original(event, predicted, *args, **kwargs)

    core_test._collect_user_uttered_predictions = collect
    core_test._baton_language_patch = True


def main(argv: list[str] | None = None) -> None:
    from rasa.__main__ import main as rasa_main

    compare_language_only_when_annotated()
    sys.argv = ["rasa", *(sys.argv[1:] if argv is None else argv)]
    rasa_main()


if __name__ == "__main__":
    main()

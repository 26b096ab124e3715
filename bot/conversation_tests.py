"""`make conversations`: Rasa's end-to-end test stories with --fail-on-prediction-errors.

``rasa test core`` replays each story in tests/conversations through the trained model: every
user line goes through the NLU pipeline and every bot step must be the action the policies
predict. Facts in the answers (which need the shop's data) are checked by the pytest suite
against the running servers; these stories pin the dialogue itself.
"""

from __future__ import annotations

import subprocess
import sys

from bot.settings import ROOT, local_environment
from bot.training import ensure_model


def run_conversation_tests() -> int:
    model = ensure_model()
    result = subprocess.run(  # noqa: S603
        [
            # rasa, with the detected `language` entity compared only where a story annotates it
            sys.executable,
            "-m",
            "bot.nlu.e2e",
            "test",
            "core",
            "--model",
            str(model),
            "--stories",
            "tests/conversations",
            "--out",
            str(ROOT / "results"),
            "--fail-on-prediction-errors",
        ],
        cwd=ROOT,
        env=local_environment(),
    )
    if result.returncode == 0:
        print("==> conversation tests passed")
    else:
        print("==> conversation tests failed: see results/failed_test_stories.yml")
    return result.returncode

"""The library deprecation warnings every server printed at start are ignored in one place
(bot/quiet.py), and only those: a new warning still shows."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from bot.settings import ROOT

# One warning as each library raises it: (module it is attributed to, category, message).
SEEN_AT_START = [
    ("sanic_cors.extension", "DeprecationWarning", "distutils Version classes are deprecated."),
    ("apscheduler", "DeprecationWarning", "pkg_resources is deprecated as an API."),
    ("zhconv.zhconv", "DeprecationWarning", "pkg_resources is deprecated as an API."),
    (
        "pkg_resources",
        "DeprecationWarning",
        "Deprecated call to `pkg_resources.declare_namespace('ruamel')`.",
    ),
    ("tensorflow.lite.python.util", "DeprecationWarning", "jax.xla_computation is deprecated."),
    (
        "matplotlib.fontconfig_pattern",
        "DeprecationWarning",
        "'setParseAction' deprecated - use 'set_parse_action'",
    ),
    (
        "rasa.core.tracker_store",
        "DeprecationWarning",
        "Calling URL() directly is deprecated and will be disabled in a future release.",
    ),
]


def warnings_printed(code: str) -> str:
    """stderr of a fresh interpreter running ``code`` after silence_known_warnings()."""
    script = f"from bot.quiet import silence_known_warnings\nsilence_known_warnings()\n{code}"
    done = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    return done.stderr


def warn_from(module: str, category: str, message: str) -> str:
    return (
        f"import warnings\nwarnings.warn_explicit({message!r}, {category}, "
        f"'/lib/{module.replace('.', '/')}.py', 1, module={module!r})\n"
    )


def test_the_warnings_each_server_printed_at_start_are_no_longer_printed() -> None:
    code = "".join(warn_from(*seen) for seen in SEEN_AT_START)
    assert warnings_printed(code) == ""


def test_importing_the_libraries_that_warned_prints_nothing() -> None:
    assert "Warning" not in warnings_printed("import sanic_cors, apscheduler, zhconv\n")


def test_a_deprecation_warning_from_anywhere_else_is_still_shown() -> None:
    printed = warnings_printed(warn_from("actions.orders", "DeprecationWarning", "old API"))
    assert "DeprecationWarning: old API" in printed


def test_the_same_message_from_another_module_is_still_shown() -> None:
    printed = warnings_printed(
        warn_from("actions.orders", "DeprecationWarning", "distutils Version classes are old")
    )
    assert "distutils Version classes" in printed


WORKER_POOL = """
import sys, time
from pathlib import Path

if __name__ == "__main__":
    from bot.nlu_workers import NLUPool

    pool = NLUPool(Path(sys.argv[1]), 1)
    for _ in range(300):
        if pool.ready or pool.failed:
            break
        time.sleep(0.2)
    print("ready" if pool.ready else "failed", file=sys.stderr)
"""


def test_an_nlu_worker_starting_after_the_summary_prints_no_library_warnings(
    model: Path, tmp_path: Path
) -> None:
    """The Rasa server starts its NLU workers once it is up, after `make run`'s summary, when
    everything a server prints is shown: a spawned worker starts with Python's default
    warning filters, so it printed a dozen library warnings under "Press Ctrl-C to stop"."""
    script = tmp_path / "pool.py"
    script.write_text(WORKER_POOL)
    done = subprocess.run(
        [sys.executable, str(script), str(model)],
        cwd=ROOT,
        env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.stderr.strip().splitlines()[-1] == "ready", done.stderr[-2000:]
    warned = [line for line in done.stderr.splitlines() if "Warning:" in line]
    assert warned == []

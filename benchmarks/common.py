"""Shared helpers for benchmark scripts: percentiles, machine description, a local Baton."""

from __future__ import annotations

import contextlib
import os
import platform
import statistics
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


def percentile(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    k = (len(ordered) - 1) * p / 100
    lo, hi = int(k), min(int(k) + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)


def machine() -> str:
    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{os.cpu_count()} cores, {cpu}, Python {platform.python_version()}, {platform.system()}"


def summary(latencies_ms: list[float]) -> str:
    p50, p95, p99 = (percentile(latencies_ms, p) for p in (50, 95, 99))
    mean = statistics.fmean(latencies_ms)
    return f"p50 {p50:6.1f} ms   p95 {p95:6.1f} ms   p99 {p99:6.1f} ms   mean {mean:6.1f} ms"


def wait_until_ready(url: str, timeout: float = 300.0) -> None:
    """Block until ``url``/ready answers 200: the model loaded, and the NLU workers too, so a
    benchmark does not time a server that is still starting."""
    from bot.launcher import wait_until_up

    if not wait_until_up(f"{url.rstrip('/')}/ready", timeout, []):
        raise TimeoutError(f"{url} not ready after {timeout:.0f} s")


def pin_model(model: Path | None) -> None:
    """Run on ``model`` instead of the model for the current data, and never train.

    A benchmark on a shared machine must not start a training run (minutes of both cores) when
    the current data's model is missing, e.g. right after a comment-only change to config.yml.
    With ``--model`` the benchmark uses that archive (and says so); without it, it refuses to
    start unless the current data's model exists.
    """
    import bot.training

    if model is None:
        if not bot.training.model_path().exists():
            raise SystemExit(
                f"no model {bot.training.model_path().name} for the current data; "
                "train it (make train) or pass --model models/<archive>"
            )
        return
    resolved = model.resolve()
    if not resolved.exists():
        raise SystemExit(f"no model at {model}")
    print(f"model: {resolved.name} (pinned with --model)")
    bot.training.ensure_model = lambda force=False: resolved


def nlu_worker(pid: int) -> int | None:
    """The NLU worker a Rasa server spawned (a child of any of its threads)."""
    for task in Path(f"/proc/{pid}/task").glob("*/children"):
        for child in task.read_text().split():
            with contextlib.suppress(FileNotFoundError):
                argv = Path(f"/proc/{child}/cmdline").read_bytes()
                if b"spawn_main" in argv and b"resource_tracker" not in argv:
                    return int(child)
    return None


def rss_kib(pid: int | None) -> int | None:
    """Resident memory of one process, in KiB (None if it is gone)."""
    if pid is None:
        return None
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        return None
    return None

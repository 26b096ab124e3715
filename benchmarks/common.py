"""Shared helpers for benchmark scripts: percentiles, machine description, a local Baton."""

from __future__ import annotations

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
    import time
    import urllib.error
    import urllib.request

    deadline = time.monotonic() + timeout
    last = "no answer"
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"{url.rstrip('/')}/ready", timeout=5) as answer:  # noqa: S310
                if answer.status == 200:
                    return
        except urllib.error.HTTPError as error:
            last = error.read().decode(errors="replace")
        except OSError as error:
            last = str(error)
        time.sleep(0.5)
    raise TimeoutError(f"{url} not ready after {timeout:.0f} s: {last}")

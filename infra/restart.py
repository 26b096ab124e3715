"""When to restart a process that died: a backoff schedule and a crash-loop limit.

Pure policy, no processes: :mod:`infra.supervise` asks :meth:`CrashHistory.crashed` what to
do each time one of its processes exits, and the unit tests ask it with made-up clocks.

Why both rules. A process that crashes once (an out-of-memory kill, an operator's ``kill -9``)
should be back within a second or two, because its replica partner is carrying twice the
load meanwhile. A process that crashes again and again (a bad model file, a port taken, a
database password that changed) gains nothing from being restarted forever: each attempt
costs a Rasa server a minute of CPU loading the model, which starves the survivor. So the
delay doubles with each crash inside the window, and past ``limit`` crashes in ``window``
seconds the supervisor gives up and says so loudly, as systemd does with ``StartLimitBurst``
and ``StartLimitIntervalSec`` (deploy/systemd/ uses the same numbers).
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field


@dataclass(frozen=True)
class RestartPolicy:
    """Backoff ``first_delay * factor**(n-1)`` capped at ``max_delay`` for the n-th crash in
    ``window`` seconds; more than ``limit`` crashes in ``window`` seconds is a crash loop."""

    first_delay: float = 1.0
    factor: float = 2.0
    max_delay: float = 30.0
    limit: int = 5
    window: float = 120.0

    def __post_init__(self) -> None:
        if self.first_delay < 0 or self.factor < 1 or self.max_delay < self.first_delay:
            raise ValueError(f"a backoff that does not grow from {self.first_delay} s: {self}")
        if self.limit < 1 or self.window <= 0:
            raise ValueError(f"a crash-loop limit that allows no restart: {self}")

    def delay(self, crashes_in_window: int) -> float:
        """Seconds to wait before restarting after the ``crashes_in_window``-th crash."""
        exponent = max(0, crashes_in_window - 1)
        return float(min(self.max_delay, self.first_delay * self.factor**exponent))


@dataclass(frozen=True)
class Decision:
    """What to do about one crash: restart after ``delay`` seconds, or give up."""

    restart: bool
    delay: float
    crashes_in_window: int

    @property
    def crash_loop(self) -> bool:
        return not self.restart


@dataclass
class CrashHistory:
    """The recent crashes of one process, and the decision each new one leads to."""

    policy: RestartPolicy = field(default_factory=RestartPolicy)
    _times: deque[float] = field(default_factory=deque)

    def crashed(self, now: float) -> Decision:
        """Record a crash at ``now`` (monotonic seconds) and decide."""
        self._times.append(now)
        while self._times and self._times[0] <= now - self.policy.window:
            self._times.popleft()
        count = len(self._times)
        if count > self.policy.limit:
            return Decision(restart=False, delay=0.0, crashes_in_window=count)
        return Decision(restart=True, delay=self.policy.delay(count), crashes_in_window=count)

    def forget(self) -> None:
        """An operator restarted it on purpose: start counting afresh."""
        self._times.clear()

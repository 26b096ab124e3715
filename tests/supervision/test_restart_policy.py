"""The restart policy alone (infra/restart.py): how long a crashed process waits before it is
started again, and when repeated crashes count as a crash loop that is reported instead."""

from __future__ import annotations

import pytest

from infra.restart import CrashHistory, RestartPolicy

POLICY = RestartPolicy(first_delay=1, factor=2, max_delay=10, limit=4, window=60)


def test_a_first_crash_is_restarted_after_the_first_delay() -> None:
    decision = CrashHistory(POLICY).crashed(now=100.0)
    assert decision.restart and decision.delay == 1


def test_each_crash_in_the_window_doubles_the_wait_up_to_the_cap() -> None:
    history = CrashHistory(RestartPolicy(first_delay=1, factor=2, max_delay=5, limit=10))
    delays = [history.crashed(now=100.0 + i).delay for i in range(5)]
    assert delays == [1, 2, 4, 5, 5]


def test_more_crashes_than_the_limit_within_the_window_is_a_crash_loop() -> None:
    history = CrashHistory(POLICY)
    decisions = [history.crashed(now=100.0 + i) for i in range(5)]
    assert [d.restart for d in decisions] == [True, True, True, True, False]
    assert decisions[-1].crash_loop and decisions[-1].crashes_in_window == 5


def test_crashes_older_than_the_window_are_forgotten() -> None:
    """A replica that crashes once a day is never a crash loop, and starts at 1 s each time."""
    history = CrashHistory(POLICY)
    for day in range(10):
        decision = history.crashed(now=day * 86_400.0)
        assert decision.restart and decision.delay == 1


def test_a_restart_on_purpose_starts_the_count_afresh() -> None:
    history = CrashHistory(POLICY)
    for i in range(4):
        history.crashed(now=100.0 + i)
    history.forget()
    assert history.crashed(now=105.0).delay == 1


@pytest.mark.parametrize(
    "settings",
    [dict(first_delay=-1), dict(factor=0.5), dict(limit=0), dict(window=0)],
)
def test_a_policy_that_could_not_work_is_refused(settings: dict[str, float]) -> None:
    with pytest.raises(ValueError):
        RestartPolicy(**settings)  # type: ignore[arg-type]

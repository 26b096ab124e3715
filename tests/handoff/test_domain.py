from handoff.domain import Waiting, estimate_minutes


def test_no_estimate_when_nobody_is_online() -> None:
    assert estimate_minutes(1, 0, [], 4.0) is None


def test_estimate_uses_the_default_without_history() -> None:
    assert estimate_minutes(3, 1, [], 4.0) == 12
    assert estimate_minutes(3, 2, [], 4.0) == 6


def test_estimate_uses_the_median_recent_wait() -> None:
    # one very long wait does not skew it
    waits = [60.0, 120.0, 120.0, 180.0, 7200.0]
    assert estimate_minutes(2, 1, waits, 4.0) == 4


def test_estimate_is_never_less_than_a_minute() -> None:
    assert estimate_minutes(1, 5, [1.0], 4.0) == 1


def test_leave_a_message_when_closed_or_nobody_online() -> None:
    base = {"position": 1, "estimate_minutes": 3, "next_opening": "x", "hours": "y"}
    assert Waiting(agents_online=0, open_now=True, **base).leave_a_message
    assert Waiting(agents_online=2, open_now=False, **base).leave_a_message
    assert not Waiting(agents_online=1, open_now=True, **base).leave_a_message

from datetime import datetime

import pytest

from handoff.hours import BusinessHours

HOURS = BusinessHours.parse("mon-fri 09:00-18:00; sat 10:00-16:00", "Europe/London")


def test_open_inside_the_hours_in_the_shops_time_zone() -> None:
    # 23 Nov 2026 is a Monday; London is on UTC in November
    assert HOURS.is_open(datetime(2026, 11, 23, 9, 0))
    assert HOURS.is_open(datetime(2026, 11, 23, 17, 59))
    assert not HOURS.is_open(datetime(2026, 11, 23, 18, 0))
    assert not HOURS.is_open(datetime(2026, 11, 23, 8, 59))


def test_summer_time_is_applied() -> None:
    # 1 June 2026 is a Monday; 08:30 UTC is 09:30 in London (BST)
    assert HOURS.is_open(datetime(2026, 6, 1, 8, 30))


def test_sunday_is_closed_and_the_next_opening_is_monday_morning() -> None:
    sunday_noon = datetime(2026, 11, 29, 12, 0)
    assert not HOURS.is_open(sunday_noon)
    assert HOURS.describe_next_opening(sunday_noon) == "tomorrow at 09:00"


def test_saturday_evening_waits_for_monday() -> None:
    assert HOURS.describe_next_opening(datetime(2026, 11, 28, 17, 0)) == "Monday at 09:00"


def test_before_opening_the_team_is_back_today() -> None:
    assert HOURS.describe_next_opening(datetime(2026, 11, 24, 7, 0)) == "today at 09:00"


def test_describe_groups_days() -> None:
    assert HOURS.describe() == "Monday–Friday 09:00–18:00, Saturday 10:00–16:00"


def test_always_is_always_open() -> None:
    always = BusinessHours.parse("always")
    assert always.is_open(datetime(2026, 11, 29, 3, 0))
    assert always.describe() == "around the clock"


@pytest.mark.parametrize("bad", ["mon 18:00-09:00", "someday 09:00-10:00", "mon-fri nine to five"])
def test_nonsense_is_refused_at_startup(bad: str) -> None:
    with pytest.raises(ValueError):
        BusinessHours.parse(bad)

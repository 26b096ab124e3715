"""Every figure on a small hand-made week whose right answers are worked out by hand.

The week (``history.one_week``), Monday 2 to Sunday 8 November 2026:

| conversation | channel, language | what happened | ticket |
| --- | --- | --- | --- |
| c1 web-1 | webchat, en | greet, order status, 2× inform, thanks | — |
| c2 web-1 (2nd session) | webchat, en | order status, a fallback, inform | — |
| c3 web-2 | webchat, en | 2 fallbacks → person; "ok" to the agent; rates | misunderstood, |
| | | | reply 120 s, close 600 s, Ann, 5 |
| c4 wa-1 | whatsapp, ko | asks for a person; rates | customer_asked, 300 s, 900 s, Bob, 2 |
| c5 wa-2 | whatsapp, en | return opened: doesn't fit, carrier | — |
| c6 wa-3 | whatsapp, zh | asks for a person, still waiting | customer_asked, open |
| c7 sl-1 | slack, en | complaint | complaint, 60 s, 300 s, Ann, not rated |
| c8 sl-2 | slack, en | return policy, thanks (23:59 Sunday) | — |
| api-1 | webchat | no conversation in the tracker | action_server_down, 30 s, 200 s, Bob |

Outside: sl-3 (Monday 9, 00:00:30) and web-3 (Sunday 1, 23:59, its ticket just after midnight).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from analytics.cut import Cut, CutError, parse_cut
from analytics.flat import to_csv
from analytics.service import metrics_for
from tests.analytics.history import History, one_week

WEEK = Cut(date(2026, 11, 2), date(2026, 11, 8))


@pytest.fixture(scope="module")
def week(tmp_path_factory: pytest.TempPathFactory) -> Iterator[History]:
    history = one_week(tmp_path_factory.mktemp("week"))
    yield history
    history.close()


def figures(week: History, **cut: Any) -> dict[str, Any]:
    return metrics_for(week.tracker_url, week.handoff_url, parse_cut(cut, today=date(2026, 11, 22)))


@pytest.fixture(scope="module")
def m(week: History) -> dict[str, Any]:
    return figures(week, **{"from": "2026-11-02", "to": "2026-11-08"})


def test_conversations_are_sessions_started_in_the_range_plus_tickets_without_one(
    m: dict[str, Any],
) -> None:
    assert m["conversations"] == 9
    # messages sent to an agent while the bot was paused are not the bot's to handle
    assert m["messages"] == 20


def test_containment_counts_conversations_without_a_ticket(m: dict[str, Any]) -> None:
    assert m["containment"]["contained"] == 4
    assert m["containment"]["rate"] == 0.4444
    by_intent = {r["intent"]: r for r in m["containment"]["by_intent"]}
    assert by_intent["order_status"]["conversations"] == 2
    assert by_intent["order_status"]["containment_rate"] == 1.0
    assert by_intent["human_handoff"]["containment_rate"] == 0.0
    assert by_intent["not_understood"]["misunderstood"] == 1
    assert by_intent["return_item"]["contained"] == 1
    assert set(by_intent) == {
        "order_status",
        "not_understood",
        "human_handoff",
        "return_item",
        "complain",
        "return_policy",
        "other",  # the ticket that has no conversation
    }


def test_handoff_rate_and_reasons(m: dict[str, Any]) -> None:
    h = m["handoff"]
    assert (h["conversations"], h["tickets"], h["rate"]) == (5, 5, 0.5556)
    assert [(r["code"], r["count"]) for r in h["reasons"]] == [
        ("customer_asked", 2),
        ("misunderstood", 1),
        ("complaint", 1),
        ("action_server_down", 1),
    ]
    assert h["reasons"][0]["share"] == 0.4
    assert h["reasons"][0]["label"] == "The customer asked for a person"


def test_waiting_times_leave_out_tickets_without_a_reply_or_not_closed(m: dict[str, Any]) -> None:
    # first agent messages after 30, 60, 120 and 300 s (a private note is not a reply)
    assert m["waiting"]["first_reply"] == {
        "count": 4,
        "median_seconds": 90.0,
        "p90_seconds": 300.0,
        "mean_seconds": 127.5,
    }
    assert m["waiting"]["close"] == {
        "count": 4,
        "median_seconds": 450.0,
        "p90_seconds": 900.0,
        "mean_seconds": 500.0,
    }


def test_csat_share_distribution_and_response_rate(m: dict[str, Any]) -> None:
    c = m["csat"]
    assert (c["closed"], c["rated"], c["response_rate"]) == (4, 2, 0.5)
    assert (c["satisfied"], c["csat"], c["average"]) == (1, 0.5, 3.5)
    assert c["distribution"] == {"1": 0, "2": 1, "3": 0, "4": 0, "5": 1}


def test_csat_per_channel_including_a_channel_with_no_ratings(m: dict[str, Any]) -> None:
    by_channel = {r["channel"]: r for r in m["csat"]["by_channel"]}
    assert by_channel["slack"]["closed"] == 1
    assert by_channel["slack"]["rated"] == 0
    assert by_channel["slack"]["csat"] is None  # no ratings is not 0% satisfied
    assert by_channel["slack"]["response_rate"] == 0.0
    assert by_channel["slack"]["average"] is None
    assert (by_channel["webchat"]["rated"], by_channel["webchat"]["csat"]) == (1, 1.0)
    assert (by_channel["whatsapp"]["closed"], by_channel["whatsapp"]["csat"]) == (1, 0.0)
    slack = next(r for r in m["channels"] if r["channel"] == "slack")
    assert (slack["conversations"], slack["csat"], slack["rated"]) == (2, None, 0)


def test_csat_per_agent(m: dict[str, Any]) -> None:
    by_agent = {r["agent"]: r for r in m["csat"]["by_agent"]}
    assert (by_agent["Ann"]["closed"], by_agent["Ann"]["csat"]) == (2, 1.0)
    assert by_agent["Ann"]["median_first_reply_seconds"] == 90.0
    assert (by_agent["Bob"]["rated"], by_agent["Bob"]["average"]) == (1, 2.0)
    assert by_agent["unassigned"]["closed"] == 0


def test_fallback_rate_counts_messages_the_bot_did_not_understand(m: dict[str, Any]) -> None:
    assert m["fallback"] == {
        "messages": 3,
        "rate": 0.15,
        "conversations": 2,
        "conversation_rate": 0.2222,
    }


def test_top_intents_are_what_customers_came_for(m: dict[str, Any]) -> None:
    top = [(r["intent"], r["conversations"]) for r in m["top_intents"]]
    assert top[:2] == [("human_handoff", 2), ("order_status", 2)]
    assert ("return_policy", 1) in top
    assert "greet" not in dict(top) and "inform" not in dict(top)


def test_failing_lists_the_topics_that_needed_people_or_fallbacks_first(m: dict[str, Any]) -> None:
    failing = [r["intent"] for r in m["failing"]]
    assert failing[:2] == ["not_understood", "human_handoff"]
    assert "return_policy" not in failing


def test_returns_opened_by_reason_and_method(m: dict[str, Any]) -> None:
    r = m["returns"]
    assert r["opened"] == 1
    assert r["by_reason"] == [{"value": "doesnt_fit", "count": 1, "share": 1.0}]
    assert r["by_method"] == [{"value": "carrier", "count": 1, "share": 1.0}]


def test_channel_and_language_breakdowns(m: dict[str, Any]) -> None:
    channels = {r["channel"]: (r["conversations"], r["handoffs"]) for r in m["channels"]}
    assert channels == {"webchat": (4, 2), "whatsapp": (3, 2), "slack": (2, 1)}
    languages = {r["language"]: r["conversations"] for r in m["languages"]}
    assert languages == {"en": 7, "ko": 1, "zh": 1}


def test_daily_series_covers_every_day_of_the_range(m: dict[str, Any]) -> None:
    series = {p["period"]: p["conversations"] for p in m["series"]}
    assert series == {
        "2026-11-02": 2,
        "2026-11-03": 1,
        "2026-11-04": 1,
        "2026-11-05": 2,
        "2026-11-06": 1,
        "2026-11-07": 1,
        "2026-11-08": 1,
    }


def test_weekly_series_starts_on_monday(week: History) -> None:
    m = figures(week, **{"from": "2026-11-02", "to": "2026-11-08", "granularity": "week"})
    assert [(p["period"], p["conversations"], p["handoffs"]) for p in m["series"]] == [
        ("2026-11-02", 9, 5)
    ]


def test_cut_by_channel(week: History) -> None:
    m = figures(week, **{"from": "2026-11-02", "to": "2026-11-08", "channel": "whatsapp"})
    assert (m["conversations"], m["handoff"]["conversations"]) == (3, 2)
    assert m["csat"]["csat"] == 0.0 and m["csat"]["rated"] == 1
    assert m["returns"]["opened"] == 1
    assert [r["channel"] for r in m["channels"]] == ["whatsapp"]


def test_cut_by_language(week: History) -> None:
    korean = figures(week, **{"from": "2026-11-02", "to": "2026-11-08", "language": "ko"})
    assert (korean["conversations"], korean["handoff"]["rate"]) == (1, 1.0)
    assert korean["csat"]["distribution"]["2"] == 1
    english = figures(week, **{"from": "2026-11-02", "to": "2026-11-08", "language": "en"})
    assert english["conversations"] == 7


def test_cut_by_date_range(week: History) -> None:
    monday = figures(week, **{"from": "2026-11-02", "to": "2026-11-02"})
    assert monday["conversations"] == 2  # c1 and the Slack complaint, not web-3 from Sunday
    assert monday["handoff"]["reasons"] == [
        {
            "code": "complaint",
            "label": "Complaint or angry message",
            "count": 1,
            "share": 1.0,
        }
    ]


def test_an_empty_range_has_zero_counts_and_no_rates(week: History) -> None:
    m = figures(week, **{"from": "2026-12-01", "to": "2026-12-07"})
    assert m["conversations"] == 0 and m["messages"] == 0
    assert m["containment"]["rate"] is None and m["handoff"]["rate"] is None
    assert m["csat"]["csat"] is None and m["csat"]["response_rate"] is None
    assert m["csat"]["distribution"] == {str(r): 0 for r in range(1, 6)}
    assert m["waiting"]["first_reply"]["median_seconds"] is None
    assert m["fallback"]["rate"] is None
    assert m["top_intents"] == [] and m["channels"] == [] and m["returns"]["opened"] == 0
    assert [p["conversations"] for p in m["series"]] == [0] * 7
    assert "conversations,,,0" in to_csv(m)


def test_missing_databases_mean_no_history_yet(tmp_path: Path) -> None:
    m = metrics_for(
        f"sqlite:///{tmp_path / 'tracker.db'}", f"sqlite:///{tmp_path / 'handoff.db'}", WEEK
    )
    assert m["conversations"] == 0


def test_csv_is_one_long_table_of_the_same_figures(m: dict[str, Any]) -> None:
    lines = to_csv(m).splitlines()
    assert lines[0] == "metric,breakdown,key,value"
    assert "containment_rate,,,0.4444" in lines
    assert "csat_ratings,rating,2,1" in lines
    assert "csat_csat,channel,slack," in lines  # no ratings: empty, not 0
    assert "returns_opened,method,carrier,1" in lines
    assert "first_reply_median_seconds,,,90.0" in lines


@pytest.mark.parametrize(
    ("args", "reason"),
    [
        ({"from": "2026-02-30"}, "from must be a date"),
        ({"from": "2026-11-08", "to": "2026-11-01"}, "from must not be after to"),
        ({"from": "2025-01-01", "to": "2026-11-01"}, "at most 366 days"),
        ({"channel": "fax"}, "channel must be one of webchat, whatsapp, slack"),
        ({"language": "fr"}, "language must be one of en, ko, zh"),
        ({"granularity": "hour"}, "granularity must be one of day, week"),
    ],
)
def test_a_bad_cut_says_what_is_wrong(args: dict[str, str], reason: str) -> None:
    with pytest.raises(CutError, match=reason):
        parse_cut(args, today=date(2026, 11, 22))


def test_default_cut_is_the_last_28_days_per_day_and_long_ranges_per_week() -> None:
    cut = parse_cut({}, today=date(2026, 11, 22))
    assert (cut.start, cut.end, cut.granularity) == (date(2026, 10, 26), date(2026, 11, 22), "day")
    year = parse_cut({"from": "2026-01-01", "to": "2026-11-22"})
    assert year.granularity == "week"


def test_an_asyncio_database_url_is_read_with_its_blocking_driver(week: History) -> None:
    from analytics.sources import sync_url

    assert sync_url("sqlite+aiosqlite:///var/x.db") == "sqlite:///var/x.db"
    assert sync_url("postgresql+asyncpg://u:p@h/db") == "postgresql://u:p@h/db"
    assert sync_url("postgresql://u:p@h/db") == "postgresql://u:p@h/db"
    m = metrics_for(
        week.tracker_url.replace("sqlite://", "sqlite+aiosqlite://"),
        week.handoff_url,
        WEEK,
    )
    assert m["conversations"] == 9


def test_csv_cells_never_run_as_spreadsheet_formulas(m: dict[str, Any]) -> None:
    import copy

    tricky = copy.deepcopy(m)
    tricky["csat"]["by_agent"][0]["agent"] = '=HYPERLINK("http://example.com","x")'
    lines = to_csv(tricky).splitlines()
    assert any(line.startswith("csat_closed,agent,\"'=HYPERLINK(") for line in lines)
    assert not any(",=" in line for line in lines)

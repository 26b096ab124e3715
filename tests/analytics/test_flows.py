"""The self-service flows' figures, from the events Rasa writes: a flow starts when its form is
activated and ends with the ``flow_outcome`` its last action sets.

| customer | channel, language | what happened |
| --- | --- | --- |
| web-c1 | webchat, en | cancel: done, refund GBP 49.90 |
| web-c2 | webchat, en | cancel: refused (on its way) |
| wa-c1 | whatsapp, zh | cancel: done, refund GBP 15.00; then cancel again: stopped |
| wa-c2 | whatsapp, ko | cancel started, still running (no outcome) |
| sl-c1 | slack, en | cancel: handed to a person; an address change done (no money) |
| sl-c2 | slack, en | a flow_outcome no flow wrote (unknown flow, NaN amount): ignored |
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from analytics.cache import TrackerCache
from analytics.cut import Cut
from analytics.flat import to_csv
from analytics.report import write_report
from analytics.service import metrics_for
from tests.analytics.history import History

WEEK = Cut(date(2026, 11, 2), date(2026, 11, 8))


def _outcome(flow: str, outcome: str, amount: str = "", currency: str = "") -> dict[str, str]:
    value = {"flow": flow, "outcome": outcome}
    return {**value, "amount": amount, "currency": currency} if amount else value


def _flows_week(directory: Path) -> History:
    hi = History(directory)
    hi.session("web-c1", "webchat", "11-02 10:00")
    hi.user("web-c1", "11-02 10:00", "cancel_order")
    hi.form("web-c1", "11-02 10:00:02", "cancel_form")
    hi.user("web-c1", "11-02 10:01", "affirm")
    hi.form("web-c1", "11-02 10:01:02", None)
    hi.slot("web-c1", "11-02 10:01:03", "flow_outcome", _outcome("cancel", "done", "49.90", "GBP"))

    hi.session("web-c2", "webchat", "11-03 10:00")
    hi.user("web-c2", "11-03 10:00", "cancel_order")
    hi.form("web-c2", "11-03 10:00:02", "cancel_form")
    hi.form("web-c2", "11-03 10:00:03", None)
    hi.slot("web-c2", "11-03 10:00:04", "flow_outcome", _outcome("cancel", "refused"))

    hi.session("wa-c1", "whatsapp", "11-04 09:00", language="zh")
    hi.user("wa-c1", "11-04 09:00", "cancel_order")
    hi.form("wa-c1", "11-04 09:00:02", "cancel_form")
    hi.slot("wa-c1", "11-04 09:01", "flow_outcome", _outcome("cancel", "done", "15.00", "GBP"))
    hi.slot("wa-c1", "11-04 09:01:01", "flow_outcome", None)  # reset: not an outcome
    hi.user("wa-c1", "11-04 09:02", "cancel_order")
    hi.form("wa-c1", "11-04 09:02:02", "cancel_form")
    hi.user("wa-c1", "11-04 09:03", "deny")
    hi.slot("wa-c1", "11-04 09:03:01", "flow_outcome", _outcome("cancel", "stopped"))

    hi.session("wa-c2", "whatsapp", "11-05 09:00", language="ko")
    hi.user("wa-c2", "11-05 09:00", "cancel_order")
    hi.form("wa-c2", "11-05 09:00:02", "cancel_form")

    hi.session("sl-c1", "slack", "11-06 09:00")
    hi.user("sl-c1", "11-06 09:00", "cancel_order")
    hi.form("sl-c1", "11-06 09:00:02", "cancel_form")
    hi.slot("sl-c1", "11-06 09:01", "flow_outcome", _outcome("cancel", "handoff"))
    hi.user("sl-c1", "11-06 09:05", "change_address")
    hi.form("sl-c1", "11-06 09:05:02", "address_form")
    hi.slot("sl-c1", "11-06 09:06", "flow_outcome", _outcome("address", "done"))
    hi.form("sl-c1", "11-06 09:06:01", "order_status_form")  # not a self-service flow

    hi.session("sl-c2", "slack", "11-07 09:00")
    hi.user("sl-c2", "11-07 09:00", "order_status")
    hi.slot("sl-c2", "11-07 09:01", "flow_outcome", {"flow": "teleport", "outcome": "done"})
    hi.slot("sl-c2", "11-07 09:02", "flow_outcome", _outcome("claim", "done", "NaN", "GBP"))
    return hi


@pytest.fixture(scope="module")
def week(tmp_path_factory: pytest.TempPathFactory) -> Iterator[History]:
    history = _flows_week(tmp_path_factory.mktemp("flows-week"))
    yield history
    history.close()


def _cancel(week: History, cut: Cut, cache: TrackerCache | None = None) -> dict:
    flows = metrics_for(week.tracker_url, week.handoff_url, cut, cache=cache)["flows"]
    return _row(flows["flows"], "cancel")


def _row(rows: list[dict], flow: str, **where: str) -> dict:
    found = [r for r in rows if r["flow"] == flow and all(r[k] == v for k, v in where.items())]
    assert len(found) == 1, (flow, where, rows)
    return found[0]


def test_each_flow_counts_its_starts_outcomes_containment_and_refunds(week: History) -> None:
    flows = metrics_for(week.tracker_url, week.handoff_url, WEEK)["flows"]
    cancel = _row(flows["flows"], "cancel")
    assert (cancel["started"], cancel["done"], cancel["refused"]) == (6, 2, 1)
    assert (cancel["handoff"], cancel["stopped"]) == (1, 1)
    assert cancel["containment_rate"] == 0.5  # (2 done + 1 refused) / 6 started
    assert cancel["money"] == [{"currency": "GBP", "amount": "64.90"}]
    address = _row(flows["flows"], "address")
    assert (address["started"], address["done"], address["money"]) == (1, 1, [])
    # the NaN amount is dropped; the outcome itself still counts
    claim = _row(flows["flows"], "claim")
    assert (claim["started"], claim["done"], claim["money"]) == (0, 1, [])
    assert claim["containment_rate"] is None  # nothing started: no rate, not 0


def test_flows_split_by_channel_and_language_and_follow_the_cut(week: History) -> None:
    flows = metrics_for(week.tracker_url, week.handoff_url, WEEK)["flows"]
    whatsapp = _row(flows["by_channel"], "cancel", channel="whatsapp")
    assert (whatsapp["started"], whatsapp["done"], whatsapp["stopped"]) == (3, 1, 1)
    assert whatsapp["money"] == [{"currency": "GBP", "amount": "15.00"}]
    chinese = _row(flows["by_language"], "cancel", language="zh")
    assert (chinese["started"], chinese["done"], chinese["containment_rate"]) == (2, 1, 0.5)
    web_only = Cut(WEEK.start, WEEK.end, channel="webchat")
    cancel = _row(
        metrics_for(week.tracker_url, week.handoff_url, web_only)["flows"]["flows"], "cancel"
    )
    assert (cancel["started"], cancel["done"], cancel["refused"], cancel["containment_rate"]) == (
        2,
        1,
        1,
        1.0,
    )
    one_day = Cut(date(2026, 11, 3), date(2026, 11, 3))
    cancel = _row(
        metrics_for(week.tracker_url, week.handoff_url, one_day)["flows"]["flows"], "cancel"
    )
    assert (cancel["started"], cancel["refused"], cancel["money"]) == (1, 1, [])


def test_the_dashboards_cache_counts_the_same_flows_as_a_cold_read(week: History) -> None:
    cold = metrics_for(week.tracker_url, week.handoff_url, WEEK)["flows"]
    cache = TrackerCache(week.tracker_url)
    warm = metrics_for(week.tracker_url, week.handoff_url, WEEK, cache=cache)["flows"]
    assert warm == cold
    week.session("web-c9", "webchat", "11-08 12:00")
    week.user("web-c9", "11-08 12:00", "cancel_order")
    week.form("web-c9", "11-08 12:00:02", "cancel_form")
    week.slot("web-c9", "11-08 12:01", "flow_outcome", _outcome("cancel", "done", "5.00", "EUR"))
    later = _row(
        metrics_for(week.tracker_url, week.handoff_url, WEEK, cache=cache)["flows"]["flows"],
        "cancel",
    )
    assert (later["started"], later["done"]) == (7, 3)
    assert later["money"] == [
        {"currency": "EUR", "amount": "5.00"},
        {"currency": "GBP", "amount": "64.90"},
    ]


def test_the_csv_and_the_report_show_the_flows(week: History, tmp_path: Path) -> None:
    cut = Cut(date(2026, 11, 2), date(2026, 11, 7))
    m = metrics_for(week.tracker_url, week.handoff_url, cut)
    table = list(csv.reader(io.StringIO(to_csv(m))))
    assert ["flow_started", "flow", "cancel", "6"] in table
    assert ["flow_containment_rate", "flow", "cancel", "0.5"] in table
    assert ["flow_money", "flow:GBP", "cancel", "64.90"] in table
    assert ["flow_done", "channel:whatsapp", "cancel", "1"] in table
    page = write_report(m, tmp_path).html.read_text()
    assert "Self-service flows" in page
    section = page.split("Self-service flows")[1]
    row = section.split("<td>Cancel an order</td>")[1].split("</tr>")[0]
    cells = [cell.split("</td>")[0] for cell in row.split("<td>")[1:]]
    assert cells == ["6", "2", "1", "1", "1", "50.0%", "GBP 64.90"]

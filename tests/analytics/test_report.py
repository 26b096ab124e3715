"""``make report``: one self-contained HTML page with PNG charts, and the CSV, for a range."""

from __future__ import annotations

import base64
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from analytics.cut import Cut
from analytics.report import write_report
from analytics.service import metrics_for
from bot.settings import ROOT
from tests.analytics.history import History, one_week

PNG = b"\x89PNG\r\n\x1a\n"


@pytest.fixture(scope="module")
def week(tmp_path_factory: pytest.TempPathFactory) -> Iterator[History]:
    history = one_week(tmp_path_factory.mktemp("report-week"))
    yield history
    history.close()


def test_the_page_holds_its_figures_and_charts_and_needs_nothing_else(
    week: History, tmp_path: Path
) -> None:
    m = metrics_for(week.tracker_url, week.handoff_url, Cut(date(2026, 11, 2), date(2026, 11, 8)))
    written = write_report(m, tmp_path, "Lumen & Loom")
    assert written.html.name == "baton-report-2026-11-02-2026-11-08.html"
    page = written.html.read_text()
    assert "Lumen &amp; Loom support report, 2026-11-02 to 2026-11-08" in page
    for figure in ("44.4%", "55.6%", "50.0%", "2 min", "8 min"):  # containment, handoff, CSAT,
        assert figure in page, figure  # median first reply (90 s), median close (450 s)
    # every image is inside the page, as a PNG; nothing is fetched from anywhere
    images = re.findall(r'src="data:image/png;base64,([^"]+)"', page)
    assert len(images) == 7
    assert all(base64.b64decode(i).startswith(PNG) for i in images)
    assert not re.search(r'(src|href)="(?!data:)', page)
    assert written.csv.read_text().splitlines()[0] == "metric,breakdown,key,value"
    assert len(written.pngs) == 7 and all(p.read_bytes().startswith(PNG) for p in written.pngs)


def test_an_empty_range_still_makes_a_readable_report(week: History, tmp_path: Path) -> None:
    cut = Cut(date(2026, 12, 1), date(2026, 12, 7), channel="slack")
    m = metrics_for(week.tracker_url, week.handoff_url, cut)
    written = write_report(m, tmp_path)
    assert written.html.name == "baton-report-2026-12-01-2026-12-07-slack.html"
    page = written.html.read_text()
    assert "Nothing in this range" in page and "Slack" in page


def _run(week: History, *args: str) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "TRACKER_DATABASE_URL": week.tracker_url,
        "HANDOFF_DATABASE_URL": week.handoff_url,
    }
    return subprocess.run(
        [sys.executable, "-m", "analytics", "report", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )


def test_make_report_writes_both_files_for_the_dates_asked(week: History, tmp_path: Path) -> None:
    done = _run(week, "--from", "2026-11-02", "--to", "2026-11-08", "--out", str(tmp_path))
    assert done.returncode == 0, done.stderr
    assert "9 conversations from 2026-11-02 to 2026-11-08" in done.stdout
    assert (tmp_path / "baton-report-2026-11-02-2026-11-08.html").exists()
    assert (
        "containment_rate,,,0.4444"
        in (tmp_path / "baton-metrics-2026-11-02-2026-11-08.csv").read_text().splitlines()
    )


def test_make_report_says_what_is_wrong_with_a_bad_date(week: History, tmp_path: Path) -> None:
    done = _run(week, "--from", "2026-13-01", "--out", str(tmp_path))
    assert done.returncode == 2
    assert "from must be a date like 2026-11-01" in done.stderr
    assert not list(tmp_path.iterdir())

"""``python -m analytics report``: the support figures as an HTML page and a CSV (``make report``).

    python -m analytics report                                 # the last 28 days
    python -m analytics report --from 2026-11-01 --to 2026-11-28 --channel whatsapp
    python -m analytics report --out /tmp/reports --language ko

Reads ``TRACKER_DATABASE_URL`` and ``HANDOFF_DATABASE_URL`` (the local defaults under
``var/`` when unset), like the rest of Baton.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from analytics.cut import CutError, parse_cut
from bot.settings import ROOT, local_environment


def _shown(path: Path) -> Path:
    return path.relative_to(ROOT) if path.is_relative_to(ROOT) else path


def cmd_report(args: argparse.Namespace) -> int:
    from analytics.report import write_report
    from analytics.service import metrics_for

    try:
        cut = parse_cut(
            {
                "from": args.start,
                "to": args.end,
                "channel": args.channel,
                "language": args.language,
                "granularity": args.granularity,
            }
        )
    except CutError as exc:
        print(f"make report: {exc}", file=sys.stderr)
        return 2
    env = local_environment()
    tracker_url = env["TRACKER_DATABASE_URL"]
    handoff_url = env.get("HANDOFF_DATABASE_URL") or (
        f"sqlite:///{Path(env['BATON_VAR_DIR']) / 'handoff.db'}"
    )
    figures = metrics_for(tracker_url, handoff_url, cut)
    written = write_report(figures, args.out, env.get("SHOP_NAME") or "Lumen & Loom")
    print(
        f"==> {figures['conversations']:,} conversations from {cut.start} to {cut.end}\n"
        f"    {_shown(written.html)}  (self-contained: e-mail it as it is)\n"
        f"    {_shown(written.csv)}  (one long table: metric, breakdown, key, value)\n"
        f"    {len(written.pngs)} charts as PNG next to them"
    )
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m analytics", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    report = sub.add_parser("report", help="HTML page with PNG charts, and CSV, for a date range")
    report.add_argument("--from", dest="start", help="first day, YYYY-MM-DD (default: 28 days ago)")
    report.add_argument("--to", dest="end", help="last day, YYYY-MM-DD (default: today)")
    report.add_argument("--channel", help="webchat, whatsapp or slack (default: all)")
    report.add_argument("--language", help="en, ko or zh (default: all)")
    report.add_argument("--granularity", help="day or week (default: day up to 31 days)")
    report.add_argument(
        "--out", type=Path, default=ROOT / "reports" / "analytics", help="where to write"
    )
    report.set_defaults(func=cmd_report)
    args = parser.parse_args(argv)
    os.environ.setdefault("MPLBACKEND", "Agg")
    return int(args.func(args))


if __name__ == "__main__":
    sys.exit(main())

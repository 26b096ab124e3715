"""``python -m infra.prod {run,env,init-db}``: the production profile's command line.

``run`` is ``make run-prod``: start everything (:func:`infra.prod.start_profile`), print
where to find it, keep it running — a process that dies is started again by the supervisor
(:mod:`infra.supervise`) and the line saying so is printed here — and stop everything in order
on Ctrl-C. ``status`` prints what the supervisor last wrote: each process's state, pid and
restarts; its exit status is 1 when one is in a crash loop. ``env`` prints the profile's database
URLs and tokens as ``export`` lines, for commands such as ``python -m bot erase``.
``init-db`` creates or migrates the tables, and seeds the demo shop only with
``BATON_SEED_DEMO=1`` (:mod:`infra.init_db`).
"""

from __future__ import annotations

import argparse
import json
import os
import shlex
import signal
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Optional

from bot.production import programs
from infra.postgres import WrongPassword
from infra.procs import MissingBinary
from infra.prod import ROOT, PortBusy, Profile, profile_environment, start_profile


@contextmanager
def _interrupts_as_keyboard() -> Iterator[None]:
    def _raise(_signum: int, _frame: object) -> None:
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, _raise), signal.signal(signal.SIGINT, _raise)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous[0])
        signal.signal(signal.SIGINT, previous[1])


def cmd_run(args: argparse.Namespace) -> int:
    from bot.training import ensure_model

    directory = Path(args.dir)
    model = ensure_model()
    print(f"==> starting the production profile in {directory} (takes a minute)", flush=True)
    with _interrupts_as_keyboard():
        try:
            running = start_profile(
                directory,
                model,
                programs=programs(),
                fake_channels=args.fake_channels,
                on_event=_say,
            )
        except KeyboardInterrupt:
            print("\nStopped before Baton was up.", flush=True)
            return 130
        except (PortBusy, MissingBinary, WrongPassword) as problem:
            print(f"Baton did not start: {problem}", file=sys.stderr)
            return 1
        try:
            print(_banner(running), flush=True)
            while True:  # the supervisor's threads do the work; Ctrl-C ends it
                time.sleep(3600)
        except KeyboardInterrupt:
            print("\nStopping the production profile…", flush=True)
            return 0
        finally:
            running.stop()


def _say(line: str) -> None:
    """A supervisor event, on the terminal that ran ``make run-prod``."""
    print(f"[{time.strftime('%H:%M:%S')}] {line}", flush=True)


def _banner(running: Profile) -> str:
    env = running.env
    lines = [
        "",
        "  Baton (production profile) is running.",
        f"  Web chat:      http://localhost:{running.ports.nginx_rasa}/webchat",
        f"  Agent console: http://localhost:{running.ports.nginx_handoff}/",
    ]
    if env.get("HANDOFF_DEMO_AGENT", "").lower() in ("1", "true", "yes", "on"):
        lines.append(
            f"  Demo agent:    demo / {env['HANDOFF_DEMO_PASSWORD']}  "
            f"(kept in {running.directory}/secrets; HANDOFF_DEMO_AGENT=false turns it off)"
        )
    lines += [
        f"  Erasure API:   POST http://localhost:{running.ports.nginx_handoff}/admin/erasures "
        "(bearer BATON_ADMIN_TOKEN; generated under secrets/ unless set)",
        "  Processes:",
    ]
    lines += [f"    {name:<28} 127.0.0.1:{port}" for name, port in running.ports.all().items()]
    if running.twilio_url:
        lines.append(f"  Fake WhatsApp: {running.twilio_url}/   Fake Slack: {running.slack_url}/")
    lines += [
        f"  Logs:          {running.directory}/logs",
        "  A process that dies is started again (backoff, crash-loop limit); "
        "`python -m infra.prod status` shows each one.",
        "  Press Ctrl-C to stop.",
        "",
    ]
    return "\n".join(lines)


_EXPORTED = (
    "STORE_DATABASE_URL",
    "TRACKER_DATABASE_URL",
    "HANDOFF_DATABASE_URL",
    "REDIS_URL",
    "BATON_VAR_DIR",
    "BATON_ADMIN_TOKEN",
    "HANDOFF_URL",
    "PUBLIC_URL",
)


def cmd_env(args: argparse.Namespace) -> int:
    env = profile_environment(Path(args.dir).resolve(), programs())
    for name in _EXPORTED:
        print(f"export {name}={shlex.quote(env[name])}")
    return 0


def cmd_status(args: argparse.Namespace) -> int:
    path = Path(args.dir) / "status.json"
    if not path.exists():
        print(f"no profile has run in {args.dir}", file=sys.stderr)
        return 2
    status = json.loads(path.read_text())
    for name, row in status.items():
        exit_ = f"  last: {row['last_exit']}" if row["last_exit"] else ""
        print(
            f"{name:<10} {row['state']:<11} pid {row['pid']!s:<8} restarts {row['restarts']}{exit_}"
        )
    return 1 if any(row["state"] == "crash-loop" for row in status.values()) else 0


def cmd_init_db(_args: argparse.Namespace) -> int:
    from infra.init_db import init_databases

    init_databases()
    return 0


def main(argv: Optional[list[str]] = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m infra.prod", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    run = sub.add_parser("run", help="start the profile in the foreground; Ctrl-C stops it")
    run.add_argument("--dir", default=str(ROOT / "var" / "prod"), help="data and logs")
    run.add_argument(
        "--fake-channels",
        action="store_true",
        default=os.environ.get("BATON_FAKE_CHANNELS", "").lower() in ("1", "true", "yes", "on"),
        help="WhatsApp and Slack against local fakes (as BATON_FAKE_CHANNELS=1)",
    )
    run.set_defaults(func=cmd_run)
    env = sub.add_parser(
        "env", help='print export lines for the profile\'s databases (eval "$(… env)")'
    )
    env.add_argument("--dir", default=str(ROOT / "var" / "prod"), help="data and logs")
    env.set_defaults(func=cmd_env)
    status = sub.add_parser("status", help="each process's state, pid and restarts")
    status.add_argument("--dir", default=str(ROOT / "var" / "prod"), help="data and logs")
    status.set_defaults(func=cmd_status)
    init = sub.add_parser(
        "init-db", help="create/migrate the tables; the demo shop if BATON_SEED_DEMO=1"
    )
    init.set_defaults(func=cmd_init_db)
    args = parser.parse_args(argv)
    os.chdir(ROOT)
    return int(args.func(args))


if __name__ == "__main__":
    sys.exit(main())

"""``python -m handoff {run,create-agent}``: the handoff service's command line.

python -m handoff run                       # serve on HANDOFF_HOST:HANDOFF_PORT
python -m handoff create-agent sam "Sam"    # add an agent (asks for the password)
python -m handoff create-agent kim "Kim" --lead   # a lead: also sees the analytics dashboard
"""

from __future__ import annotations

import argparse
import asyncio
import getpass
import logging
import os
import sys


def cmd_run(args: argparse.Namespace) -> int:
    from handoff.app import create_app
    from handoff.settings import load_settings

    settings = load_settings()
    app = create_app(settings)
    app.run(
        host=args.host or settings.host,
        port=args.port or settings.port,
        access_log=False,
        motd=False,
        workers=1,
    )
    return 0


async def _create_agent(
    username: str, display_name: str, password: str, role: str | None = None
) -> None:
    from handoff.live import Hub
    from handoff.relay import RelayClient
    from handoff.services import HandoffService
    from handoff.settings import load_settings
    from handoff.store.db import create_engine, create_schema

    settings = load_settings()
    engine = create_engine(settings.database_url)
    await create_schema(engine)
    service = HandoffService(engine, settings, Hub(), RelayClient(settings.relay_url, ""))
    await service.create_agent(username, display_name, password, role)
    await engine.dispose()


def cmd_create_agent(args: argparse.Namespace) -> int:
    password = os.environ.get("HANDOFF_NEW_AGENT_PASSWORD") or getpass.getpass("Password: ")
    if len(password) < 10:
        print("Use a password of at least 10 characters.", file=sys.stderr)
        return 1
    role = "lead" if args.lead else ("agent" if args.not_lead else None)
    asyncio.run(_create_agent(args.username, args.display_name, password, role))
    print(f"Agent {args.username!r} is ready.")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m handoff", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    run = sub.add_parser("run", help="serve the handoff service and agent console")
    run.add_argument("--host")
    run.add_argument("--port", type=int)
    run.set_defaults(func=cmd_run)
    create = sub.add_parser("create-agent", help="add an agent, or reset their password")
    create.add_argument("username")
    create.add_argument("display_name")
    lead = create.add_mutually_exclusive_group()
    lead.add_argument("--lead", action="store_true", help="a lead: also sees the analytics")
    lead.add_argument("--not-lead", action="store_true", help="take the lead role away")
    create.set_defaults(func=cmd_create_agent)
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=os.environ.get("LOG_LEVEL", "INFO"),
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    return int(args.func(args))


if __name__ == "__main__":
    sys.exit(main())

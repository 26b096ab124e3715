"""Baton's command line: ``baton {run,shell,train,seed,migrate,check-data,check-shop,patches,…}``.

``baton`` is the console script pyproject.toml installs; ``python -m bot`` is the same thing.
The Makefile calls these; they work the same from a shell.
"""

from __future__ import annotations

import argparse
import os
import sys

from bot.settings import ROOT, local_environment


def _apply_local_environment() -> None:
    os.environ.update(local_environment())


def cmd_train(args: argparse.Namespace) -> int:
    from bot.training import ensure_model

    ensure_model(force=args.force)
    return 0


def cmd_seed(args: argparse.Namespace) -> int:
    """Migrate the store and seed the demo shop (local mode: unless BATON_SEED_DEMO=0)."""
    from actions.settings import get_settings
    from actions.store.prepare import prepare_store_sync

    report = prepare_store_sync(get_settings().store_database_url, "local", os.environ)
    if report is None:
        print("==> store schema up to date; demo shop not seeded (BATON_SEED_DEMO=0)")
    else:
        state = "created" if report.created else "already seeded"
        print(f"==> demo shop {state}: {report.customers} customers, {report.orders} orders")
    if getattr(args, "history", False):
        _seed_history()
    return 0


def cmd_migrate(_: argparse.Namespace) -> int:
    """Upgrade the store to the newest schema revision, nothing else (make migrate)."""
    from actions.settings import get_settings
    from actions.store.prepare import migrate_store_sync

    migrate_store_sync(get_settings().store_database_url)
    print("==> store schema up to date")
    return 0


def _seed_history() -> None:
    """Four weeks of support history for the analytics dashboard, once (analytics/seed.py)."""
    from analytics.seed import seed_history
    from handoff.settings import load_settings

    written = seed_history(os.environ["TRACKER_DATABASE_URL"], load_settings().database_url)
    if written.created:
        print(
            f"==> support history created: {written.conversations} conversations, "
            f"{written.tickets} handoffs over the last 28 days"
        )
    else:
        print("==> support history already seeded")


def cmd_run(args: argparse.Namespace) -> int:
    """Train if needed, seed, start: a line per stage; Rasa's and the servers' output in
    var/logs/ (bot/console.py)."""
    from bot.launcher import run
    from bot.training import TrainingFailed, ensure_model

    try:
        model = ensure_model(quiet=True)
    except TrainingFailed:
        return 1
    cmd_seed(args)
    if os.environ.get("BATON_SEED_HISTORY", "1").lower() not in ("0", "false", "no", "off"):
        _seed_history()
    return run(model)


def cmd_check_data(_: argparse.Namespace) -> int:
    from bot.data_checks import check_all

    problems = check_all(ROOT)
    for problem in problems:
        print(f"  ✗ {problem}")
    if problems:
        print(f"{len(problems)} problem(s) in the training data.")
        return 1
    print("==> Baton's data checks passed")
    return 0


def cmd_test_conversations(_: argparse.Namespace) -> int:
    from bot.conversation_tests import run_conversation_tests

    return run_conversation_tests()


def cmd_erase(args: argparse.Namespace) -> int:
    """Erase a customer's conversations and personal data everywhere (infra/erasure.py)."""
    import asyncio
    import json

    from infra.erasure import ErasureError, Subject, Targets, erase

    try:
        subject = Subject(
            customer_id=args.customer_id,
            email=args.email,
            phone=args.phone,
            conversation_ids=tuple(args.conversation or ()),
        )
    except ErasureError as error:
        print(f"erase: {error}", file=sys.stderr)
        return 2
    if not args.yes:
        if not sys.stdin.isatty():
            print("erase: pass --yes to confirm (this cannot be undone)", file=sys.stderr)
            return 2
        if input("This deletes the customer's conversations for good. Type 'erase': ") != "erase":
            print("Nothing erased.")
            return 1
    try:
        report = asyncio.run(erase(subject, Targets.from_env(), requested_by="cli"))
    except ErasureError as error:
        print(f"erase: {error}", file=sys.stderr)
        return 1
    print(json.dumps(report.as_dict(), indent=2))
    return 0


def cmd_retention(_: argparse.Namespace) -> int:
    """Delete what is older than the shop's retention periods (infra/retention.py)."""
    import asyncio
    import json

    from infra.erasure import Targets
    from infra.retention import Retention, apply_retention

    counts = asyncio.run(apply_retention(Targets.from_env(), Retention.from_env()))
    print(json.dumps(counts, indent=2, sort_keys=True))
    return 0


def cmd_check_shop(args: argparse.Namespace) -> int:
    """What Baton can read of the configured shop, without personal data (bot/check_shop.py)."""
    from bot.check_shop import main as check_shop

    return check_shop(args.order)


def cmd_patches(args: argparse.Namespace) -> int:
    """Baton's patches of Rasa and rasa-sdk and whether they still fit (bot/patches/)."""
    from bot.patches.report import print_fingerprint, report

    if args.fingerprint:
        return print_fingerprint(args.fingerprint, sys.stdout)
    return report(sys.stdout)


def cmd_shell(args: argparse.Namespace) -> int:
    """Chat with the running Baton in this terminal, over its web chat (bot/shell.py)."""
    from bot.shell import main as shell

    return shell(args.url)


def _program() -> str:
    """``baton`` when run as the console script, ``python -m bot`` otherwise (usage lines)."""
    return "baton" if os.path.basename(sys.argv[0]) == "baton" else "python -m bot"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog=_program(), description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    train = sub.add_parser("train", help="train the model if data, domain or config changed")
    train.add_argument("--force", action="store_true", help="train even if a model exists")
    train.set_defaults(func=cmd_train)
    seed = sub.add_parser("seed", help="create and seed the demo shop")
    seed.add_argument(
        "--history", action="store_true", help="also four weeks of support history (analytics)"
    )
    seed.set_defaults(func=cmd_seed)
    sub.add_parser(
        "migrate", help="upgrade the store's schema to the newest revision"
    ).set_defaults(func=cmd_migrate)
    sub.add_parser("run", help="train if needed, seed, start everything").set_defaults(func=cmd_run)
    shell = sub.add_parser("shell", help="chat with the running Baton in this terminal")
    shell.add_argument(
        "--url",
        help="the Rasa server (default: http://127.0.0.1:$RASA_PORT, RASA_PORT 5005 if unset)",
    )
    shell.set_defaults(func=cmd_shell)
    sub.add_parser("check-data", help="Baton's own data checks").set_defaults(func=cmd_check_data)
    sub.add_parser("test-conversations", help="rasa test on tests/conversations").set_defaults(
        func=cmd_test_conversations
    )
    erase = sub.add_parser("erase", help="erase a customer's conversations and personal data")
    erase.add_argument("--customer-id", type=int, help="the store's customer id")
    erase.add_argument("--email", help="the customer's e-mail address")
    erase.add_argument("--phone", help="the customer's phone number, E.164 (+447700900123)")
    erase.add_argument(
        "--conversation", action="append", help="a conversation id (repeat for several)"
    )
    erase.add_argument("--yes", action="store_true", help="do not ask for confirmation")
    erase.set_defaults(func=cmd_erase)
    sub.add_parser(
        "retention", help="delete what is older than the RETENTION_*_DAYS periods"
    ).set_defaults(func=cmd_retention)
    check_shop = sub.add_parser(
        "check-shop", help="what Baton can read of the shop (SHOP_BACKEND), no personal data"
    )
    check_shop.add_argument("--order", help="also read this order number and show its shape")
    check_shop.set_defaults(func=cmd_check_shop)
    patches = sub.add_parser(
        "patches", help="Baton's patches of Rasa and whether the installed Rasa still fits them"
    )
    patches.add_argument(
        "--fingerprint",
        metavar="TARGET",
        help="print the fingerprint of a dotted target's code, for a new registry entry",
    )
    patches.set_defaults(func=cmd_patches)
    args = parser.parse_args(argv)
    _apply_local_environment()
    os.chdir(ROOT)
    return int(args.func(args))


if __name__ == "__main__":
    sys.exit(main())

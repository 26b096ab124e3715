"""Baton's command line: ``python -m bot {run,train,seed,check-data,test-conversations}``.

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


def cmd_seed(_: argparse.Namespace) -> int:
    from actions.settings import get_settings
    from actions.store.seed import seed_store_sync

    report = seed_store_sync(get_settings().store_database_url)
    state = "created" if report.created else "already seeded"
    print(f"==> demo shop {state}: {report.customers} customers, {report.orders} orders")
    return 0


def cmd_run(args: argparse.Namespace) -> int:
    from bot.launcher import run
    from bot.training import ensure_model

    model = ensure_model()
    cmd_seed(args)
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


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    train = sub.add_parser("train", help="train the model if data, domain or config changed")
    train.add_argument("--force", action="store_true", help="train even if a model exists")
    train.set_defaults(func=cmd_train)
    sub.add_parser("seed", help="create and seed the demo shop").set_defaults(func=cmd_seed)
    sub.add_parser("run", help="train if needed, seed, start everything").set_defaults(func=cmd_run)
    sub.add_parser("check-data", help="Baton's own data checks").set_defaults(func=cmd_check_data)
    sub.add_parser("test-conversations", help="rasa test on tests/conversations").set_defaults(
        func=cmd_test_conversations
    )
    args = parser.parse_args(argv)
    _apply_local_environment()
    os.chdir(ROOT)
    return int(args.func(args))


if __name__ == "__main__":
    sys.exit(main())

"""How the trained model treats requests nobody on the team wrote (``make nlu-dev``).

    python benchmarks/nlu_dev.py [--splits val,oos_val] [--model models/baton-....tar.gz]

Scores the current model (trained first if the data changed) on CLINC150's validation and
out-of-scope validation splits (bot/trainers/clinc.py says where the file is looked for), as the
bot serves them (a fallback counts as a fallback):

- recall of the seven CLINC intents that have a Baton counterpart (order status and the small
  talk: greeting, goodbye, thanks, "are you a bot?", yes, no);
- the misrouted share: the other 143 intents' and the out-of-scope queries' messages that start
  an order or return flow (order status, return, refund status, return policy);
- the CLINC intents misrouted most, with examples.

Prints the figures and writes ``reports/nlu_dev.md`` and ``reports/nlu_dev.json``. Without the
data file it says so and exits 0: the benchmark is optional, the quality gate is not.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import sys
import time
from collections import Counter
from pathlib import Path

from common import ROOT, machine

from bot.settings import local_environment
from bot.trainers import clinc
from bot.trainers.evaluation import Prediction, load_processor, predict
from bot.trainers.routing import Routing, percent, route

TARGETS = {"misrouted": 0.03, "order_status": 0.95, "small_talk": 0.90}


def recall(predictions: list[Prediction], intent: str) -> tuple[int, int]:
    mine = [p for p in predictions if p.intent == intent]
    return sum(p.acted_on == clinc.MAPPED[intent] for p in mine), len(mine)


def figures(predictions: list[Prediction]) -> dict[str, object]:
    routing: Routing = route(predictions, clinc.goals(), frozenset(), clinc.reached())
    per_intent = {intent: recall(predictions, intent) for intent in clinc.MAPPED}
    small = [per_intent[i] for i in clinc.SMALL_TALK]
    small_right, small_total = sum(r for r, _ in small), sum(t for _, t in small)
    by_source = Counter(p.intent for p in routing.misroutes)
    into = Counter(p.acted_on for p in routing.misroutes)
    return {
        "messages": len(predictions),
        "misrouted": routing.misrouted,
        "other": routing.other,
        "misrouted_rate": routing.misrouted_rate,
        "order_status_recall": per_intent["order_status"][0] / per_intent["order_status"][1],
        "small_talk_recall": small_right / small_total if small_total else None,
        "recall": {k: {"right": r, "total": t} for k, (r, t) in per_intent.items()},
        "misrouted_into": dict(into.most_common()),
        "worst": [
            {
                "intent": intent,
                "misrouted": count,
                "examples": [
                    f"{p.text} → {p.acted_on}" for p in routing.misroutes if p.intent == intent
                ][:3],
            }
            for intent, count in by_source.most_common(15)
        ],
        "missed": [
            f"{p.text} ({p.intent} → {p.acted_on})"
            for p in predictions
            if p.intent in clinc.MAPPED and p.acted_on != clinc.MAPPED[p.intent]
        ],
    }


def report(result: dict, model: str, splits: str, seconds: float) -> str:
    rate = result["misrouted_rate"]
    lines = [
        "# NLU on a dev set nobody here wrote (CLINC150)",
        "",
        f"Model `{model}`, splits `{splits}`, {result['messages']} messages, "
        f"{time.strftime('%Y-%m-%d %H:%M')}, {seconds:.0f} s on {machine()}.",
        "",
        "| figure | measured | target |",
        "| --- | ---: | ---: |",
        f"| misrouted into an order or return flow | {result['misrouted']}/{result['other']} "
        f"({percent(rate)}) | ≤ {TARGETS['misrouted']:.0%} |",
        f"| order_status recall | {result['order_status_recall']:.3f} | "
        f"≥ {TARGETS['order_status']:.2f} |",
        f"| small talk recall | {result['small_talk_recall']:.3f} | "
        f"≥ {TARGETS['small_talk']:.2f} |",
        "",
        "## Recall of the mapped intents",
        "",
        *[
            f"- {k} → {clinc.MAPPED[k]}: {v['right']}/{v['total']}"
            for k, v in result["recall"].items()
        ],
        "",
        "## Misrouted into",
        "",
        *[f"- {k}: {v}" for k, v in result["misrouted_into"].items()],
        "",
        "## CLINC intents misrouted most",
        "",
    ]
    for worst in result["worst"]:
        lines.append(f"- **{worst['intent']}** ({worst['misrouted']})")
        lines += [f"  - “{e}”" for e in worst["examples"]]
    lines += ["", "## Mapped messages missed", "", *[f"- {m}" for m in result["missed"]]]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--splits", default=",".join(clinc.DEFAULT_SPLITS))
    parser.add_argument("--model", type=Path, default=None, help="default: the current model")
    args = parser.parse_args(argv)
    path = clinc.find()
    if path is None:
        print(
            f"==> no {clinc.FILE_NAME} in {clinc.dev_dir()}: skipping the dev benchmark "
            "(set BATON_NLU_DEV_DIR to the folder that holds it)"
        )
        return 0
    os.environ.update(local_environment())
    os.chdir(ROOT)
    from rasa.utils.common import configure_logging_and_warnings
    from rasa.utils.log_utils import configure_structlog

    from bot.training import ensure_model

    configure_logging_and_warnings(logging.WARNING)
    configure_structlog(logging.WARNING)
    splits = tuple(s.strip() for s in args.splits.split(",") if s.strip())
    examples = clinc.load(path, splits)
    model = args.model or ensure_model()
    processor = load_processor(model)
    started = time.monotonic()
    predictions = asyncio.run(predict(processor, examples, as_served=True))
    seconds = time.monotonic() - started
    result = figures(predictions)
    out = ROOT / "reports"
    out.mkdir(exist_ok=True)
    (out / "nlu_dev.json").write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n")
    (out / "nlu_dev.md").write_text(report(result, model.name, args.splits, seconds))
    print(f"==> {model.name} on CLINC150 {args.splits}: {len(predictions)} messages")
    print(
        f"    misrouted {result['misrouted']}/{result['other']} "
        f"({percent(result['misrouted_rate'])}) [target ≤ 3%], "
        f"order_status recall {result['order_status_recall']:.3f} [≥ 0.95], "
        f"small talk recall {result['small_talk_recall']:.3f} [≥ 0.90]"
    )
    print(
        "    misrouted most: "
        + ", ".join(f"{w['intent']} {w['misrouted']}" for w in result["worst"][:8])
    )
    print("==> reports/nlu_dev.md, reports/nlu_dev.json")
    return 0


if __name__ == "__main__":
    sys.exit(main())

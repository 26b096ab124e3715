"""Choose the NLU's thresholds on the dev sets, not by guessing (``make nlu-thresholds``).

    python benchmarks/nlu_thresholds.py [--model models/baton-....tar.gz]

Two numbers decide what the bot does with a message the classifier is unsure of:

- the FallbackClassifier's ``threshold`` (and ``ambiguity_threshold``): below it the bot says it
  did not understand;
- the order-flow gate's ``threshold`` (bot/nlu/order_gate.py): an order, return, refund or
  return-policy intent below it, with no order detail and none of the gate's order concepts in
  the message, is answered as out of scope instead of asking for an order number and a proof.

The classifier is run once over the dev sets — CLINC150's validation and out-of-scope
validation splits (bot/trainers/clinc.py; skipped when absent) and the blind *dev* sets of
each language (``dev`` and ``dev2``; never the test sets: they stay blind) — and every
combination of the three values is scored from its ranking, exactly as the pipeline would
serve it. Printed: CLINC's misrouted
share, order_status and small-talk recall, and per language the share of requests reaching their
goal and of other messages misrouted. The combination marked ``*`` keeps every misrouted share
within 3% and then reaches the most requests in the weakest language; ``=`` marks config.yml's.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import logging
import os
import re
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Optional

import yaml
from common import ROOT

from bot.settings import local_environment
from bot.trainers import clinc, languages
from bot.trainers.evaluation import labelled_examples, load_processor
from bot.trainers.routing import GOALS, ORDER_FLOWS

FALLBACKS = (0.2, 0.25, 0.3, 0.35, 0.4, 0.5)
AMBIGUITIES = (0.0, 0.05, 0.1)
GATES = (0.0, 0.5, 0.6, 0.7, 0.8, 0.85, 0.9)
EVIDENCE = frozenset({"order_number", "rma_number", "email", "postal_code"})
MAX_MISROUTED = 0.03


@dataclass(frozen=True)
class Parsed:
    label: str
    ranking: tuple[tuple[str, float], ...]  # the classifier's own, best first
    unknown_words: bool  # bot/nlu/unknown_words.py said nonsense
    entities: frozenset[str]
    order_words: bool = False  # one of the gate's evidence concepts is in the text


def evidence_patterns() -> list[re.Pattern[str]]:
    """The patterns of the concepts config.yml's OrderFlowGate counts as evidence."""
    from bot.nlu.order_gate import DEFAULT_CONCEPTS

    config = yaml.safe_load((ROOT / "config.yml").read_text())
    concepts: Any = DEFAULT_CONCEPTS
    for component in config["pipeline"]:
        if component["name"].endswith("OrderFlowGate"):
            concepts = component.get("evidence_concepts", DEFAULT_CONCEPTS)
    features = yaml.safe_load((ROOT / "data" / "nlu" / "features.yml").read_text())
    return [
        re.compile(line.strip().removeprefix("- ").strip())
        for item in features["nlu"]
        if item.get("regex") in set(concepts)
        for line in str(item["examples"]).splitlines()
        if line.strip()
    ]


def classifier_view(
    parse: dict[str, Any], label: str, patterns: Optional[list[re.Pattern[str]]] = None
) -> Parsed:
    ranking = tuple(
        (str(r["name"]), float(r["confidence"]))
        for r in parse.get("intent_ranking") or []
        if r.get("name") != "nlu_fallback" and "baton" not in r
    )
    unknown = any(r.get("baton") == "unknown_words" for r in parse.get("intent_ranking") or [])
    entities = frozenset(str(e.get("entity")) for e in parse.get("entities") or [])
    text = str(parse.get("text") or "")
    words = any(p.search(text) for p in patterns or [])
    return Parsed(label, ranking, unknown, entities, words)


def served(p: Parsed, fallback: float, ambiguity: float, gate: float) -> str:
    if p.unknown_words or not p.ranking:
        return "nlu_fallback"
    top, confidence = p.ranking[0]
    second = p.ranking[1][1] if len(p.ranking) > 1 else 0.0
    if confidence < fallback or confidence - second < ambiguity:
        return "nlu_fallback"
    if top in ORDER_FLOWS and confidence < gate and not (p.entities & EVIDENCE or p.order_words):
        return "out_of_scope"
    return top


def blind_figures(rows: list[Parsed], values: tuple[float, float, float]) -> tuple[float, float]:
    reached = requests = misrouted = others = 0
    for p in rows:
        if p.label == "inform":
            continue
        intent = served(p, *values)
        goal = GOALS.get(p.label)
        if goal is not None:
            requests += 1
            bare_number = intent == "inform" and "order_number" in p.entities
            acted = "order_status" if bare_number else intent
            reached += GOALS.get(acted) == goal
        else:
            others += 1
            misrouted += intent in ORDER_FLOWS
    return reached / max(requests, 1), misrouted / max(others, 1)


def clinc_figures(rows: list[Parsed], values: tuple[float, float, float]) -> tuple[float, ...]:
    misrouted = others = 0
    order = [0, 0]
    small = [0, 0]
    for p in rows:
        intent = served(p, *values)
        if p.label in clinc.MAPPED:
            tally = order if p.label == "order_status" else small
            tally[0] += intent == clinc.MAPPED[p.label]
            tally[1] += 1
        else:
            others += 1
            misrouted += intent in ORDER_FLOWS
    return misrouted / max(others, 1), order[0] / max(order[1], 1), small[0] / max(small[1], 1)


def configured() -> tuple[float, float, float]:
    config = yaml.safe_load((ROOT / "config.yml").read_text())
    fallback, ambiguity, gate = 0.3, 0.1, 0.0
    for component in config["pipeline"]:
        if component["name"] == "FallbackClassifier":
            fallback = float(component.get("threshold", 0.3))
            ambiguity = float(component.get("ambiguity_threshold", 0.1))
        if component["name"].endswith("OrderFlowGate"):
            gate = float(component.get("threshold", 0.6))
    return fallback, ambiguity, gate


async def parse_all(processor: Any, examples: list[tuple[str, str]]) -> list[Parsed]:
    from rasa.core.channels.channel import UserMessage

    patterns = evidence_patterns()
    out = []
    for text, label in examples:
        parsed = await processor.parse_message(UserMessage(text=text))
        out.append(classifier_view(parsed, label, patterns))
    return out


def main(argv: Optional[list[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--model", type=Path, default=None, help="default: the current model")
    args = parser.parse_args(argv)
    os.environ.update(local_environment())
    os.chdir(ROOT)
    from rasa.utils.common import configure_logging_and_warnings
    from rasa.utils.log_utils import configure_structlog

    from bot.training import ensure_model

    configure_logging_and_warnings(logging.WARNING)
    configure_structlog(logging.WARNING)
    model = args.model or ensure_model()
    processor = load_processor(model)
    found = clinc.find()
    clinc_rows = asyncio.run(parse_all(processor, clinc.load(found))) if found else []
    blind = {
        lang: asyncio.run(
            parse_all(
                processor,
                [
                    example
                    for split in languages.DEV_SPLITS
                    for example in labelled_examples(ROOT / languages.split_file(lang, split))
                ],
            )
        )
        for lang in languages.LANGUAGES
    }
    print(
        f"==> {model.name}: CLINC150 {len(clinc_rows)} messages (val + oos_val), blind dev sets "
        + ", ".join(f"{lang} {len(rows)}" for lang, rows in blind.items())
    )
    if not found:
        print(f"    (no {clinc.FILE_NAME} in {clinc.dev_dir()}: CLINC columns are empty)")
    header = "fallback ambig gate | CLINC misrouted order small |" + "".join(
        f" {lang} reached misrouted |" for lang in blind
    )
    print(header)
    rows = []
    for values in itertools.product(FALLBACKS, AMBIGUITIES, GATES):
        cl = clinc_figures(clinc_rows, values) if clinc_rows else (0.0, 0.0, 0.0)
        per_lang = {lang: blind_figures(r, values) for lang, r in blind.items()}
        rows.append((values, cl, per_lang))
    within = [
        r
        for r in rows
        if r[1][0] <= MAX_MISROUTED and all(m <= MAX_MISROUTED for _, m in r[2].values())
    ]
    best = max(
        within or rows,
        key=lambda r: (
            min(i for i, _ in r[2].values()),  # requests reaching their goal, weakest language
            r[1][2],  # small talk recall
            r[1][1],  # order_status recall
            -r[1][0],  # then the fewest CLINC misroutes
            -max(m for _, m in r[2].values()),
        ),
    )
    mine = configured()
    for values, cl, per_lang in rows:
        mark = ("*" if values == best[0] else " ") + ("=" if values == mine else " ")
        print(
            f"{mark} {values[0]:.2f}  {values[1]:.2f}  {values[2]:.2f} |"
            f"      {cl[0]:6.1%}  {cl[1]:.2f}  {cl[2]:.2f} |"
            + "".join(f"    {i:6.1%}   {m:5.1%} |" for i, m in per_lang.values())
        )
    print(
        f"==> best within {MAX_MISROUTED:.0%} misrouted everywhere: fallback {best[0][0]}, "
        f"ambiguity {best[0][1]}, gate {best[0][2]}; config.yml has {mine}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())

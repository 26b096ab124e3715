"""``make nlu-report``: how well the NLU understands customers, in numbers and pictures.

    python -m bot.nlu_report [--cv] [--folds 5] [--cv-epochs N] [--update-floor]

1. Trains the model if the data changed (the same hash-cached model ``make run`` uses).
2. Runs Rasa's NLU evaluation on the held-out set ``tests/nlu/test_nlu.yml`` into
   ``reports/heldout/`` (intent_report.json, intent_errors.json, intent_confusion_matrix.png,
   intent_histogram.png, and the entity reports).
3. With ``--cv``: a stratified k-fold cross-validation on ``data/nlu`` (fixed folds, fixed seeds)
   into ``reports/cv/``, same files. ``--cv-epochs`` trains the folds with fewer DIET epochs.
4. Writes ``reports/summary.md``: per-intent precision, recall and F1, macro F1, the out-of-scope
   leak rate, the worst confusions with example messages, and the quality gate's verdict.

``--update-floor`` records the held-out scores as the new floor in ``tests/nlu/quality_floor.json``
(the floor only ever goes up; ``--lower-floor`` lets it go down, for a deliberate reason).
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bot.settings import ROOT, local_environment
from bot.trainers.evaluation import LEAK_TARGETS, Prediction, Scores, labelled_examples, score
from bot.trainers.nlu_files import normalise
from bot.trainers.quality import FLOOR_FILE, Floor, GateResult, compare

REPORTS = ROOT / "reports"
HELD_OUT = ROOT / "tests" / "nlu" / "test_nlu.yml"
NLU_DATA = ROOT / "data" / "nlu"
CV_SEED = 2024


def _fallback_threshold(config: dict[str, Any]) -> float:
    for component in config.get("pipeline", []):
        if component.get("name") == "FallbackClassifier":
            return float(component.get("threshold", 0.3))
    return 0.0


def _predictions(intent_evaluation: dict[str, Any]) -> list[Prediction]:
    return [
        Prediction(
            str(p["text"]), str(p["intent"]), str(p["predicted"]), float(p["confidence"] or 0)
        )
        for p in intent_evaluation.get("predictions", [])
    ]


def evaluate_held_out(model: Path, out: Path) -> Scores:
    """``rasa test nlu`` on the held-out set, in-process, its files written to ``out``."""
    from rasa.core.agent import Agent
    from rasa.nlu.test import run_evaluation

    shutil.rmtree(out, ignore_errors=True)
    processor = Agent.load(str(model)).processor
    result = asyncio.run(
        run_evaluation(
            str(HELD_OUT),
            processor,
            output_directory=str(out),
            errors=True,
            report_as_dict=True,
            domain_path=str(ROOT / "domain.yml"),
        )
    )
    return score(_predictions(result["intent_evaluation"] or {}))


def cross_validate(config: dict[str, Any], folds: int, epochs: int | None, out: Path) -> Scores:
    """Stratified k-fold cross-validation on data/nlu with fixed folds."""
    import numpy as np
    import yaml
    from rasa.core.agent import Agent
    from rasa.model_training import train_nlu
    from rasa.nlu.test import IntentEvaluationResult, evaluate_intents, generate_folds
    from rasa.shared.nlu.training_data.formats.rasa_yaml import RasaYAMLWriter
    from rasa.shared.nlu.training_data.loading import load_data

    from bot.trainers.evaluation import predict

    config = {key: value for key, value in config.items() if key != "policies"}
    if epochs:
        for component in config["pipeline"]:
            if component.get("name") == "DIETClassifier":
                component["epochs"] = epochs
    shutil.rmtree(out, ignore_errors=True)
    predictions: list[Prediction] = []
    np.random.seed(CV_SEED)  # generate_folds shuffles with numpy's global generator
    with tempfile.TemporaryDirectory() as tmp:
        config_file = Path(tmp) / "config.yml"
        config_file.write_text(yaml.safe_dump(config, sort_keys=False))
        data = load_data(str(NLU_DATA))
        for i, (train, test) in enumerate(generate_folds(folds, data), start=1):
            started = time.monotonic()
            train_file = Path(tmp) / "train.yml"
            RasaYAMLWriter().dump(train_file, train)
            model = train_nlu(str(config_file), str(train_file), tmp, fixed_model_name=f"fold{i}")
            if model is None:
                raise RuntimeError(f"fold {i}: training failed")
            processor = Agent.load(model).processor
            examples = [(str(m.get("text")), str(m.get("intent"))) for m in test.intent_examples]
            predictions += asyncio.run(predict(processor, examples))
            print(f"    fold {i}/{folds}: {time.monotonic() - started:.0f} s", flush=True)
    results = [
        IntentEvaluationResult(p.intent, p.predicted, p.text, p.confidence) for p in predictions
    ]
    out.mkdir(parents=True, exist_ok=True)
    evaluate_intents(
        results, str(out), successes=False, errors=True, disable_plotting=False, report_as_dict=True
    )
    return score(predictions)


def _table(held_out: Scores, cv: Scores | None) -> list[str]:
    head = "| intent | precision | recall | F1 | support |" + (" CV F1 |" if cv else "")
    rule = "| --- | ---: | ---: | ---: | ---: |" + (" ---: |" if cv else "")
    rows = [head, rule]
    for intent, s in sorted(held_out.per_intent.items(), key=lambda kv: (kv[1].f1, kv[0])):
        row = f"| {intent} | {s.precision:.3f} | {s.recall:.3f} | {s.f1:.3f} | {s.support} |"
        if cv:
            cv_score = cv.per_intent.get(intent)
            row += f" {cv_score.f1:.3f} |" if cv_score else " – |"
        rows.append(row)
    only_cv = {k: v for k, v in cv.per_intent.items() if k not in held_out.per_intent} if cv else {}
    for intent, cv_score in sorted(only_cv.items()):
        rows.append(f"| {intent} (not in the held-out set) | – | – | – | – | {cv_score.f1:.3f} |")
    return rows


def _confusions(scores: Scores, limit: int = 8, examples: int = 3) -> list[str]:
    lines = []
    for (intent, predicted), wrong in scores.confusions()[:limit]:
        lines.append(f"- **{intent} → {predicted}** ({len(wrong)}×)")
        for p in sorted(wrong, key=lambda p: -p.confidence)[:examples]:
            lines.append(f"  - “{p.text}” ({p.confidence:.2f})")
    return lines or ["- none"]


def summary(
    held_out: Scores,
    cv: Scores | None,
    gate: GateResult,
    meta: dict[str, str],
    unseen: Scores | None = None,
) -> str:
    fallback = float(meta.get("fallback_threshold", "0") or 0)
    leaked = [
        p
        for p in held_out.predictions
        if p.intent == "out_of_scope" and p.predicted in LEAK_TARGETS
    ]
    lines = [
        "# NLU report",
        "",
        f"Model `{meta['model']}`, held-out set `tests/nlu/test_nlu.yml` "
        f"({len(held_out.predictions)} messages), {meta['when']}.",
        "",
        f"- **Held-out macro F1: {held_out.macro_f1:.3f}** (accuracy {held_out.accuracy:.3f})",
        f"- **Out-of-scope leak: {held_out.oos_leak}/{held_out.oos_total} "
        f"({held_out.oos_leak_rate:.1%})** taken for {', '.join(LEAK_TARGETS)}",
        f"- Below the fallback threshold ({fallback:.2f}), so answered with “sorry, I didn't get "
        f"that” at run time: {held_out.below(fallback)} of {len(held_out.predictions)}",
    ]
    if unseen is not None and len(unseen.predictions) < len(held_out.predictions):
        shared = len(held_out.predictions) - len(unseen.predictions)
        lines.append(
            f"- {shared} held-out messages (short everyday ones like “yes”) are also training "
            f"examples; on the other {len(unseen.predictions)}, macro F1 is {unseen.macro_f1:.3f}"
        )
    if cv:
        lines.append(
            f"- {meta.get('cv', 'Cross-validation')}: macro F1 **{cv.macro_f1:.3f}** "
            f"(accuracy {cv.accuracy:.3f}, out-of-scope leak {cv.oos_leak}/{cv.oos_total})"
        )
    lines.append(f"- Quality gate: **{'passed' if gate.passed else 'FAILED'}**")
    lines += [f"  - {failure}" for failure in gate.failures]
    if gate.worse:
        lines.append(
            "  - below their recorded F1: "
            + ", ".join(f"{c.intent} {c.recorded:.3f}→{c.now:.3f}" for c in gate.worse)
        )
    lines += ["", "## Per intent (held-out)", "", *_table(held_out, cv), ""]
    lines += ["## Worst confusions (held-out)", "", *_confusions(held_out), ""]
    if leaked:
        lines += ["Out-of-scope messages taken for a core intent:", ""]
        lines += [f"- “{p.text}” → {p.predicted} ({p.confidence:.2f})" for p in leaked] + [""]
    if cv:
        lines += ["## Worst confusions (cross-validation on data/nlu)", "", *_confusions(cv), ""]
    lines += [
        "## Files",
        "",
        "- `reports/heldout/`: Rasa's intent_report.json, intent_errors.json, "
        "intent_confusion_matrix.png, intent_histogram.png (and entity reports)",
    ]
    if cv:
        lines.append("- `reports/cv/`: the same for the cross-validation")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bot.nlu_report",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--cv", action="store_true", help="also run a k-fold cross-validation")
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--cv-epochs", type=int, default=None, help="DIET epochs for the folds")
    parser.add_argument(
        "--update-floor",
        action="store_true",
        help="record these held-out scores as the new quality floor",
    )
    parser.add_argument(
        "--lower-floor", action="store_true", help="with --update-floor: allow the floor to go down"
    )
    args = parser.parse_args(argv)
    os.environ.update(local_environment())
    os.environ.setdefault("TF_DETERMINISTIC_OPS", "1")
    os.chdir(ROOT)

    import yaml
    from rasa.utils.common import configure_logging_and_warnings
    from rasa.utils.log_utils import configure_structlog

    from bot.training import ensure_model

    configure_logging_and_warnings(logging.WARNING)  # Rasa logs every parse at debug level
    configure_structlog(logging.WARNING)

    model = ensure_model()
    config = yaml.safe_load((ROOT / "config.yml").read_text())
    REPORTS.mkdir(exist_ok=True)
    print(f"==> evaluating {model.name} on {HELD_OUT.relative_to(ROOT)}", flush=True)
    held_out = evaluate_held_out(model, REPORTS / "heldout")
    cv = None
    meta = {
        "model": model.name,
        "when": time.strftime("%Y-%m-%d %H:%M"),
        "fallback_threshold": str(_fallback_threshold(config)),
    }
    if args.cv:
        print(f"==> {args.folds}-fold cross-validation on data/nlu", flush=True)
        started = time.monotonic()
        cv = cross_validate(config, args.folds, args.cv_epochs, REPORTS / "cv")
        epochs = f", {args.cv_epochs} DIET epochs" if args.cv_epochs else ""
        meta["cv"] = (
            f"{args.folds}-fold cross-validation on data/nlu{epochs} "
            f"({time.monotonic() - started:.0f} s)"
        )
    floor_path = ROOT / FLOOR_FILE
    previous = Floor.load(floor_path) if floor_path.exists() else None
    if args.update_floor:
        if previous and held_out.macro_f1 < previous.macro_f1 and not args.lower_floor:
            print(
                f"macro F1 {held_out.macro_f1:.4f} is under the floor {previous.macro_f1:.4f}; "
                "not lowering it without --lower-floor",
                file=sys.stderr,
            )
            return 1
        base = None if args.lower_floor else previous
        new = Floor.from_scores(held_out, base)
        if previous and args.lower_floor:
            new.note, new.max_oos_leak_rate = previous.note, previous.max_oos_leak_rate
            new.intent_tolerance = previous.intent_tolerance
        new.save(floor_path)
        print(f"==> floor recorded in {FLOOR_FILE}: macro F1 ≥ {new.macro_f1:.3f}")
        previous = new
    gate = compare(held_out, previous) if previous else GateResult([], [], held_out.errors)
    training = {normalise(text) for text, _ in labelled_examples(NLU_DATA)}
    unseen = score([p for p in held_out.predictions if normalise(p.text) not in training])
    (REPORTS / "summary.md").write_text(summary(held_out, cv, gate, meta, unseen))
    print(
        f"==> held-out macro F1 {held_out.macro_f1:.3f}, out-of-scope leak "
        f"{held_out.oos_leak}/{held_out.oos_total}"
        + (f", CV macro F1 {cv.macro_f1:.3f}" if cv else "")
    )
    print(f"==> reports/summary.md, reports/heldout/{', reports/cv/' if cv else ''}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

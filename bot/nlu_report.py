"""``make nlu-report``: how well the NLU understands customers, in numbers and pictures.

    python -m bot.nlu_report [--lang en,ko,zh] [--cv] [--folds 5] [--cv-epochs N] [--update-floor]

Every figure is per language (English, Korean, Chinese; ``--lang`` picks some): one model
understands all three, but an average would let a weak language hide behind the others.

1. Trains the model if the data changed (the same hash-cached model ``make run`` uses).
2. Scores the model on each language's blind sets ``tests/nlu/blind/<lang>/dev.yml`` and
   ``test.yml`` (written by someone who never read data/nlu) as the bot serves them: the share of
   requests Baton handles that reach their goal, and of other messages sent into an order or
   return flow (bot/trainers/routing.py); and runs Rasa's NLU evaluation on both into
   ``reports/heldout/<lang>/`` (intent_report.json, intent_errors.json,
   intent_confusion_matrix.png, intent_histogram.png, and the entity reports). Only the dev
   set's mistakes are listed: the test set stays blind.
3. With ``--cv``: a stratified k-fold cross-validation on ``data/nlu`` (all languages, fixed
   folds, fixed seeds) into ``reports/cv/``, scored per language by the folder each example
   comes from. ``--cv-epochs`` trains the folds with fewer DIET epochs.
4. Writes ``reports/summary.md``: a table of the languages, then for each: where messages go,
   per-intent precision, recall and F1, macro F1, the out-of-scope leak rate, the worst
   confusions with example messages, and the quality gate's verdict.

``--update-floor`` records the blind-set scores as the new floor in each language's
``tests/nlu/floors/<lang>.json`` (the floor only ever goes up; ``--lower-floor``
lets it go down, for a deliberate reason).

The dev set nobody here wrote (CLINC150) has its own benchmark: ``make nlu-dev``.
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
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bot.settings import ROOT, local_environment
from bot.trainers import languages
from bot.trainers.evaluation import LEAK_TARGETS, Prediction, Scores, labelled_examples, score
from bot.trainers.nlu_files import normalise
from bot.trainers.quality import Floor, GateResult, compare, compare_side
from bot.trainers.routing import examples, percent

REPORTS = ROOT / "reports"
NLU_DATA = ROOT / "data" / "nlu"
CV_SEED = 2024


def _fallback_threshold(config: dict[str, Any]) -> float:
    for component in config.get("pipeline", []):
        if component.get("name") == "FallbackClassifier":
            return float(component.get("threshold", 0.3))
    return 0.0


def evaluate_held_out(processor: Any, lang: str, out: Path) -> dict[str, Scores]:
    """Each of ``lang``'s blind sets scored as the bot serves them (a fallback stays one, a bare
    order number starts the order question), and Rasa's own evaluation files for the two
    together, written to ``out``."""
    from rasa.nlu.test import run_evaluation

    from bot.trainers.evaluation import predict

    shutil.rmtree(out, ignore_errors=True)
    asyncio.run(
        run_evaluation(
            str(ROOT / languages.held_out(lang)),
            processor,
            output_directory=str(out),
            errors=True,
            report_as_dict=True,
            domain_path=str(ROOT / "domain.yml"),
        )
    )
    by_split: dict[str, Scores] = {}
    everything: list[Prediction] = []
    for split in languages.SPLITS:
        examples = labelled_examples(ROOT / languages.split_file(lang, split))
        found = asyncio.run(predict(processor, examples))
        by_split[split] = score(found)
        everything += found
    by_split["all"] = score(everything)
    for name in languages.SIDE_SETS:  # beside the gated sets, not in "all"
        examples = labelled_examples(ROOT / languages.side_file(lang, name))
        by_split[name] = score(asyncio.run(predict(processor, examples)))
    return by_split


def cross_validate(
    config: dict[str, Any], folds: int, epochs: int | None, out: Path
) -> dict[str, Scores]:
    """Stratified k-fold cross-validation on data/nlu with fixed folds, scored per language."""
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
            if component.get("name") in ("DIETClassifier", "bot.nlu.ensemble.SeedMember"):
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
    language_of_example = {
        normalise(text): lang
        for lang in languages.LANGUAGES
        for text, _ in labelled_examples(ROOT / languages.nlu_dir(lang))
    }
    by_language: dict[str, list[Prediction]] = {lang: [] for lang in languages.LANGUAGES}
    for p in predictions:
        by_language[language_of_example.get(normalise(p.text), languages.EN)].append(p)
    return {lang: score(found) for lang, found in by_language.items() if found}


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


@dataclass
class LanguageResult:
    """Everything the report says about one language."""

    lang: str
    held_out: Scores  # all blind sets together: what the gate judges
    gate: GateResult
    unseen: Scores
    cv: Scores | None = None
    splits: dict[str, Scores] | None = None  # each split on its own


def _routing_lines(result: LanguageResult) -> list[str]:
    lines = []
    for split, scores in (result.splits or {}).items():
        r = scores.routing
        lines.append(
            f"- **{split}**: requests reaching their goal {r.in_scope_right}/{r.in_scope} "
            f"(**{percent(r.in_scope_rate)}**), other messages sent into an order or return "
            f"flow {r.misrouted}/{r.other} (**{percent(r.misrouted_rate)}**); by goal: "
            + ", ".join(f"{g} {right}/{total}" for g, (right, total) in r.per_goal.items())
        )
    dev = (result.splits or {}).get("dev")
    if dev:
        r = dev.routing
        if r.misses:
            lines += [
                "",
                "Requests that missed their goal (dev set only: keep the test set blind):",
            ]
            lines += [f"  - {e}" for e in examples(r.misses, 15)]
        if r.misroutes:
            lines += ["", "Other messages sent into an order or return flow (dev set only):"]
            lines += [f"  - {e}" for e in examples(r.misroutes, 15)]
    return lines


def _language_section(result: LanguageResult, fallback: float, cv_label: str) -> list[str]:
    held_out, cv, gate, unseen = result.held_out, result.cv, result.gate, result.unseen
    name = languages.NAMES[result.lang]
    leaked = [
        p
        for p in ((result.splits or {}).get("dev") or held_out).predictions
        if p.intent == "out_of_scope" and p.predicted in LEAK_TARGETS
    ]
    lines = [
        f"## {name} (`{result.lang}`)",
        "",
        f"Blind sets `{languages.held_out(result.lang)}/` ({len(held_out.predictions)} messages, "
        "written by someone who never read data/nlu).",
        "",
        "Where messages go, as the bot serves them:",
        "",
        *_routing_lines(result),
        "",
        f"- **Macro F1 (all sets): {held_out.macro_f1:.3f}** (accuracy {held_out.accuracy:.3f})",
        f"- **Out-of-scope leak: {held_out.oos_leak}/{held_out.oos_total} "
        f"({held_out.oos_leak_rate:.1%})** taken for {', '.join(LEAK_TARGETS)}",
        f"- Below the fallback threshold ({fallback:.2f}), so answered with “sorry, I didn't get "
        f"that” at run time: {held_out.below(fallback)} of {len(held_out.predictions)}",
    ]
    if len(unseen.predictions) < len(held_out.predictions):
        shared = len(held_out.predictions) - len(unseen.predictions)
        lines.append(
            f"- {shared} blind-set messages (short everyday ones like “yes”) are also training "
            f"examples; on the other {len(unseen.predictions)}, macro F1 is {unseen.macro_f1:.3f}"
        )
    if cv:
        lines.append(
            f"- {cv_label}: macro F1 **{cv.macro_f1:.3f}** "
            f"(accuracy {cv.accuracy:.3f}, out-of-scope leak {cv.oos_leak}/{cv.oos_total})"
        )
    lines.append(
        f"- Quality gate (`{languages.floor_file(result.lang)}`): "
        f"**{'passed' if gate.passed else 'FAILED'}**"
    )
    lines += [f"  - {failure}" for failure in gate.failures]
    if gate.worse:
        lines.append(
            "  - below their recorded F1: "
            + ", ".join(f"{c.intent} {c.recorded:.3f}→{c.now:.3f}" for c in gate.worse)
        )
    dev = (result.splits or {}).get("dev") or held_out
    lines += ["", f"### Per intent ({name}, all blind sets)", "", *_table(held_out, cv), ""]
    lines += [f"### Worst confusions ({name}, dev set)", "", *_confusions(dev), ""]
    if leaked:
        lines += ["Out-of-scope messages taken for a core intent (dev set):", ""]
        lines += [f"- “{p.text}” → {p.predicted} ({p.confidence:.2f})" for p in leaked] + [""]
    if cv:
        lines += [f"### Worst confusions ({name}, cross-validation)", "", *_confusions(cv), ""]
    return lines


def summary(results: list[LanguageResult], meta: dict[str, str]) -> str:
    fallback = float(meta.get("fallback_threshold", "0") or 0)
    with_cv = any(r.cv for r in results)
    names = " / ".join((*languages.SPLITS, *languages.SIDE_SETS))
    lines = [
        "# NLU report",
        "",
        f"Model `{meta['model']}`, {meta['when']}. One model for every language; each language "
        "is scored on its own blind sets (two dev sets and a test set, each by a writer who "
        "never read data/nlu; trainers look at the dev sets' mistakes only) and, beside them, "
        "on a delivery-problem set by a fourth writer. Requests reaching their goal and "
        "misroutes are as the bot serves them; **all** is dev, dev2 and test together, where "
        "the gate's targets are ≥ 95% and ≤ 3%; the delivery-problem set has its own floor.",
        "",
        f"| language | messages | requests reaching their goal: all ({names}) | misrouted: "
        f"all ({names}) | macro F1 | out-of-scope leak |"
        + (" CV macro F1 |" if with_cv else "")
        + " quality gate |",
        "| --- | ---: | ---: | ---: | ---: | ---: |" + (" ---: |" if with_cv else "") + " --- |",
    ]
    for r in results:
        splits = r.splits or {}
        parts = [s for s in splits if s != "all"]
        everything = r.held_out.routing
        reach = " / ".join(percent(splits[s].routing.in_scope_rate) for s in parts)
        reach = f"**{percent(everything.in_scope_rate)}** ({reach})"
        astray = " / ".join(percent(splits[s].routing.misrouted_rate) for s in parts)
        astray = f"**{percent(everything.misrouted_rate)}** ({astray})"
        row = (
            f"| {languages.NAMES[r.lang]} | {len(r.held_out.predictions)} | {reach} | {astray} | "
            f"{r.held_out.macro_f1:.3f} | "
            f"{r.held_out.oos_leak}/{r.held_out.oos_total} |"
        )
        if with_cv:
            row += f" {r.cv.macro_f1:.3f} |" if r.cv else " – |"
        rows_gate = "passed" if r.gate.passed else "**FAILED**"
        lines.append(row + f" {rows_gate} |")
    lines.append("")
    for r in results:
        lines += _language_section(r, fallback, meta.get("cv", "Cross-validation"))
    lines += [
        "## Files",
        "",
        "- `reports/heldout/<lang>/`: Rasa's intent_report.json, intent_errors.json, "
        "intent_confusion_matrix.png, intent_histogram.png (and entity reports), for all blind "
        "sets",
    ]
    if with_cv:
        lines.append("- `reports/cv/`: the same for the cross-validation (all languages together)")
    return "\n".join(lines) + "\n"


def update_floor(lang: str, held_out: Scores, lower: bool) -> Floor | None:
    """Record ``held_out`` as ``lang``'s floor; None (and a message) if that would lower it."""
    path = ROOT / languages.floor_file(lang)
    previous = Floor.load(path) if path.exists() else None
    if previous and held_out.macro_f1 < previous.macro_f1 and not lower:
        print(
            f"{lang}: macro F1 {held_out.macro_f1:.4f} is under the floor "
            f"{previous.macro_f1:.4f}; not lowering it without --lower-floor",
            file=sys.stderr,
        )
        return None
    new = Floor.from_scores(held_out, None if lower else previous)
    if previous and lower:
        new.note, new.max_oos_leak_rate = previous.note, previous.max_oos_leak_rate
        new.intent_tolerance = previous.intent_tolerance
    if not new.note:
        new.note = FLOOR_NOTE.format(lang=lang, held_out=languages.held_out(lang))
    path.parent.mkdir(parents=True, exist_ok=True)
    new.save(path)
    print(
        f"==> {lang}: floor recorded in {languages.floor_file(lang)}: macro F1 ≥ {new.macro_f1:.3f}"
    )
    return new


FLOOR_NOTE = (
    "Quality floor for the NLU on the {lang} blind sets {held_out}/ (dev, dev2, test together; "
    "the side sets tests/nlu/<name>/{lang}.yml against their own floor), checked by "
    "tests/trainers/test_quality_gate.py (make test). Raise it after an improvement with "
    "`python -m bot.nlu_report --update-floor --lang {lang}`; see docs/trainers.md."
)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bot.nlu_report",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--lang", default="", help="languages to report, e.g. ko,zh (default: all)")
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
    try:
        chosen = languages.parse_languages(args.lang)
    except ValueError as error:
        parser.error(str(error))
    os.environ.update(local_environment())
    os.environ.setdefault("TF_DETERMINISTIC_OPS", "1")
    os.chdir(ROOT)

    import yaml
    from rasa.core.agent import Agent
    from rasa.utils.common import configure_logging_and_warnings
    from rasa.utils.log_utils import configure_structlog

    from bot.training import ensure_model

    configure_logging_and_warnings(logging.WARNING)  # Rasa logs every parse at debug level
    configure_structlog(logging.WARNING)

    model = ensure_model()
    config = yaml.safe_load((ROOT / "config.yml").read_text())
    REPORTS.mkdir(exist_ok=True)
    processor = Agent.load(str(model)).processor
    held_out: dict[str, Scores] = {}
    splits: dict[str, dict[str, Scores]] = {}
    for lang in chosen:
        print(f"==> evaluating {model.name} on {languages.held_out(lang)}/", flush=True)
        by_split = evaluate_held_out(processor, lang, REPORTS / "heldout" / lang)
        held_out[lang] = by_split.pop("all")
        splits[lang] = by_split
    cv: dict[str, Scores] = {}
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
            f"({time.monotonic() - started:.0f} s, all languages)"
        )
    results: list[LanguageResult] = []
    failed = False
    for lang in chosen:
        floor_path = ROOT / languages.floor_file(lang)
        previous = Floor.load(floor_path) if floor_path.exists() else None
        if args.update_floor:
            new = update_floor(lang, held_out[lang], args.lower_floor)
            failed = failed or new is None
            previous = new or previous
        gate = (
            compare(held_out[lang], previous)
            if previous
            else GateResult([f"no floor recorded in {languages.floor_file(lang)}"], [], [])
        )
        if previous:
            for name in languages.SIDE_SETS:
                gate.failures += compare_side(name, splits[lang][name], previous)
        training = {
            normalise(text) for text, _ in labelled_examples(ROOT / languages.nlu_dir(lang))
        }
        unseen = score([p for p in held_out[lang].predictions if normalise(p.text) not in training])
        results.append(
            LanguageResult(lang, held_out[lang], gate, unseen, cv.get(lang), splits[lang])
        )
    (REPORTS / "summary.md").write_text(summary(results, meta))
    for r in results:
        routing = r.held_out.routing
        print(
            f"==> {r.lang}: requests reaching their goal {percent(routing.in_scope_rate)}, "
            f"misrouted {percent(routing.misrouted_rate)}, macro F1 {r.held_out.macro_f1:.3f}, "
            f"out-of-scope leak {r.held_out.oos_leak}/{r.held_out.oos_total}"
            + (f", CV macro F1 {r.cv.macro_f1:.3f}" if r.cv else "")
            + f", quality gate {'passed' if r.gate.passed else 'FAILED'}"
        )
    print(f"==> reports/summary.md, reports/heldout/{', reports/cv/' if cv else ''}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())

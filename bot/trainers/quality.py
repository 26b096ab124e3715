"""The NLU quality gate: compare scores on the blind sets with the floor in the repository.

Each language has its own floor, ``tests/nlu/floors/<lang>.json`` (see
bot/trainers/languages.py). It holds where messages must go (the share of requests Baton
handles that reach their goal, and the largest share of other messages that may start an order
or return flow: bot/trainers/routing.py), the macro F1 floor, the largest acceptable
out-of-scope leak rate, and the F1 each intent had when the floor was last raised. A run fails
the gate when

- fewer requests than promised reach their goal, or more other messages than allowed are sent
  into an order or return flow, or
- macro F1 falls below the floor, or
- more out-of-scope messages than allowed are taken for order status or a return intent, or
- one intent's F1 drops more than ``intent_tolerance`` below its recorded F1 (one intent can
  collapse while the macro average barely moves).

Whatever the verdict, ``worse`` lists every intent now below its recorded F1, so a failure says
where to look; the report also carries the misclassified examples.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bot.trainers.evaluation import Prediction, Scores

DEFAULT_MARGIN = 0.015  # the floor sits this far under the measured macro F1 when raised
DEFAULT_INTENT_TOLERANCE = 0.1
DEFAULT_MAX_OOS_LEAK_RATE = 0.03
# Where messages go, on the blind sets (bot/trainers/routing.py): the promise, per language.
DEFAULT_MIN_IN_SCOPE = 0.95
DEFAULT_MAX_MISROUTED = 0.03
ABSOLUTE_MIN_MACRO_F1 = 0.95  # a floor that reached it stays at or above


@dataclass
class Floor:
    macro_f1: float
    max_oos_leak_rate: float = DEFAULT_MAX_OOS_LEAK_RATE
    intent_tolerance: float = DEFAULT_INTENT_TOLERANCE
    intent_f1: dict[str, float] = field(default_factory=dict)
    measured_macro_f1: float | None = None
    note: str = ""
    min_in_scope: float = DEFAULT_MIN_IN_SCOPE
    max_misrouted: float = DEFAULT_MAX_MISROUTED
    #: A side set's own floor for requests reaching their goal (languages.SIDE_SETS): set by
    #: hand where it was measured, raised as the set improves, never left out once recorded.
    side_min_in_scope: dict[str, float] = field(default_factory=dict)

    @classmethod
    def load(cls, path: Path) -> Floor:
        raw: dict[str, Any] = json.loads(path.read_text())
        return cls(
            macro_f1=float(raw["macro_f1_floor"]),
            min_in_scope=float(raw.get("min_in_scope_routing", DEFAULT_MIN_IN_SCOPE)),
            max_misrouted=float(raw.get("max_misrouted_rate", DEFAULT_MAX_MISROUTED)),
            max_oos_leak_rate=float(raw.get("max_oos_leak_rate", DEFAULT_MAX_OOS_LEAK_RATE)),
            intent_tolerance=float(raw.get("intent_tolerance", DEFAULT_INTENT_TOLERANCE)),
            intent_f1={k: float(v) for k, v in raw.get("intent_f1", {}).items()},
            measured_macro_f1=raw.get("measured_macro_f1"),
            note=str(raw.get("_note", "")),
            side_min_in_scope={
                k: float(v) for k, v in raw.get("side_sets_min_in_scope_routing", {}).items()
            },
        )

    def save(self, path: Path) -> None:
        body = {
            "_note": self.note,
            "macro_f1_floor": round(self.macro_f1, 4),
            "measured_macro_f1": self.measured_macro_f1,
            "min_in_scope_routing": self.min_in_scope,
            "max_misrouted_rate": self.max_misrouted,
            "max_oos_leak_rate": self.max_oos_leak_rate,
            "intent_tolerance": self.intent_tolerance,
            "intent_f1": {k: round(v, 4) for k, v in sorted(self.intent_f1.items())},
            "side_sets_min_in_scope_routing": dict(sorted(self.side_min_in_scope.items())),
        }
        path.write_text(json.dumps(body, indent=2, ensure_ascii=False) + "\n")

    @classmethod
    def from_scores(cls, scores: Scores, previous: Floor | None = None) -> Floor:
        """A floor just under ``scores``, keeping ``previous``'s limits and never going lower."""
        floor = math.floor((scores.macro_f1 - DEFAULT_MARGIN) * 1000) / 1000
        if scores.macro_f1 >= ABSOLUTE_MIN_MACRO_F1:
            # once a language keeps the promise, its floor never lets it slip below it again
            floor = max(floor, ABSOLUTE_MIN_MACRO_F1)
        floor = max(floor, previous.macro_f1 if previous else 0.0)
        return cls(
            macro_f1=floor,
            max_oos_leak_rate=previous.max_oos_leak_rate if previous else DEFAULT_MAX_OOS_LEAK_RATE,
            intent_tolerance=previous.intent_tolerance if previous else DEFAULT_INTENT_TOLERANCE,
            intent_f1={k: round(v.f1, 4) for k, v in scores.per_intent.items()},
            measured_macro_f1=round(scores.macro_f1, 4),
            note=previous.note if previous else "",
            min_in_scope=previous.min_in_scope if previous else DEFAULT_MIN_IN_SCOPE,
            max_misrouted=previous.max_misrouted if previous else DEFAULT_MAX_MISROUTED,
            side_min_in_scope=dict(previous.side_min_in_scope) if previous else {},
        )


@dataclass
class IntentChange:
    intent: str
    recorded: float
    now: float

    @property
    def drop(self) -> float:
        return self.recorded - self.now


@dataclass
class GateResult:
    failures: list[str]
    worse: list[IntentChange]
    errors: list[Prediction]

    @property
    def passed(self) -> bool:
        return not self.failures

    def explain(self, max_examples: int = 40) -> str:
        lines = ["NLU quality gate " + ("passed" if self.passed else "FAILED") + ":"]
        lines += [f"  - {failure}" for failure in self.failures]
        if self.worse:
            lines.append("Intents below their recorded F1:")
            lines += [
                f"  {c.intent:<15} {c.recorded:.3f} -> {c.now:.3f}  (-{c.drop:.3f})"
                for c in self.worse
            ]
        if self.errors:
            lines.append(f"Misclassified blind-set examples ({len(self.errors)}):")
            for p in self.errors[:max_examples]:
                lines.append(f"  [{p.intent} -> {p.predicted} {p.confidence:.2f}] {p.text}")
            if len(self.errors) > max_examples:
                lines.append(f"  ... and {len(self.errors) - max_examples} more")
        return "\n".join(lines)


def compare(scores: Scores, floor: Floor) -> GateResult:
    """The gate's verdict on ``scores`` against ``floor`` (pure: no model, no files)."""
    failures: list[str] = []
    if scores.macro_f1 < floor.macro_f1:
        failures.append(f"macro F1 {scores.macro_f1:.4f} is below the floor {floor.macro_f1:.4f}")
    routing = scores.routing
    if routing.in_scope and (routing.in_scope_rate or 0.0) < floor.min_in_scope:
        failures.append(
            f"{routing.in_scope_right}/{routing.in_scope} requests Baton handles "
            f"({routing.in_scope_rate:.1%}) reached their goal; at least "
            f"{floor.min_in_scope:.0%} must"
        )
    if routing.other and (routing.misrouted_rate or 0.0) > floor.max_misrouted:
        failures.append(
            f"{routing.misrouted}/{routing.other} other messages ({routing.misrouted_rate:.1%}) "
            f"started an order or return flow; at most {floor.max_misrouted:.0%} may"
        )
    if scores.oos_total and scores.oos_leak_rate > floor.max_oos_leak_rate:
        failures.append(
            f"{scores.oos_leak}/{scores.oos_total} out-of-scope messages "
            f"({scores.oos_leak_rate:.1%}) were taken for order status or a return intent; "
            f"at most {floor.max_oos_leak_rate:.0%} may be"
        )
    worse: list[IntentChange] = []
    for intent, recorded in sorted(floor.intent_f1.items()):
        now = scores.per_intent[intent].f1 if intent in scores.per_intent else 0.0
        if round(now, 4) < recorded:  # the file keeps four decimals
            worse.append(IntentChange(intent, recorded, now))
    for change in worse:
        if change.drop > floor.intent_tolerance + 1e-9:
            failures.append(
                f"intent {change.intent!r} F1 fell from {change.recorded:.3f} to {change.now:.3f}, "
                f"more than the tolerated {floor.intent_tolerance:.2f}"
            )
    worse.sort(key=lambda c: -c.drop)
    return GateResult(failures, worse, scores.errors)


def compare_side(name: str, scores: Scores, floor: Floor) -> list[str]:
    """What is wrong with side set ``name``'s routing against its own floor (empty: fine; a side
    set without a recorded floor is an error, so a new set cannot go unchecked)."""
    if name not in floor.side_min_in_scope:
        return [f"the {name} set has no floor in side_sets_min_in_scope_routing"]
    wanted = floor.side_min_in_scope[name]
    routing = scores.routing
    if routing.in_scope and (routing.in_scope_rate or 0.0) < wanted:
        return [
            f"{name} set: {routing.in_scope_right}/{routing.in_scope} requests "
            f"({routing.in_scope_rate:.1%}) reached their goal; at least {wanted:.0%} must"
        ]
    return []

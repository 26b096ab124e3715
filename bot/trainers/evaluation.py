"""Score an NLU model on a labelled set, in-process.

Used by the quality gate (tests/trainers/test_quality_gate.py) and by ``make nlu-report``. The
FallbackClassifier's verdict is undone before scoring, as ``rasa test nlu`` does: the scores say
which intent the classifier chose, and ``below_fallback`` says how often it would not have been
trusted at run time.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from bot import names
from bot.trainers.routing import Routing, route

# Out-of-scope messages taken for one of these send the customer down a wrong path: they must not be
# mistaken for order status or returns, so their rate has its own limit.
LEAK_TARGETS: tuple[str, ...] = (
    names.ORDER_STATUS,
    names.RETURN_ITEM,
    names.REFUND_STATUS,
    names.RETURN_POLICY,
)


@dataclass(frozen=True)
class Prediction:
    """One labelled message and what the model made of it.

    ``predicted`` is the intent the classifier chose (Rasa's evaluation undoes the fallback, so
    scores say which intent won); ``served`` is what the bot acts on at run time (a fallback
    stays a fallback) and ``entities`` the entities found: where the message takes the customer
    (:mod:`bot.trainers.routing`).
    """

    text: str
    intent: str
    predicted: str
    confidence: float
    served: str = ""  # empty: the same as ``predicted``
    entities: tuple[str, ...] = ()

    @property
    def correct(self) -> bool:
        return self.intent == self.predicted

    @property
    def acted_on(self) -> str:
        return self.served or self.predicted


@dataclass(frozen=True)
class IntentScore:
    precision: float
    recall: float
    f1: float
    support: int


@dataclass
class Scores:
    """Per-intent and overall scores of one evaluation run."""

    per_intent: dict[str, IntentScore]
    macro_f1: float
    accuracy: float
    oos_leak: int = 0
    oos_total: int = 0
    predictions: list[Prediction] = field(default_factory=list)
    routing: Routing = field(default_factory=Routing)

    @property
    def oos_leak_rate(self) -> float:
        return self.oos_leak / self.oos_total if self.oos_total else 0.0

    @property
    def errors(self) -> list[Prediction]:
        return [p for p in self.predictions if not p.correct]

    def confusions(self) -> list[tuple[tuple[str, str], list[Prediction]]]:
        """(true intent, predicted intent) pairs, most frequent first."""
        grouped: dict[tuple[str, str], list[Prediction]] = {}
        for p in self.errors:
            grouped.setdefault((p.intent, p.predicted), []).append(p)
        return sorted(grouped.items(), key=lambda kv: (-len(kv[1]), kv[0]))

    def below(self, threshold: float) -> int:
        return sum(1 for p in self.predictions if p.confidence < threshold)

    def as_dict(self) -> dict[str, Any]:
        return {
            "macro_f1": self.macro_f1,
            "accuracy": self.accuracy,
            "oos_leak": self.oos_leak,
            "oos_total": self.oos_total,
            "per_intent": {k: asdict(v) for k, v in sorted(self.per_intent.items())},
        }


def score(predictions: Sequence[Prediction]) -> Scores:
    """Precision, recall and F1 per intent, macro F1 over the intents of the set."""
    labels = sorted({p.intent for p in predictions})
    tp: Counter[str] = Counter()
    predicted: Counter[str] = Counter()
    actual: Counter[str] = Counter()
    for p in predictions:
        actual[p.intent] += 1
        predicted[p.predicted] += 1
        tp[p.intent] += p.correct
    per_intent: dict[str, IntentScore] = {}
    for label in labels:
        precision = tp[label] / predicted[label] if predicted[label] else 0.0
        recall = tp[label] / actual[label] if actual[label] else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        per_intent[label] = IntentScore(precision, recall, f1, actual[label])
    oos = [p for p in predictions if p.intent == names.OUT_OF_SCOPE]
    return Scores(
        per_intent=per_intent,
        macro_f1=sum(s.f1 for s in per_intent.values()) / len(per_intent) if per_intent else 0.0,
        accuracy=sum(tp.values()) / len(predictions) if predictions else 0.0,
        oos_leak=sum(1 for p in oos if p.acted_on in LEAK_TARGETS),  # as the bot serves it
        oos_total=len(oos),
        predictions=list(predictions),
        routing=route(predictions),
    )


def labelled_examples(path: Path) -> list[tuple[str, str]]:
    """(text, intent) for every intent example in a Rasa NLU file or directory."""
    from rasa.shared.nlu.training_data.loading import load_data

    return [
        (str(m.get("text")), str(m.get("intent"))) for m in load_data(str(path)).intent_examples
    ]


async def predict(
    processor: Any, examples: Iterable[tuple[str, str]], as_served: bool = False
) -> list[Prediction]:
    """Run ``processor`` (a loaded model's MessageProcessor) over labelled examples.

    ``as_served``: keep the FallbackClassifier's verdict, i.e. what the bot does with the
    message at run time (where a message goes), rather than the intent DIET chose.
    """
    from rasa.core.channels.channel import UserMessage
    from rasa.nlu.classifiers import fallback_classifier

    out: list[Prediction] = []
    for text, intent in examples:
        parsed = await processor.parse_message(UserMessage(text=text), only_output_properties=False)
        served = str((parsed.get("intent") or {}).get("name"))
        entities = tuple(
            str(e.get("entity")) for e in parsed.get("entities") or [] if e.get("entity")
        )
        if not as_served and fallback_classifier.is_fallback_classifier_prediction(parsed):
            parsed = fallback_classifier.undo_fallback_prediction(parsed)
        top = parsed.get("intent") or {}
        predicted = str(top.get("name"))
        out.append(
            Prediction(
                text,
                intent,
                predicted,
                float(top.get("confidence") or 0),
                served if served != predicted else "",
                entities,
            )
        )
    return out


def load_processor(model: Path) -> Any:
    from rasa.core.agent import Agent

    return Agent.load(str(model)).processor


def evaluate(model: Path, *test_sets: Path) -> Scores:
    """Scores of the trained ``model`` on ``test_sets`` together (blocking; runs its own event
    loop). Each file is read on its own, as ``make nlu-report`` reads them: Rasa's reader keeps
    one copy of a message two files share, which would score a smaller set than the report's
    (730 Korean messages instead of 780) against a floor the report recorded."""
    processor = load_processor(model)
    examples = [example for path in test_sets for example in labelled_examples(path)]
    return score(asyncio.run(predict(processor, examples)))

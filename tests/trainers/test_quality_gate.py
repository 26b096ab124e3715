"""The NLU quality gate: the trained model on each language's blind sets, against its floor.

One model understands English, Korean and Chinese; each language has its own blind sets (two dev
sets and a test set, written by people who never read data/nlu) and floor
(bot/trainers/languages.py), so a weak language cannot hide behind the others' average. The
floor says where messages must go: requests Baton handles reach their goal, and other messages
(shop topics, everyday questions, small talk) do not start an order or return flow.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from bot.settings import ROOT
from bot.trainers.evaluation import Prediction, Scores, evaluate, score
from bot.trainers.languages import (
    LANGUAGES,
    SIDE_SETS,
    SPLITS,
    floor_file,
    held_out,
    side_file,
    split_file,
)
from bot.trainers.quality import Floor, compare, compare_side

ScoresFor = Callable[[str], Scores]


@pytest.fixture(scope="module")
def scores_for(model: Path) -> ScoresFor:
    """Held-out scores per language, each evaluated once per module."""
    cache: dict[str, Scores] = {}

    def get(lang: str) -> Scores:
        if lang not in cache:
            sets = (ROOT / split_file(lang, split) for split in SPLITS)
            cache[lang] = evaluate(model, *sets)
        return cache[lang]

    return get


@pytest.mark.parametrize("lang", LANGUAGES)
def test_blind_set_scores_stay_above_the_recorded_floor(lang: str, scores_for: ScoresFor) -> None:
    floor = Floor.load(ROOT / floor_file(lang))
    result = compare(scores_for(lang), floor)
    assert result.passed, f"{lang}: " + result.explain()


@pytest.mark.parametrize("name", SIDE_SETS)
@pytest.mark.parametrize("lang", LANGUAGES)
def test_a_side_set_stays_above_its_own_floor(lang: str, name: str, model: Path) -> None:
    """The delivery-problem set is scored apart (its floor is below the 95% promise: the gap
    docs/trainers.md reports), so a change that makes those customers worse still fails."""
    floor = Floor.load(ROOT / floor_file(lang))
    failures = compare_side(name, evaluate(model, ROOT / side_file(lang, name)), floor)
    assert not failures, f"{lang}: " + "; ".join(failures)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_floor_keeps_the_documented_promise(lang: str) -> None:
    """docs/trainers.md, "The quality gate": 95% reach their goal, at most 3% misrouted."""
    floor = Floor.load(ROOT / floor_file(lang))
    assert floor.min_in_scope >= 0.95
    assert floor.max_misrouted <= 0.03
    assert floor.max_oos_leak_rate <= 0.03
    assert set(floor.intent_f1) >= {"order_status", "return_item", "refund_status", "out_of_scope"}


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_language_is_tested_on_the_same_intents(lang: str) -> None:
    from bot.trainers.evaluation import labelled_examples

    english = {intent for _, intent in labelled_examples(ROOT / held_out("en"))}
    assert {intent for _, intent in labelled_examples(ROOT / held_out(lang))} == english


# --- the gate's logic, on synthetic results (no model) ------------------------------------------


def results(errors: dict[str, list[str]] | None = None, per_intent: int = 10) -> list[Prediction]:
    # order_status and return_item are requests Baton handles; greet and out_of_scope are not
    """``per_intent`` messages for each of four intents, all right except ``errors``.

    ``errors`` maps an intent to what its first messages were (wrongly) predicted as.
    """
    errors = errors or {}
    out = []
    for intent in ("order_status", "return_item", "greet", "out_of_scope"):
        wrong = errors.get(intent, [])
        for i in range(per_intent):
            predicted = wrong[i] if i < len(wrong) else intent
            out.append(Prediction(f"{intent} message {i}", intent, predicted, 0.9))
    return out


def test_gate_passes_when_nothing_changed() -> None:
    scores = score(results())
    result = compare(scores, Floor.from_scores(scores))
    assert result.passed
    assert result.worse == []


def test_gate_fails_when_an_intent_is_made_worse_on_purpose() -> None:
    floor = Floor.from_scores(score(results()))
    worse = score(results({"return_item": ["order_status"] * 4}))

    result = compare(worse, floor)

    assert not result.passed
    message = result.explain()
    assert "below the floor" in message
    assert "intent 'return_item' F1 fell from 1.000" in message
    assert result.worse[0].intent == "return_item"  # the biggest drop first
    assert "[return_item -> order_status 0.90] return_item message 0" in message


def test_one_intent_collapsing_fails_even_if_the_average_holds() -> None:
    floor = Floor(macro_f1=0.5, intent_f1={"greet": 1.0}, intent_tolerance=0.1)
    result = compare(score(results({"greet": ["order_status"] * 3})), floor)
    assert [f for f in result.failures if "'greet'" in f]


def test_small_drops_within_the_tolerance_are_listed_but_pass() -> None:
    floor = Floor(macro_f1=0.9, intent_f1={"greet": 1.0, "out_of_scope": 1.0}, intent_tolerance=0.1)
    result = compare(score(results({"greet": ["out_of_scope"]})), floor)
    assert result.passed
    assert {c.intent for c in result.worse} == {"greet", "out_of_scope"}


def test_out_of_scope_taken_for_order_status_fails_the_gate() -> None:
    floor = Floor(macro_f1=0.5, max_oos_leak_rate=0.03)
    one_in_forty = score(results({"out_of_scope": ["order_status"]}, per_intent=40))
    assert compare(one_in_forty, floor).passed  # 2.5% is within the limit

    two_in_ten = score(results({"out_of_scope": ["greet", "return_item", "order_status"]}))
    result = compare(two_in_ten, floor)

    assert not result.passed
    assert "2/10 out-of-scope messages (20.0%)" in result.explain()  # greet is no leak


def test_raising_the_floor_never_lowers_it(tmp_path: Path) -> None:
    high = Floor(macro_f1=0.99, max_oos_leak_rate=0.02, intent_tolerance=0.05, note="keep me")
    raised = Floor.from_scores(score(results({"greet": ["order_status"]})), previous=high)
    assert raised.macro_f1 == 0.99
    assert (raised.max_oos_leak_rate, raised.intent_tolerance, raised.note) == (
        0.02,
        0.05,
        "keep me",
    )

    raised.save(tmp_path / "floor.json")
    assert Floor.load(tmp_path / "floor.json") == raised


def test_a_request_that_misses_its_goal_fails_the_gate_even_when_f1_holds() -> None:
    floor = Floor(macro_f1=0.5, min_in_scope=0.95)
    # 2 of 20 requests go astray: 90% reach their goal
    scores = score(results({"order_status": ["nlu_fallback", "greet"]}))
    result = compare(scores, floor)
    assert not result.passed
    assert "18/20 requests Baton handles (90.0%) reached their goal" in result.explain()


def test_a_bare_order_number_for_an_order_question_reaches_the_order_goal() -> None:
    reached = Prediction("order 10001??", "order_status", "inform", 0.8, "", ("order_number",))
    lost = Prediction("my parcel", "order_status", "inform", 0.8)
    scores = score([reached, lost])
    assert (scores.routing.in_scope_right, scores.routing.in_scope) == (1, 2)


def test_a_fallback_is_what_the_customer_gets_even_if_the_classifier_was_right() -> None:
    # the classifier chose order_status but under the threshold: the customer hears "sorry"
    fell_back = Prediction("where is it", "order_status", "order_status", 0.4, "nlu_fallback")
    assert fell_back.correct  # counts for F1, as Rasa's evaluation does
    assert score([fell_back]).routing.in_scope_right == 0


def test_other_messages_sent_into_an_order_flow_fail_the_gate() -> None:
    floor = Floor(macro_f1=0.5, max_misrouted=0.03)
    scores = score(results({"greet": ["return_policy"]}))
    result = compare(scores, floor)
    assert not result.passed
    assert "1/20 other messages (5.0%) started an order or return flow" in result.explain()


def test_a_side_set_below_its_own_floor_fails_and_one_above_passes() -> None:
    floor = Floor(macro_f1=0.5, side_min_in_scope={"problems": 0.8})
    # 5 of 20 requests go astray: 75% reach their goal
    worse = score(results({"order_status": ["greet"] * 5}))
    assert compare_side("problems", worse, floor) == [
        "problems set: 15/20 requests (75.0%) reached their goal; at least 80% must"
    ]
    better = score(results({"order_status": ["greet"] * 3}))  # 85%
    assert compare_side("problems", better, floor) == []


def test_a_side_set_without_a_recorded_floor_fails() -> None:
    assert compare_side("problems", score(results()), Floor(macro_f1=0.5)) == [
        "the problems set has no floor in side_sets_min_in_scope_routing"
    ]


def test_a_side_sets_floor_survives_saving_and_raising(tmp_path: Path) -> None:
    path = tmp_path / "floor.json"
    Floor(macro_f1=0.5, side_min_in_scope={"problems": 0.64}).save(path)
    raised = Floor.from_scores(score(results()), Floor.load(path))
    assert raised.side_min_in_scope == {"problems": 0.64}

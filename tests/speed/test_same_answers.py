"""Baton's speed-ups to Rasa 3.6 (bot/server.py and the modules its patches come from,
bot/patches/) change how much CPU a turn costs, never what the bot understands, decides or accepts.

Each test runs Rasa's own code and Baton's version side by side on the trained model and the
project's own training conversations, and compares the results exactly.
"""

from __future__ import annotations

import asyncio
import json
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

MESSAGES = [
    "hi",
    "where is my order 10001?",
    "I want to return the candles",
    "talk to a person",
    "jane.doe@example.com",
    "SW1A 1AA",
    "thanks!",
    "flurb wobbly zanzibar quux",
    "주문 10001 어디쯤 왔어요?",
    "반품하고 싶어요",
    "我的订单10001到哪了？",
    "我的訂單什麼時候到？",
    "",
    "🙂" * 40,
    "10234'; DROP TABLE orders; --",
    "<script>alert(1)</script>",
    "where " * 800,
]


@pytest.fixture(scope="module")
def runners(model: Path) -> Iterator[dict[str, Any]]:
    """The model loaded twice: with Rasa's dask runner and with Baton's sequential one."""
    from rasa.engine import loader
    from rasa.engine.runner.dask import DaskGraphRunner
    from rasa.engine.storage.local_model_storage import LocalModelStorage

    from bot.graph_runner import SequentialGraphRunner

    loaded: dict[str, Any] = {}
    with tempfile.TemporaryDirectory() as a, tempfile.TemporaryDirectory() as b:
        for name, cls, tmp in (
            ("dask", DaskGraphRunner, a),
            ("sequential", SequentialGraphRunner, b),
        ):
            metadata, runner = loader.load_predict_graph_runner(
                Path(tmp), model, LocalModelStorage, cls
            )
            loaded[name] = runner
        loaded["metadata"] = metadata
        yield loaded


def _parse(runner: Any, metadata: Any, text: str) -> dict[str, Any]:
    from rasa.core.channels.channel import UserMessage
    from rasa.engine.constants import PLACEHOLDER_MESSAGE, PLACEHOLDER_TRACKER
    from rasa.shared.core.trackers import DialogueStateTracker

    results = runner.run(
        inputs={
            PLACEHOLDER_MESSAGE: [UserMessage(text, None, "someone")],
            PLACEHOLDER_TRACKER: DialogueStateTracker.from_events("someone", []),
        },
        targets=[metadata.nlu_target],
    )
    return dict(results[metadata.nlu_target][0].as_dict(only_output_properties=True))


@pytest.fixture(scope="module")
def training() -> tuple[Any, list[Any]]:
    """The domain and the training conversations (stories and rules), as Rasa trains on them."""
    from rasa.shared.core.generator import TrainingDataGenerator
    from rasa.shared.importers.importer import TrainingDataImporter

    importer = TrainingDataImporter.load_from_config("config.yml", "domain.yml", ["data"])
    domain = importer.get_domain()
    trackers = TrainingDataGenerator(
        importer.get_stories(), domain, augmentation_factor=0, remove_duplicates=False
    ).generate()
    return domain, trackers


def _prefixes(trackers: list[Any], domain: Any) -> Iterator[Any]:
    """Every point of every training conversation at which the bot picks its next action."""
    from rasa.shared.core.events import ActionExecuted
    from rasa.shared.core.trackers import DialogueStateTracker

    for tracker in trackers:
        events = list(tracker.events)
        for i, event in enumerate(events):
            if isinstance(event, ActionExecuted) and i > 0:
                yield DialogueStateTracker.from_events(tracker.sender_id, events[:i], domain.slots)


def test_the_sequential_graph_runner_understands_every_message_as_rasas_dask_runner(
    runners: dict[str, Any],
) -> None:
    metadata = runners["metadata"]
    for text in MESSAGES:
        assert _parse(runners["sequential"], metadata, text) == _parse(
            runners["dask"], metadata, text
        ), text


def test_the_sequential_graph_runner_picks_every_action_of_the_training_stories_as_dask_does(
    runners: dict[str, Any], training: tuple[Any, list[Any]]
) -> None:
    from rasa.engine.constants import PLACEHOLDER_TRACKER

    domain, training_trackers = training
    target = runners["metadata"].core_target
    compared = 0
    for tracker in _prefixes(training_trackers, domain):
        ours = runners["sequential"].run(inputs={PLACEHOLDER_TRACKER: tracker}, targets=[target])
        theirs = runners["dask"].run(inputs={PLACEHOLDER_TRACKER: tracker}, targets=[target])
        assert ours[target].probabilities == theirs[target].probabilities
        assert ours[target].policy_name == theirs[target].policy_name
        compared += 1
    assert compared > 100  # the stories and rules really were walked


def _parses_without_and_with(
    runners: dict[str, Any], name: str, owner: Any, attribute: str
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Every message of ``MESSAGES`` understood with Rasa's ``owner.attribute``, then with the
    registered patch ``name`` in its place (taken out again afterwards)."""
    from bot import patches

    patch = patches.by_name(name)
    metadata, runner = runners["metadata"], runners["sequential"]
    original = getattr(owner, attribute)
    before = [_parse(runner, metadata, text) for text in MESSAGES]
    assert patches.apply(patch)
    try:
        assert getattr(owner, attribute) is not original
        after = [_parse(runner, metadata, text) for text in MESSAGES]
    finally:
        patches.remove(patch)
    assert getattr(owner, attribute) is original
    return before, after


def test_diet_without_tensorflows_call_bookkeeping_gives_identical_confidences(
    runners: dict[str, Any],
) -> None:
    from rasa.utils.tensorflow.models import RasaModel

    before, after = _parses_without_and_with(runners, "tf-predict", RasaModel, "_rasa_predict")
    assert after == before
    assert {p["intent"]["name"] for p in after} >= {"order_status", "greet", "thank"}


def test_diet_loaded_by_predicting_instead_of_one_training_step_gives_identical_confidences(
    runners: dict[str, Any], model: Path
) -> None:
    from rasa.engine import loader
    from rasa.engine.storage.local_model_storage import LocalModelStorage

    from bot import patches
    from bot.graph_runner import SequentialGraphRunner

    metadata, rasas = runners["metadata"], runners["sequential"]
    before = [_parse(rasas, metadata, text) for text in MESSAGES]
    patch = patches.by_name("tf-load")
    assert patches.apply(patch)
    try:
        with tempfile.TemporaryDirectory() as tmp:
            _, ours = loader.load_predict_graph_runner(
                Path(tmp), model, LocalModelStorage, SequentialGraphRunner
            )
    finally:
        patches.remove(patch)
    after = [_parse(ours, metadata, text) for text in MESSAGES]
    assert after == before
    assert {p["intent"]["name"] for p in after} >= {"order_status", "greet", "thank"}


def test_the_rule_lookup_finds_the_same_rules_as_rasas_for_every_conversation_state(
    runners: dict[str, Any], training: tuple[Any, list[Any]]
) -> None:
    from rasa.core.policies.rule_policy import RulePolicy

    from bot import rule_matching

    domain, training_trackers = training
    policy = next(
        node._component
        for node in runners["sequential"]._instantiated_nodes.values()
        if isinstance(getattr(node, "_component", None), RulePolicy)
    )
    states_list, _ = policy.featurizer.training_states_and_labels(training_trackers, domain)
    # Long conversations too: training conversations one after another.
    long = [
        [s for states in states_list[i : i + 6] for s in states]
        for i in range(0, len(states_list), 6)
    ]
    lookups = [v for v in policy.lookup.values() if isinstance(v, dict) and v]
    compared = 0
    for lookup in lookups:
        for states in states_list + long:
            for start in (0, 1, 2):
                expected = RulePolicy._get_possible_keys(policy, lookup, states[start:])
                assert rule_matching._get_possible_keys(policy, lookup, states[start:]) == expected
                compared += 1
    assert compared > 500


def _response(events: list[dict[str, Any]]) -> dict[str, Any]:
    return {"events": events, "responses": [{"response": "utter_greet"}]}


VALID_RESPONSES = [
    {},
    {"events": [], "responses": []},
    _response([{"event": "slot", "name": "order_number", "value": "10001", "timestamp": None}]),
    _response([{"event": "active_loop", "name": "order_status_form"}]),
    _response([{"event": "followup", "name": "action_listen"}]),
    _response([{"event": "session_started", "metadata": {"channel": "webchat"}}]),
    _response([{"event": "bot", "text": "hi", "data": {}, "metadata": {}}]),
    _response([{"event": "pause"}, {"event": "resume"}, {"event": "reset_slots"}]),
]
INVALID_RESPONSES = [
    {"events": {"event": "slot"}},  # not a list
    _response([{"name": "order_number"}]),  # no event name
    _response([{"event": "teleport"}]),  # no such event
    _response([{"event": "slot", "name": 5, "value": "x"}]),  # a slot name must be text
    _response([{"event": "slot", "name": "x", "timestamp": "yesterday"}]),
    _response([{"event": "pause", "metadata": "not an object"}]),
    _response(["slot"]),
    {"events": [], "responses": ["utter_greet"]},  # a response must be an object
]


@pytest.mark.parametrize("response", VALID_RESPONSES)
def test_a_valid_action_server_response_is_accepted(response: dict[str, Any]) -> None:
    from bot.server import _action_response_validator, _validate_action_result

    assert _action_response_validator().is_valid(response)  # Rasa's own schema agrees
    assert _validate_action_result(None, response) is True


@pytest.mark.parametrize("response", INVALID_RESPONSES)
def test_an_invalid_action_server_response_is_rejected_with_rasas_message(
    response: dict[str, Any],
) -> None:
    from jsonschema import ValidationError

    from bot.server import _action_response_validator, _validate_action_result

    assert not _action_response_validator().is_valid(response)
    with pytest.raises(ValidationError, match="Failed to validate Action server response"):
        _validate_action_result(None, response)


def test_actions_get_the_domains_slots_and_forms_but_not_its_three_language_responses() -> None:
    from rasa.shared.core.domain import Domain

    from bot.server import _domain_for_actions

    domain = Domain.load("domain.yml")
    sent = _domain_for_actions(domain)
    full = domain.as_dict()
    assert "responses" not in sent
    assert {k: v for k, v in full.items() if k != "responses"} == sent
    assert sent["forms"]["order_status_form"]["required_slots"]
    assert _domain_for_actions(domain) is sent  # built once per loaded domain
    assert len(json.dumps(sent)) < len(json.dumps(full)) / 5


def test_an_nlu_worker_process_understands_every_message_as_the_server_does(
    runners: dict[str, Any], model: Path
) -> None:
    from bot.nlu_workers import NLUPool

    pool = NLUPool(model, 1)
    try:

        async def parse_all() -> list[dict[str, Any]]:
            for _ in range(600):
                if pool.ready:
                    break
                await asyncio.sleep(0.1)
            assert pool.ready, "the NLU worker did not load the model within a minute"
            return [await pool.parse(text, None, "someone", None, True) for text in MESSAGES]

        parsed = asyncio.run(parse_all())
    finally:
        pool.shutdown()
    defaults = {"text": "", "intent": {"name": None, "confidence": 0.0}, "entities": []}
    for text, ours in zip(MESSAGES, parsed, strict=True):
        expected = {**defaults, **_parse(runners["sequential"], runners["metadata"], text)}
        assert ours == expected, text


def test_whether_a_domain_is_empty_is_answered_as_rasa_does_and_kept() -> None:
    from rasa.shared.core.domain import Domain

    from bot.server import _make_cached_is_empty

    original = Domain.is_empty
    cached = _make_cached_is_empty(original)
    loaded, empty = Domain.load("domain.yml"), Domain.empty()
    assert (cached(loaded), cached(empty)) == (original(loaded), original(empty)) == (False, True)
    assert loaded.__dict__["_baton_is_empty"] is False  # asked once per domain


def test_sparse_features_are_joined_entry_for_entry_as_scipys_hstack_joins_them() -> None:
    import numpy as np
    from scipy.sparse import hstack
    from scipy.sparse import random as sparse_random

    from bot.sparse_concat import hstack_coo

    for seed in range(60):
        rng = np.random.default_rng(seed)
        rows = int(rng.integers(1, 30))
        left = sparse_random(rows, int(rng.integers(1, 400)), density=0.05, format="coo",
                             dtype=np.float32, random_state=seed)  # fmt: skip
        right = sparse_random(rows, int(rng.integers(1, 3000)), density=0.01, format="coo",
                              dtype=(np.float32, np.float64, np.int64)[seed % 3],
                              random_state=seed + 1)  # fmt: skip
        theirs, ours = hstack([left, right]), hstack_coo(left, right)
        assert type(ours) is type(theirs) and ours.shape == theirs.shape
        assert ours.dtype == theirs.dtype and ours.row.dtype == theirs.row.dtype
        for field in ("row", "col", "data"):
            assert np.array_equal(getattr(ours, field), getattr(theirs, field))


def test_messages_are_understood_the_same_with_the_faster_sparse_join(
    runners: dict[str, Any],
) -> None:
    from rasa.shared.nlu.training_data.features import Features

    before, after = _parses_without_and_with(
        runners, "sparse-concat", Features, "_combine_sparse_features"
    )
    assert after == before

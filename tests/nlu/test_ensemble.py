"""The averaged intent classifier: each seed adds its confidences, the message shows the mean."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from rasa.shared.nlu.training_data.message import Message

from bot.nlu.ensemble import RANKING_LENGTH, SUMS, SeedMember, average

ROOT = Path(__file__).resolve().parents[2]


def ranking(**confidences: float) -> list[dict[str, Any]]:
    return [{"name": name, "confidence": value} for name, value in confidences.items()]


def test_one_member_gives_its_own_ranking() -> None:
    message = Message(data={"text": "where is my parcel"})
    average(message, ranking(order_status=0.7, return_item=0.2, greet=0.1))

    assert message.get("intent") == {"name": "order_status", "confidence": 0.7}
    assert [entry["name"] for entry in message.get("intent_ranking")] == [
        "order_status",
        "return_item",
        "greet",
    ]


def test_two_members_that_disagree_are_averaged() -> None:
    message = Message(data={"text": "it came broken"})
    average(message, ranking(return_item=0.6, order_status=0.4))
    average(message, ranking(return_item=0.2, order_status=0.8))

    assert message.get("intent")["name"] == "order_status"
    assert message.get("intent")["confidence"] == pytest.approx(0.6)
    assert message.get("intent_ranking")[1] == {
        "name": "return_item",
        "confidence": pytest.approx(0.4),
    }


def test_an_outlier_seed_does_not_decide_alone() -> None:
    message = Message(data={"text": "what's the weather like"})
    average(message, ranking(out_of_scope=0.9, order_status=0.1))
    average(message, ranking(out_of_scope=0.8, order_status=0.2))
    average(message, ranking(out_of_scope=0.05, order_status=0.95))

    assert message.get("intent")["name"] == "out_of_scope"
    assert message.get("intent")["confidence"] == pytest.approx(0.5833, abs=1e-3)


def test_the_ranking_shown_is_cut_to_the_usual_length() -> None:
    message = Message(data={"text": "hello"})
    names = {f"intent_{i:02d}": 1.0 / 20 for i in range(20)}
    average(message, ranking(**names))

    assert len(message.get("intent_ranking")) == RANKING_LENGTH


def test_the_running_sums_stay_out_of_the_parse_result() -> None:
    message = Message(data={"text": "hi"})
    average(message, ranking(greet=1.0))

    assert SUMS not in message.as_dict(only_output_properties=True)
    assert "intent" in message.as_dict(only_output_properties=True)


def test_every_member_ranks_every_intent_and_leaves_entities_to_the_regexes() -> None:
    config = SeedMember.get_default_config()
    assert config["ranking_length"] == 0
    assert config["entity_recognition"] is False


def test_the_pipeline_averages_three_seeds_that_differ() -> None:
    pipeline = yaml.safe_load((ROOT / "config.yml").read_text())["pipeline"]
    members = [c for c in pipeline if c["name"] == "bot.nlu.ensemble.SeedMember"]
    assert len(members) == 3
    assert len({member["random_seed"] for member in members}) == 3
    assert all(c["name"] != "DIETClassifier" for c in pipeline)
    # the fallbacks and the order gate come after the last member, so they read the mean
    names = [c["name"] for c in pipeline]
    last_member = max(i for i, name in enumerate(names) if name.endswith("SeedMember"))
    assert names.index("FallbackClassifier") > last_member
    assert names.index("bot.nlu.order_gate.OrderFlowGate") > last_member

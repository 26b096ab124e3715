"""The order-flow gate: an unsure order, return, refund, policy, delivery-problem, cancellation
or address-change intent starts its flow only when the message shows it is about an order
(bot/nlu/order_gate.py). No model needed."""

from __future__ import annotations

from typing import Any

import pytest
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.nlu.order_gate import OrderFlowGate

CONCEPTS = [
    {"name": "concept_order", "pattern": r"(?i)(?<![a-z])(?:order|purchase)|(?:주문|订单|訂單)"},
    {"name": "concept_refund", "pattern": r"(?i)(?<![a-z])(?:refund|money back)|(?:환불|退款)"},
    {"name": "concept_delivery", "pattern": r"(?i)(?<![a-z])(?:parcel|deliver)|(?:배송|快递)"},
    {"name": "concept_return", "pattern": r"(?i)(?<![a-z])(?:return)|(?:반품|退货)"},
    {"name": "concept_address", "pattern": r"(?i)(?<![a-z])(?:address)|(?:주소|地址)"},
    {"name": "concept_weather", "pattern": r"(?i)weather"},
]


class Storage:
    """Enough of Rasa's model storage for train() to write into a temporary folder."""

    def __init__(self, path: Any) -> None:
        self.path = path

    def write_to(self, resource: Any) -> Any:
        import contextlib

        @contextlib.contextmanager
        def opened() -> Any:
            yield self.path

        return opened()


@pytest.fixture
def gate(tmp_path: Any) -> OrderFlowGate:
    config = {**OrderFlowGate.get_default_config(), "threshold": 0.8}
    trained = OrderFlowGate(config, Storage(tmp_path), None, [])  # type: ignore[arg-type]
    trained.train(TrainingData(regex_features=CONCEPTS))
    return trained


def message(text: str, intent: str, confidence: float, *entities: str) -> Message:
    found = [{"entity": e, "value": "x", "start": 0, "end": 1} for e in entities]
    return Message(
        data={
            "text": text,
            "intent": {"name": intent, "confidence": confidence},
            "intent_ranking": [{"name": intent, "confidence": confidence}],
            "entities": found,
        }
    )


def served(gate: OrderFlowGate, m: Message) -> str:
    return str(gate.process([m])[0].get("intent")["name"])


def test_an_unsure_order_question_about_nothing_shop_related_is_turned_away(
    gate: OrderFlowGate,
) -> None:
    m = message("how long until my paycheck shows up", "order_status", 0.62)
    assert served(gate, m) == "out_of_scope"
    assert m.get("intent")["confidence"] == 0.62  # the inbox still sees how unsure it was
    assert m.get("intent_ranking")[1]["name"] == "order_status"


def test_a_sure_order_question_goes_through(gate: OrderFlowGate) -> None:
    assert served(gate, message("is it coming today or not", "order_status", 0.93)) == (
        "order_status"
    )


@pytest.mark.parametrize(
    "text",
    ["has the money for my order gone through", "주문한거 언제와요", "退款还没到", "my parcel??"],
)
def test_an_unsure_one_that_names_an_order_a_parcel_or_a_refund_goes_through(
    gate: OrderFlowGate, text: str
) -> None:
    assert served(gate, message(text, "refund_status", 0.5)) == "refund_status"


@pytest.mark.parametrize("entity", ["order_number", "rma_number", "email", "postal_code"])
def test_an_order_detail_is_evidence_enough(gate: OrderFlowGate, entity: str) -> None:
    assert served(gate, message("any news on 10006", "order_status", 0.4, entity)) == (
        "order_status"
    )


def test_only_the_order_flows_are_gated(gate: OrderFlowGate) -> None:
    assert served(gate, message("what's the weather", "greet", 0.31)) == "greet"
    assert served(gate, message("I want to talk to someone", "human_handoff", 0.4)) == (
        "human_handoff"
    )


def test_an_unsure_cancellation_of_something_that_is_not_an_order_is_turned_away(
    gate: OrderFlowGate,
) -> None:
    assert served(gate, message("cancel my gym membership", "cancel_order", 0.5)) == (
        "out_of_scope"
    )
    assert served(gate, message("please cancel my order", "cancel_order", 0.5)) == ("cancel_order")


def test_an_unsure_address_change_goes_through_when_the_config_counts_addresses(
    tmp_path: Any,
) -> None:
    concepts = ["concept_order", "concept_address"]
    config = {**OrderFlowGate.get_default_config(), "evidence_concepts": concepts}
    gate = OrderFlowGate(config, Storage(tmp_path), None, [])  # type: ignore[arg-type]
    gate.train(TrainingData(regex_features=CONCEPTS))
    assert served(gate, message("새 주소로 보내 주세요", "change_address", 0.5)) == (
        "change_address"
    )
    assert served(gate, message("I moved flats", "change_address", 0.5)) == "out_of_scope"


def test_a_concept_the_config_names_must_exist_in_the_data(tmp_path: Any) -> None:
    config = {**OrderFlowGate.get_default_config(), "evidence_concepts": ["concept_nowhere"]}
    untrained = OrderFlowGate(config, Storage(tmp_path), None, [])  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="no regex named concept_nowhere"):
        untrained.train(TrainingData(regex_features=CONCEPTS))

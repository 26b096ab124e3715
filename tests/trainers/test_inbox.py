"""The NLU inbox: from a real Rasa SQL tracker store to labelled examples in data/nlu."""

from __future__ import annotations

import asyncio
import csv
import shutil
from pathlib import Path
from typing import Any

import pytest
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import (
    ActionExecuted,
    BotUttered,
    ConversationPaused,
    ConversationResumed,
    Event,
    SessionStarted,
    SlotSet,
    UserUttered,
)
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.nlu.training_data.loading import load_data

from bot import inbox, names
from bot.settings import ROOT
from bot.trainers.inbox_rules import Rules, pick_all
from infra.tracker_events import conversations

INTENTS = list(names.INTENTS)


def said(text: str, intent: str, confidence: float, **entities: Any) -> UserUttered:
    """A user message parsed the way Rasa's NLU logs it (fallbacks included)."""
    ranking = [{"name": intent, "confidence": confidence}]
    top = {"name": intent, "confidence": confidence}
    if confidence < 0.5:  # what the FallbackClassifier does under its threshold
        top = {"name": "nlu_fallback", "confidence": 0.5}
        ranking.insert(0, top)
    ents = [{"entity": k, "value": v, "start": 0, "end": 1} for k, v in entities.items()]
    parse = {"intent": top, "entities": ents, "intent_ranking": ranking, "text": text}
    return UserUttered(text, intent=top, entities=ents, parse_data=parse)


def start() -> list[Event]:
    return [
        ActionExecuted("action_session_start"),
        SessionStarted(),
        ActionExecuted("action_listen"),
    ]


CONVERSATIONS: dict[str, list[Event]] = {
    "web-1": [
        *start(),
        said("wheres my parcel", "order_status", 0.97),
        said("can I pay with my loyalty points", "out_of_scope", 0.41),
        said("my email is john.smith@gmail.com and my number 087 123 4567", "inform", 0.55),
    ],
    "whatsapp-2": [
        *start(),
        said("Can I pay with my  loyalty points?", "return_policy", 0.62),
        said("where is my order", "order_status", 0.52),  # already a training example
    ],
    "slack-3": [
        *start(),
        said("the courier was really rude to me", "order_status", 0.81),
        said("i want a person", "human_handoff", 0.98),
        ActionExecuted("action_handoff"),
        ConversationPaused(),
        said("hello are you there", "greet", 0.30),  # to the agent, not the bot
        ConversationResumed(),
    ],
    "web-4": [
        *start(),
        said("do you sell sofa beds", "out_of_scope", 0.91),
        BotUttered(
            "Sorry, I can't help with that.", metadata={"utter_action": "utter_out_of_scope"}
        ),
        said("1", "inform", 0.88),
        SlotSet("csat_rating", 1),
    ],
    "web-5": [
        *start(),
        said("my kettle is leaking", "return_item", 0.93),
        said("/rate", "rate", 1.0, rating=2),
    ],
    "web-6": [
        *start(),
        said("has 23456 shipped", "order_status", 0.95),
        BotUttered("An agent will be with you.", metadata={"utter_action": "utter_handoff_queued"}),
        said("thanks", "thank", 0.99),
        SlotSet("csat_rating", 5),
    ],
    # a Korean customer: the language entity on each message, and a bare order number that
    # belongs to the conversation's language (the slot), not to English
    "web-7": [
        *start(),
        said("포인트로 결제할 수 있나요", "out_of_scope", 0.45, language="ko"),
        SlotSet("language", "ko"),
        said("54321, 54322", "inform", 0.40),
    ],
    "web-8": [
        *start(),
        said("我可以用积分付款吗", "out_of_scope", 0.44, language="zh"),
        SlotSet("language", "zh"),
    ],
}


@pytest.fixture
def tracker_store(tmp_path: Path) -> str:
    """A SQLite tracker store written by Rasa's own SQLTrackerStore."""
    db = tmp_path / "tracker.db"
    store = SQLTrackerStore(domain=Domain.empty(), dialect="sqlite", db=str(db))
    for sender_id, events in CONVERSATIONS.items():
        asyncio.run(store.save(DialogueStateTracker.from_events(sender_id, events)))
    store.engine.dispose()
    return f"sqlite:///{db}"


@pytest.fixture
def nlu_dir(tmp_path: Path) -> Path:
    target = tmp_path / "nlu"
    shutil.copytree(ROOT / "data" / "nlu", target)
    return target


def rows_by_text(path: Path) -> dict[str, dict[str, str]]:
    return {row["text"]: row for row in inbox.read_review_file(path)}


def test_unsure_messages_show_up_with_counts(tracker_store: str, tmp_path: Path) -> None:
    out = tmp_path / "inbox.csv"
    assert inbox.main(["collect", "--url", tracker_store, "--out", str(out)]) == 0
    rows = rows_by_text(out)

    points = rows["can I pay with my loyalty points"]
    assert points["language"] == "en"
    assert points["count"] == "2"
    assert points["conversations"] == "2"
    assert set(points["reasons"].split(";")) == {"fallback", "low_confidence"}
    assert points["label"] == ""
    assert next(iter(rows)) == "can I pay with my loyalty points"  # most frequent first


def test_handoff_and_low_rating_pick_the_messages_before_them(tracker_store: str) -> None:
    picked = {m.text: m for m in pick_all(conversations(tracker_store), Rules())}

    assert picked["the courier was really rude to me"].reasons == {"before_handoff"}
    assert "i want a person" not in picked  # understood: that is why the handoff happened
    assert "hello are you there" not in picked  # sent to the human agent while paused
    assert picked["do you sell sofa beds"].reasons == {"low_rating"}
    assert picked["my kettle is leaking"].reasons == {"low_rating"}
    assert "1" not in picked  # the rating itself
    assert picked["has 23456 shipped"].reasons == {"before_handoff"}  # utter_handoff_* response
    assert "thanks" not in picked  # rated 5


def test_detection_names_are_configurable(tracker_store: str) -> None:
    rules = Rules(
        handoff_actions=("action_escalate",),
        handoff_utter_prefixes=("utter_agent",),
        rating_slots=("satisfaction",),
        rating_intents=("score",),
    )
    picked = {m.text for m in pick_all(conversations(tracker_store), rules)}

    assert "the courier was really rude to me" not in picked
    assert "do you sell sofa beds" not in picked
    assert "can I pay with my loyalty points" in picked  # confidence rules still apply


def test_review_file_masks_contact_details_and_skips_known_examples(
    tracker_store: str, tmp_path: Path
) -> None:
    out = tmp_path / "inbox.csv"
    inbox.main(["collect", "--url", tracker_store, "--out", str(out)])
    content = out.read_text()

    assert "john.smith@gmail.com" not in content
    assert "087 123 4567" not in content
    assert "my email is name@example.com and my number 07700 900123" in content
    assert "where is my order" not in content  # already in data/nlu/en/orders.yml


def test_labels_typed_into_the_review_file_survive_a_new_collection(
    tracker_store: str, tmp_path: Path
) -> None:
    out = tmp_path / "inbox.csv"
    inbox.main(["collect", "--url", tracker_store, "--out", str(out)])
    rows = inbox.read_review_file(out)
    for row in rows:
        row["label"] = "out_of_scope" if "loyalty" in row["text"] else ""
    with out.open("w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=inbox.COLUMNS)
        writer.writeheader()
        writer.writerows(rows)

    inbox.main(["collect", "--url", tracker_store, "--out", str(out)])

    assert rows_by_text(out)["can I pay with my loyalty points"]["label"] == "out_of_scope"


def test_applying_labels_adds_them_to_the_file_of_their_intent(nlu_dir: Path) -> None:
    rows = [
        {"text": "can I pay with my loyalty points", "label": "out_of_scope"},
        {"text": "has BT-23456 shipped yet mate", "label": "order_status"},
        {"text": "i want to return the kettle, email name@example.com", "label": "return_item"},
        {"text": "hello are you there", "label": "skip"},
        {"text": "not reviewed yet", "label": ""},
    ]
    outcome = inbox.apply_labels(rows, nlu_dir, INTENTS)

    assert [(text, intent, path.name) for text, intent, path in outcome.added] == [
        ("can I pay with my loyalty points", "out_of_scope", "out_of_scope_general.yml"),
        ("has BT-23456 shipped yet mate", "order_status", "orders.yml"),
        ("i want to return the kettle, email name@example.com", "return_item", "returns.yml"),
    ]
    assert {path.parent.name for _, _, path in outcome.added} == {"en"}
    assert (outcome.refused, outcome.dismissed, outcome.unlabelled) == ([], 1, 1)
    orders = (nlu_dir / "en" / "orders.yml").read_text()
    assert (
        '    - has [BT-23456]{"entity": "order_number", "value": "23456"} shipped yet mate\n'
        in orders
    )
    returns = load_data(str(nlu_dir / "en" / "returns.yml"))
    added = next(m for m in returns.intent_examples if "kettle, email" in m.get("text"))
    assert added.get("intent") == "return_item"
    assert [(e["entity"], e["value"]) for e in added.get("entities")] == [
        ("email", "name@example.com")
    ]
    assert "# Customer goal" in (nlu_dir / "en" / "returns.yml").read_text()  # comments kept


def test_duplicates_conflicts_and_unknown_intents_are_refused_with_a_reason(nlu_dir: Path) -> None:
    before = {p: p.read_text() for p in nlu_dir.rglob("*.yml")}
    rows = [
        {"text": "Where is my order", "label": "order_status"},
        {"text": "where is my order", "label": "return_item"},
        {"text": "can I pay with my loyalty points", "label": "loyalty_points"},
        {"text": "my sofa has a [rip]", "label": "return_item"},
        {"text": "a message the test set holds", "label": "inform"},
        {"text": "pay with points", "label": "out_of_scope"},
        {"text": "PAY with points", "label": "inform"},
    ]
    held_out = ["A message the test set holds"]
    outcome = inbox.apply_labels(rows, nlu_dir, INTENTS, held_out=held_out, dry_run=True)
    reasons = {text: reason for text, _, reason in outcome.refused}

    assert reasons["Where is my order"].startswith(
        "duplicate: already an example of 'order_status' in orders.yml"
    )
    assert reasons["where is my order"].startswith("conflict: already an example of 'order_status'")
    assert reasons["can I pay with my loyalty points"].startswith("unknown intent 'loyalty_points'")
    assert "entity markup" in reasons["my sofa has a [rip]"]
    assert "held-out" in reasons["a message the test set holds"]
    assert reasons["PAY with points"].startswith("conflict: already an example of 'out_of_scope'")
    assert [text for text, _, _ in outcome.added] == ["pay with points"]
    assert {p: p.read_text() for p in nlu_dir.rglob("*.yml")} == before  # dry run wrote nothing


def test_apply_command_reports_each_row(
    nlu_dir: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    review = tmp_path / "inbox.csv"
    review.write_text(
        "text,count,label\nwhere is my order,3,order_status\nhas my sofa left yet,1,order_status\n"
    )
    monkeypatch.setattr(inbox, "ROOT", nlu_dir.parent)
    (nlu_dir.parent / "data").mkdir()
    shutil.move(str(nlu_dir), nlu_dir.parent / "data" / "nlu")
    shutil.copy(ROOT / "domain.yml", nlu_dir.parent / "domain.yml")

    code = inbox.main(["apply", "--file", str(review)])

    out = capsys.readouterr().out
    assert code == 2  # something was refused: make shows it
    assert "+ added to data/nlu/en/orders.yml (order_status): has my sofa left yet" in out
    assert "✗ refused 'where is my order' -> order_status: duplicate" in out
    assert "1 added, 1 refused" in out


# --- per language ----------------------------------------------------------------------------


def test_each_row_says_the_language_the_customer_wrote_in(
    tracker_store: str, tmp_path: Path
) -> None:
    out = tmp_path / "inbox.csv"
    inbox.main(["collect", "--url", tracker_store, "--out", str(out)])
    rows = rows_by_text(out)

    assert rows["포인트로 결제할 수 있나요"]["language"] == "ko"
    assert rows["我可以用积分付款吗"]["language"] == "zh"
    assert rows["54321, 54322"]["language"] == "ko"  # no letters: the conversation's language


def test_collect_can_keep_one_language(tracker_store: str, tmp_path: Path) -> None:
    out = tmp_path / "inbox.csv"
    assert inbox.main(["collect", "--url", tracker_store, "--out", str(out), "--lang", "zh"]) == 0
    assert list(rows_by_text(out)) == ["我可以用积分付款吗"]
    assert inbox.main(["collect", "--url", tracker_store, "--out", str(out), "--lang", "fr"]) == 2


def test_labelled_rows_go_to_their_languages_folder(nlu_dir: Path) -> None:
    rows = [
        {"text": "포인트로 결제할 수 있나요", "language": "ko", "label": "out_of_scope"},
        {"text": "订单54321到哪了", "language": "zh", "label": "order_status"},
        {"text": "积分能用吗", "label": "out_of_scope"},  # no column: told by the script
        {"text": "orders please", "language": "fr", "label": "order_status"},
    ]
    outcome = inbox.apply_labels(rows, nlu_dir, INTENTS)

    assert [(text, path.relative_to(nlu_dir).as_posix()) for text, _, path in outcome.added] == [
        ("포인트로 결제할 수 있나요", "ko/out_of_scope_general.yml"),
        ("订单54321到哪了", "zh/orders.yml"),
        ("积分能用吗", "zh/out_of_scope_general.yml"),
    ]
    assert outcome.refused[0][2].startswith("unknown language 'fr'")
    added = next(
        m
        for m in load_data(str(nlu_dir / "zh" / "orders.yml")).intent_examples
        if m.get("text") == "订单54321到哪了"
    )
    assert [(e["entity"], e["value"]) for e in added.get("entities")] == [("order_number", "54321")]


def test_a_message_already_trained_in_another_language_is_a_conflict(nlu_dir: Path) -> None:
    outcome = inbox.apply_labels(
        [{"text": "我要退货", "language": "ko", "label": "out_of_scope"}], nlu_dir, INTENTS
    )
    assert outcome.refused[0][2].startswith("conflict: already an example of 'return_item'")

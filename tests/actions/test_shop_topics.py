"""Shop topics: the shop's answers file is checked as a whole, and the answer a customer gets is
the shop's, in their language, with the link and the offer of a person the shop wants.

No model and no server: the file, the business function and the thin action.
"""

from __future__ import annotations

import asyncio
import os
from pathlib import Path
from typing import Any

import pytest
import yaml
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.services import shop_topics
from actions.services.shop_topics import ShopTopicsError, load_topics, parse_topics
from actions.shop_topics import ActionShopTopic
from bot import names

SHIPPED = shop_topics.DEFAULT_FILE


def shipped() -> dict[str, Any]:
    return yaml.safe_load(SHIPPED.read_text(encoding="utf-8"))


def test_the_shipped_file_answers_every_topic_in_three_languages() -> None:
    found = load_topics(SHIPPED)
    assert set(found.topics) == set(names.SHOP_TOPICS)
    for topic in found.topics.values():
        assert {"en", "ko", "zh"} <= set(topic.answers)
        assert any("\uac00" <= ch <= "\ud7a3" for ch in topic.answer("ko"))
        assert any("\u4e00" <= ch <= "\u9fff" for ch in topic.answer("zh"))


@pytest.mark.parametrize(
    "change, named",
    [
        (lambda d: d["topics"]["invoice"]["answer"].pop("ko"), "topics.invoice.answer.ko"),
        (lambda d: d["topics"].pop("payment"), "no answer for payment"),
        (lambda d: d["topics"].update(gift_wrap=d["topics"]["invoice"]), "unknown topic gift_wrap"),
        (lambda d: d["topics"]["account"].update(phone="0800"), "topics.account: unknown key"),
        (
            lambda d: d["topics"]["account"].update(link="http://example.com"),
            "topics.account.link",
        ),
        (
            lambda d: d["topics"]["account"].update(offer_person="yes"),
            "topics.account.offer_person",
        ),
        (lambda d: d.update(version=2), "version"),
    ],
)
def test_a_broken_file_is_refused_naming_the_entry(change: Any, named: str) -> None:
    data = shipped()
    change(data)
    with pytest.raises(ShopTopicsError, match=named.replace(".", r"\.")):
        parse_topics(data, "shop_topics.yml")


def test_an_edited_file_applies_without_a_restart(tmp_path: Path) -> None:
    data = shipped()
    path = tmp_path / "topics.yml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    assert "Forgot password" in load_topics(path).topics["account"].answer("en")
    data["topics"]["account"]["answer"]["en"] = "Use the reset link on the sign-in page."
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    os.utime(path, ns=(1, path.stat().st_mtime_ns + 10_000_000))
    assert (
        load_topics(path).topics["account"].answer("en")
        == "Use the reset link on the sign-in page."
    )


def test_an_answer_brings_the_link_and_the_offer_of_a_person_the_shop_wants() -> None:
    found = load_topics(SHIPPED)
    [reply] = shop_topics.replies(found.topics["change_order"], "ko")
    assert reply.response == "utter_shop_topic"
    assert any("\uac00" <= ch <= "\ud7a3" for ch in reply.params["answer"])
    assert "https://lumenandloom.example/help/change-an-order" in reply.params["answer"]
    assert [b.payload for b in reply.buttons] == ["/human_handoff", "/deny"]
    [no_offer] = shop_topics.replies(found.topics["delivery_options"], "en")
    assert no_offer.buttons == ()
    assert "UK and Ireland" in no_offer.params["answer"]


def tracker(intent: str, language: str = "en") -> Tracker:
    return Tracker(
        "conv-shop",
        {names.SLOT_LANGUAGE: language},
        {"text": "…", "intent": {"name": intent}, "entities": []},
        [{"event": "user", "text": "…", "parse_data": {"intent": {"name": intent}}}],
        False,
        None,
        {},
        "action_listen",
    )


def run(intent: str, language: str = "en") -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    dispatcher = CollectingDispatcher()
    events = asyncio.run(ActionShopTopic().run(dispatcher, tracker(intent, language), {}))
    return dispatcher.messages, events


def test_the_action_answers_in_the_customers_language_and_leaves_the_reason_for_a_person() -> None:
    messages, events = run(names.CHANGE_ORDER, "zh")
    [message] = messages
    assert message["response"] == "utter_shop_topic"
    assert "修改" in message["answer"]
    assert [b["payload"] for b in message["buttons"]] == ["/human_handoff", "/deny"]
    assert {"event": "slot", "name": names.SLOT_HANDOFF_REASON, "value": "shop_topic"} in [
        {k: e.get(k) for k in ("event", "name", "value")} for e in events
    ]


def test_a_topic_without_a_person_sets_no_reason() -> None:
    messages, events = run(names.DELIVERY_OPTIONS)
    assert messages[0]["buttons"] == []
    assert events == []


def test_something_that_is_not_a_shop_topic_gets_the_out_of_scope_answer() -> None:
    messages, events = run(names.GREET)
    assert [m["response"] for m in messages] == ["utter_out_of_scope"]
    assert events == []

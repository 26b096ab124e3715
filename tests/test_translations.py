"""Every response in English, Korean and Chinese, picked by the ``language`` slot.

Two halves: the data check behind ``make validate`` (a missing or broken translation fails
there, naming the response and the language), and the real domain rendered through Rasa's own
TemplatedNaturalLanguageGenerator, the code that picks a variation in a live conversation.
"""

from __future__ import annotations

import copy
import re
import shutil
from pathlib import Path
from typing import Any, Optional

import pytest
import yaml
from rasa.core.nlg.response import TemplatedNaturalLanguageGenerator
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import Event, SlotSet
from rasa.shared.core.trackers import DialogueStateTracker

from bot.data_checks import check_all, check_translations
from bot.settings import ROOT

HANGUL = re.compile(r"[\uac00-\ud7a3]")
HAN = re.compile(r"[\u4e00-\u9fff]")
DRAWS = 25  # Rasa draws a variation at random: a wrong candidate would show up in 25 draws


def responses() -> dict[str, list[dict[str, Any]]]:
    return copy.deepcopy(yaml.safe_load((ROOT / "domain.yml").read_text())["responses"])


def variation(response: list[dict[str, Any]], language: str) -> dict[str, Any]:
    for candidate in response:
        if {"type": "slot", "name": "language", "value": language} in candidate.get(
            "condition", []
        ):
            return candidate
    raise AssertionError(f"no {language} variation")


# --- the check behind `make validate` -------------------------------------------------------


def test_every_response_of_the_real_domain_is_translated() -> None:
    assert check_translations(responses()) == []


def test_a_missing_korean_variation_names_the_response_and_the_language() -> None:
    data = responses()
    data["utter_goodbye"].remove(variation(data["utter_goodbye"], "ko"))

    problems = check_translations(data)

    assert len(problems) == 1
    assert "utter_goodbye" in problems[0] and "Korean (ko)" in problems[0]


def test_a_missing_chinese_variation_names_the_response_and_the_language() -> None:
    data = responses()
    data["utter_ask_return_reason"] = [
        v for v in data["utter_ask_return_reason"] if "condition" not in v
    ]

    problems = check_translations(data)

    assert any("utter_ask_return_reason" in p and "Chinese (zh)" in p for p in problems)
    assert any("utter_ask_return_reason" in p and "Korean (ko)" in p for p in problems)


def test_a_translation_that_drops_a_placeholder_fails() -> None:
    data = responses()
    zh = variation(data["utter_order_not_found"], "zh")
    zh["text"] = zh["text"].replace("{order_number}", "您的")

    problems = check_translations(data)

    assert problems == [
        "utter_order_not_found (Chinese, zh): placeholders none differ from the English "
        "{order_number}"
    ]


def test_a_translation_that_invents_a_placeholder_fails() -> None:
    data = responses()
    ko = variation(data["utter_order_split"], "ko")
    ko["text"] += " {orders}"

    problems = check_translations(data)

    assert len(problems) == 1
    assert "utter_order_split (Korean, ko)" in problems[0] and "orders" in problems[0]


def test_a_translation_with_other_button_payloads_fails() -> None:
    data = responses()
    ko = variation(data["utter_technical_problem_offer"], "ko")
    ko["buttons"][0]["payload"] = "/greet"

    problems = check_translations(data)

    assert len(problems) == 1
    assert "utter_technical_problem_offer (Korean, ko): button payloads" in problems[0]
    assert "/human_handoff" in problems[0]


def test_english_pasted_in_as_a_translation_fails() -> None:
    data = responses()
    english = data["utter_anything_else"][0]["text"]
    variation(data["utter_anything_else"], "zh")["text"] = english

    assert check_translations(data) == [
        "utter_anything_else (Chinese, zh): the text is not in Chinese"
    ]


def test_an_english_variation_with_a_condition_but_no_language_fails() -> None:
    """It would be drawn alongside the Korean one for an identified Korean customer."""
    data = responses()
    named = data["utter_greet"][0]
    named["condition"] = [c for c in named["condition"] if c["name"] != "language"]

    problems = check_translations(data)

    assert any("utter_greet" in p and "customer_identified" in p for p in problems)


def test_a_missing_translation_fails_make_validate(tmp_path: Path) -> None:
    """check_all is what `python -m bot check-data` (part of `make validate`) runs."""
    domain = yaml.safe_load((ROOT / "domain.yml").read_text())
    domain["responses"]["utter_ok"] = [domain["responses"]["utter_ok"][0]]
    (tmp_path / "domain.yml").write_text(yaml.safe_dump(domain, allow_unicode=True))
    shutil.copytree(ROOT / "data" / "nlu", tmp_path / "data" / "nlu")

    problems = check_all(tmp_path)

    assert any(p.startswith("utter_ok: no Korean (ko) variation") for p in problems)
    assert any(p.startswith("utter_ok: no Chinese (zh) variation") for p in problems)


# --- the real domain, rendered the way a conversation renders it -----------------------------


@pytest.fixture(scope="module")
def domain() -> Domain:
    return Domain.load(str(ROOT / "domain.yml"))


@pytest.fixture(scope="module")
def nlg(domain: Domain) -> TemplatedNaturalLanguageGenerator:
    return TemplatedNaturalLanguageGenerator(domain.responses)


def tracker(domain: Domain, language: Optional[str], **slots: Any) -> DialogueStateTracker:
    events: list[Event] = [SlotSet(name, value) for name, value in slots.items()]
    if language is not None:
        events.insert(0, SlotSet("language", language))
    return DialogueStateTracker.from_events("customer", events, slots=domain.slots)


async def say(
    nlg: TemplatedNaturalLanguageGenerator,
    domain: Domain,
    response: str,
    language: Optional[str],
    slots: Optional[dict[str, Any]] = None,
    **facts: Any,
) -> dict[str, Any]:
    """Render DRAWS times; every draw must give the same text (no stray candidate)."""
    conversation = tracker(domain, language, **(slots or {}))
    drawn = [await nlg.generate(response, conversation, "socketio", **facts) for _ in range(DRAWS)]
    assert all(d is not None for d in drawn)
    texts = {str(d["text"]) for d in drawn if d}
    assert len(texts) == 1, texts
    result = drawn[0]
    assert result is not None
    return result


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("en", "I couldn't find an order with the number 10001."),
        ("ko", "10001번 주문을 찾을 수 없어요."),
        ("zh", "没有找到订单号为10001的订单。"),
    ],
)
async def test_a_response_comes_out_in_the_customers_language(
    nlg: TemplatedNaturalLanguageGenerator, domain: Domain, language: str, expected: str
) -> None:
    reply = await say(nlg, domain, "utter_order_not_found", language, order_number="10001")
    assert reply["text"].startswith(expected)


async def test_a_customer_whose_language_is_not_set_gets_english(
    nlg: TemplatedNaturalLanguageGenerator, domain: Domain
) -> None:
    reply = await say(nlg, domain, "utter_ask_order_number", None)
    assert reply["text"].startswith("Sure! What's your order number?")


@pytest.mark.parametrize(
    ("language", "named", "anonymous"),
    [
        ("en", "Hi Min-jun! I can tell you", "Hi! I'm Baton"),
        ("ko", "Min-jun님, 안녕하세요!", "안녕하세요! Lumen & Loom의 상담 도우미 Baton이에요."),
        ("zh", "Min-jun，您好！", "您好！我是 Lumen & Loom 的智能助手 Baton。"),
    ],
)
async def test_the_greeting_uses_the_name_of_a_known_customer_in_each_language(
    nlg: TemplatedNaturalLanguageGenerator,
    domain: Domain,
    language: str,
    named: str,
    anonymous: str,
) -> None:
    known = {"customer_identified": True, "customer_name": "Min-jun"}
    assert (await say(nlg, domain, "utter_greet", language, known))["text"].startswith(named)
    unknown = {"customer_identified": False}
    assert (await say(nlg, domain, "utter_greet", language, unknown))["text"].startswith(anonymous)


@pytest.mark.parametrize(
    ("language", "titles"),
    [
        ("en", ["Yes, a person please", "No, I'll try later"]),
        ("ko", ["네, 상담원 연결해 주세요", "아니요, 나중에 다시 할게요"]),
        ("zh", ["好的，请转人工", "不用了，我稍后再试"]),
    ],
)
async def test_buttons_are_labelled_in_the_language_and_send_the_same_payloads(
    nlg: TemplatedNaturalLanguageGenerator, domain: Domain, language: str, titles: list[str]
) -> None:
    reply = await say(nlg, domain, "utter_technical_problem_offer", language)
    assert [b["title"] for b in reply["buttons"]] == titles
    assert [b["payload"] for b in reply["buttons"]] == ["/human_handoff", "/deny"]


async def test_the_rating_buttons_keep_their_payloads_in_chinese(
    nlg: TemplatedNaturalLanguageGenerator, domain: Domain
) -> None:
    reply = await say(nlg, domain, "utter_ask_csat_rating", "zh", handoff_agent_name="Ana")
    assert reply["text"].startswith("感谢您与Ana的沟通。")
    assert reply["buttons"][0]["payload"] == '/rate{"rating": "1"}'


async def test_switching_language_midway_switches_the_next_reply(
    nlg: TemplatedNaturalLanguageGenerator, domain: Domain
) -> None:
    conversation = tracker(domain, "ko", order_number="10002")
    before = await nlg.generate("utter_ask_verification_value", conversation, "socketio")
    conversation.update(SlotSet("language", "zh"))
    after = await nlg.generate("utter_ask_verification_value", conversation, "socketio")
    confirm = await nlg.generate("utter_language_changed", conversation, "socketio")

    assert before and before["text"].startswith("주문 정보를 안전하게 보호하기 위해")
    assert after and after["text"].startswith("为保护您的订单隐私")
    assert confirm and confirm["text"] == "好的，我会用中文回复您。"


@pytest.mark.parametrize("language", ["ko", "zh"])
async def test_no_response_falls_back_to_english_for_a_korean_or_chinese_customer(
    nlg: TemplatedNaturalLanguageGenerator, domain: Domain, language: str
) -> None:
    """Every response, as Rasa picks it, with and without a return in progress."""
    script = HANGUL if language == "ko" else HAN
    for situation in ({}, {"return_order_number": "10002", "customer_identified": True}):
        conversation = tracker(domain, language, **situation)
        for response in domain.responses:
            if all(
                re.fullmatch(r"\{\w+\}", str(v.get("text", ""))) for v in domain.responses[response]
            ):
                # only a placeholder, filled with words already in the customer's language (a
                # shop's own answer from policy/shop_topics.yml: tests/actions/test_shop_topics.py)
                continue
            for _ in range(5):
                reply = await nlg.generate(response, conversation, "socketio")
                assert reply is not None, response
                assert script.search(str(reply["text"])), (response, reply["text"])

"""The delivery-problem form against the in-memory demo shop: what it asks and when — the
proof first, what went wrong (from the words that started the report, else buttons), which
item, a photo the channel kept for a damaged or wrong one — and the question that reads the
claim back before anything is opened (a replacement in stock, a refund sold out).

Orders of the demo shop (tests/support/fake_shop.py): 10011 (three items in one parcel,
delivered ten days ago), 10014 (an alarm clock delivered 14 days ago, worth £59).
"""

from __future__ import annotations

import pytest
from rasa_sdk.executor import CollectingDispatcher

from actions.problem_form import (
    ActionAskProblemConfirmed,
    ActionAskProblemItem,
    ActionAskProblemKind,
    ActionAskProblemPhoto,
    ValidateProblemForm,
)
from bot import names
from tests.actions.problem_fixtures import (
    FORM,
    PHOTO,
    SENT_PHOTO,
    asked,
    proven,
    report,
)
from tests.support.fake_shop import FakeShop
from tests.support.trackers import responses, tracker


async def test_a_stranger_is_asked_for_the_proof_first_and_what_went_wrong_is_heard_meanwhile(
    fake_shop: FakeShop,
) -> None:
    slots = await asked({names.SLOT_ORDER_NUMBER: "10011"}, sender="conv-problem-stranger")
    assert slots == [names.SLOT_ORDER_NUMBER, names.SLOT_VERIFICATION, names.SLOT_PROBLEM_KIND]


async def test_once_proven_what_went_wrong_is_asked(fake_shop: FakeShop) -> None:
    assert await asked(proven("10011")) == [names.SLOT_ORDER_NUMBER, names.SLOT_PROBLEM_KIND]


async def test_the_kind_is_taken_from_the_words_that_started_the_report(
    fake_shop: FakeShop,
) -> None:
    started = tracker(proven("10014"), text="my alarm clock arrived smashed", form=FORM)
    found = await ValidateProblemForm().extract_problem_kind(CollectingDispatcher(), started, {})
    assert found == {names.SLOT_PROBLEM_KIND: "problem:damaged"}


async def test_an_item_named_in_the_report_or_the_only_one_is_not_asked_for(
    fake_shop: FakeShop,
) -> None:
    form = ValidateProblemForm()
    named = tracker(proven("10011"), text="the t-shirt wasn't in the box", form=FORM)
    found = await form.validate_problem_kind(
        "problem:missing_item", CollectingDispatcher(), named, {}
    )
    assert found == {names.SLOT_PROBLEM_KIND: "missing_item", names.SLOT_PROBLEM_ITEM: "14"}
    single = tracker(proven("10014"), text="/inform", form=FORM)
    found = await form.validate_problem_kind("problem:damaged", CollectingDispatcher(), single, {})
    assert found == {names.SLOT_PROBLEM_KIND: "damaged", names.SLOT_PROBLEM_ITEM: "18"}


async def test_a_kind_that_cannot_be_told_is_said_and_asked_again(fake_shop: FakeShop) -> None:
    dispatcher = CollectingDispatcher()
    found = await ValidateProblemForm().validate_problem_kind(
        "hmm", dispatcher, tracker(proven("10011"), form=FORM), {}
    )
    assert found == {names.SLOT_PROBLEM_KIND: None}
    assert responses(dispatcher) == ["utter_problem_kind_not_understood"]


async def test_the_kind_question_has_a_button_per_kind_in_the_customers_language(
    fake_shop: FakeShop,
) -> None:
    dispatcher = CollectingDispatcher()
    await ActionAskProblemKind().run(dispatcher, tracker(proven("10011", language="ko")), {})
    [message] = dispatcher.messages
    assert message["response"] == "utter_ask_problem_kind"
    assert [b["payload"] for b in message["buttons"]] == [
        '/inform{"return_choice":"problem:not_received"}',
        '/inform{"return_choice":"problem:missing_item"}',
        '/inform{"return_choice":"problem:damaged"}',
        '/inform{"return_choice":"problem:wrong_item"}',
    ]
    assert message["buttons"][2]["title"] == "파손되어 왔어요"


@pytest.mark.parametrize(
    ("answer", "item"),
    [('/inform{"return_choice":"problemitem:15"}', "15"), ("2", "14"), ("the bulbs", "15")],
)
async def test_the_item_is_a_tap_its_number_or_its_name(
    fake_shop: FakeShop, answer: str, item: str
) -> None:
    found = await ValidateProblemForm().validate_problem_item(
        answer, CollectingDispatcher(), tracker(report("10011", "damaged"), form=FORM), {}
    )
    assert found == {names.SLOT_PROBLEM_ITEM: item}


async def test_the_item_question_lists_the_orders_items_as_buttons(fake_shop: FakeShop) -> None:
    dispatcher = CollectingDispatcher()
    await ActionAskProblemItem().run(dispatcher, tracker(report("10011", "damaged")), {})
    [message] = dispatcher.messages
    assert message["response"] == "utter_ask_problem_item"
    assert message["items"].splitlines()[1] == "2. Organic cotton T-shirt, white"
    assert [b["payload"] for b in message["buttons"]][-1] == (
        '/inform{"return_choice":"problemitem:15"}'
    )


async def test_a_damaged_item_needs_a_photo_before_anything_else(fake_shop: FakeShop) -> None:
    slots = await asked(report("10014", "damaged", "18"))
    assert slots[-1] == names.SLOT_PROBLEM_PHOTO
    dispatcher = CollectingDispatcher()
    await ActionAskProblemPhoto().run(dispatcher, tracker(report("10014", "damaged", "18")), {})
    assert responses(dispatcher) == ["utter_ask_problem_photo"]
    assert dispatcher.messages[0]["item"] == "Sunrise alarm clock"


async def test_only_a_photo_the_channel_kept_counts_not_a_typed_reference(
    fake_shop: FakeShop,
) -> None:
    form = ValidateProblemForm()
    slots = report("10014", "damaged", "18")
    sent = tracker(slots, text="[photo]", metadata=SENT_PHOTO, form=FORM)
    found = await form.validate_problem_photo("[photo]", CollectingDispatcher(), sent, {})
    assert found == {names.SLOT_PROBLEM_PHOTO: PHOTO}
    typed = tracker(slots, text=PHOTO, form=FORM)
    found = await form.validate_problem_photo(PHOTO, CollectingDispatcher(), typed, {})
    assert found == {names.SLOT_PROBLEM_PHOTO: None}


async def test_a_photo_does_not_switch_a_korean_conversation_to_english(
    fake_shop: FakeShop,
) -> None:
    sent = tracker(
        report("10014", "damaged", "18", language="en"),
        text="[photo]",
        metadata=SENT_PHOTO,
        form=FORM,
    )
    sent.events.insert(0, {"event": "slot", "name": "language", "value": "ko"})
    sent.events.insert(0, {"event": "user", "text": "주문 10014 시계가 깨져서 왔어요"})
    found = await ValidateProblemForm().validate_problem_photo(
        "[photo]", CollectingDispatcher(), sent, {}
    )
    assert found == {names.SLOT_PROBLEM_PHOTO: PHOTO, "language": "ko"}


async def test_with_the_photo_a_claim_to_send_back_is_read_out_before_it_is_opened(
    fake_shop: FakeShop,
) -> None:
    slots = report("10014", "damaged", "18", **{names.SLOT_PROBLEM_PHOTO: PHOTO})
    assert (await asked(slots))[-2:] == [names.SLOT_PROBLEM_PHOTO, names.SLOT_PROBLEM_CONFIRMED]
    dispatcher = CollectingDispatcher()
    await ActionAskProblemConfirmed().run(dispatcher, tracker(slots), {})
    [message] = dispatcher.messages
    assert message["response"] == "utter_confirm_problem_return"  # £59: worth sending back
    assert message["amount"] == "£59.00"
    assert message["settlement"] == "refund £59.00 to Visa ending 1881"


async def test_in_stock_the_question_offers_a_replacement_and_sold_out_a_refund(
    fake_shop: FakeShop,
) -> None:
    # the demo's stock: the candles (two in 10011) in stock, the T-shirt sold out
    candles = report("10011", "damaged", "13", **{names.SLOT_PROBLEM_PHOTO: PHOTO})
    dispatcher = CollectingDispatcher()
    await ActionAskProblemConfirmed().run(dispatcher, tracker(candles), {})
    [message] = dispatcher.messages
    assert message["response"] == "utter_confirm_problem_replacement"
    assert "Scented soy candle, fig & cedar" in message["items"]
    assert fake_shop.calls.count("stock CLO-TEE-WHT,ELE-BULB-2PK,HOM-CNDL-FIG") == 1  # once
    tee = report("10011", "missing_item", "14")
    dispatcher = CollectingDispatcher()
    await ActionAskProblemConfirmed().run(dispatcher, tracker(tee), {})
    assert [m["response"] for m in dispatcher.messages] == ["utter_confirm_problem_refund"]
    fake_shop.data.stock["HOM-CNDL-FIG"] = 1  # one left: two cannot be sent
    dispatcher = CollectingDispatcher()
    await ActionAskProblemConfirmed().run(dispatcher, tracker(candles), {})
    assert [m["response"] for m in dispatcher.messages] == ["utter_confirm_problem_refund"]

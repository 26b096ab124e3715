"""Returns and refunds over the real web chat: socket.io client → Rasa server → action server
→ store, and the printable label page on the Rasa server.

The session's shop is seeded today (docs/shop.md, "Try a return"): each test uses its own demo
order, or other items of a shared one, so the tests do not depend on their order.
"""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import aiohttp
import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from actions.services.returns_labels import label_token
from actions.store import tables as t
from actions.store.db import create_engine_for
from tests.support.servers import Baton
from tests.support.shop_backends import baton_on_every_shop_backend  # noqa: F401
from tests.support.webchat_client import ASK_PROOF, Turn, WebChatCustomer

pytestmark = pytest.mark.e2e

NewCustomer = Callable[..., Awaitable[WebChatCustomer]]
RMA = re.compile(r"RMA-\d{5}")
LABEL_LINK = re.compile(r"https?://\S+/returns/labels/RMA-\d{5}\?t=[0-9a-f]{32}")


def choice(kind: str, value: str) -> str:
    return "/inform" + json.dumps({"return_choice": f"{kind}:{value}"}, separators=(",", ":"))


def button(turn: Turn, starts_with: str) -> str:
    """The payload of the button whose title starts with ``starts_with``."""
    for b in turn.buttons:
        if str(b["title"]).startswith(starts_with):
            return str(b["payload"])
    raise AssertionError(f"no button {starts_with!r} in {[b['title'] for b in turn.buttons]}")


def conversation_of(customer: WebChatCustomer) -> str:
    assert customer.session_id
    return customer.session_id.split(".")[0]


@pytest.fixture
async def store(baton: Baton) -> AsyncIterator[AsyncEngine]:
    engine = create_engine_for(baton.store_url)
    yield engine
    await engine.dispose()


async def returns_of(store: AsyncEngine, order: str) -> list[Any]:
    async with store.connect() as conn:
        return list(
            (
                await conn.execute(
                    select(t.returns)
                    .join(t.orders, t.orders.c.id == t.returns.c.order_id)
                    .where(t.orders.c.number == order)
                    .order_by(t.returns.c.id)
                )
            ).all()
        )


async def fetch(url: str) -> tuple[int, str, dict[str, str]]:
    async with aiohttp.ClientSession() as session, session.get(url) as response:
        return response.status, await response.text(), dict(response.headers)


async def start_return(customer: WebChatCustomer, order: str, proof: str) -> Turn:
    asked = await customer.say(f"I want to return order {order}")
    assert ASK_PROOF in asked.text, asked.text
    return await customer.say(proof)


# --- creating returns ------------------------------------------------------------------------


async def test_a_partial_return_of_a_multi_item_order_by_carrier_with_a_printable_label(
    new_customer: NewCustomer, store: AsyncEngine, baton: Baton
) -> None:
    jane = await new_customer(customer_id=1)
    before = len(await returns_of(store, "10011"))
    which = await jane.say("I want to return something")
    items = await jane.say(button(which, "10011"))
    assert "Which items from order 10011" in items.text
    reason = await jane.say(button(items, "1 × Scented soy candle"))
    assert "reason" in reason.text
    method = await jane.say("it doesn't fit")
    assert "Royal Mail" in method.text and "£3.95" in method.text
    refund = await jane.say(button(method, "Send with Royal Mail"))
    assert "£10.55" in refund.text
    summary = await jane.say("back to my card please")
    assert "Scented soy candle, fig & cedar (£14.50)" in summary.text
    assert "Doesn't fit" in summary.text and "£10.55 to your Visa ending 4242" in summary.text

    done = await jane.say("/affirm")

    rma = RMA.search(done.text)
    link = LABEL_LINK.search(done.text)
    assert rma and link, done.text
    made = (await returns_of(store, "10011"))[before:]
    assert [(r.rma, r.status, r.method, r.conversation_id) for r in made] == [
        (rma.group(), "label_created", "carrier", conversation_of(jane))
    ]
    async with store.connect() as conn:
        lines = (
            await conn.execute(
                select(t.return_items).where(t.return_items.c.return_id == made[0].id)
            )
        ).all()
        label = (
            await conn.execute(
                select(t.return_labels).where(t.return_labels.c.return_id == made[0].id)
            )
        ).one()
    assert [line.quantity for line in lines] == [1]  # one of the two candles
    status, page, headers = await fetch(link.group())
    assert status == 200 and "text/html" in headers["Content-Type"]
    assert label.tracking_number in page and "Jane Doe" in page and "14 Abbey Road" in page
    assert "Scented soy candle, fig &amp; cedar" in page and headers["Cache-Control"] == "no-store"

    # "where is my refund?" right after: the new return is offered and answered
    which_return = await jane.say("where is my refund?")
    answer = await jane.say(button(which_return, rma.group()))
    assert f"Return {rma.group()}" in answer.text and "label is ready" in answer.text


async def test_drop_off_offers_the_nearest_stores_for_a_postcode_on_the_last_day(
    new_customer: NewCustomer, store: AsyncEngine
) -> None:
    ewan = await new_customer()
    picked = await start_return(ewan, "10014", "EH1 1YZ")
    assert "one item you can return: Sunrise alarm clock" in picked.text
    assert "today is the last day to return the Sunrise alarm clock" in picked.text
    method = await ewan.say(choice("reason", "changed_mind"))
    stores = await ewan.say("I'll drop it off at a store")
    assert "Our stores nearest EH1 1YZ" in stores.text
    assert [b["title"] for b in stores.buttons][:2] == [
        "Lumen & Loom Edinburgh",
        "Lumen & Loom Glasgow",
    ]
    assert "88 George Street" in stores.text and "Hours: Mon–Wed 09:30–18:00" in stores.text
    assert method.buttons  # drop-off and carrier were both offered

    elsewhere = await ewan.say("M1 1AE")
    assert "Our stores nearest M1 1AE" in elsewhere.text
    assert elsewhere.buttons[0]["title"] == "Lumen & Loom Manchester"
    refund = await ewan.say(button(elsewhere, "Lumen & Loom Manchester"))
    summary = await ewan.say(button(refund, "Store credit"))
    assert "Drop-off at Lumen & Loom Manchester" in summary.text and "(free)" in summary.text
    done = await ewan.say("yes please")
    assert "Take Sunrise alarm clock to Lumen & Loom Manchester, 45 King Street" in done.text
    assert LABEL_LINK.search(done.text) is None

    [made] = await returns_of(store, "10014")
    assert (made.status, made.method, made.refund_method, made.return_fee) == (
        "requested",
        "drop_off",
        "store_credit",
        0,
    )


async def test_the_same_confirmation_delivered_twice_creates_one_return(
    new_customer: NewCustomer, store: AsyncEngine
) -> None:
    customer = await new_customer()
    items = await start_return(customer, "10056", "eilidh.thompson@example.co.uk")
    await customer.say(button(items, "2 × Linen cushion cover"))
    await customer.say(choice("reason", "changed_mind"))
    await customer.say(choice("method", "carrier"))
    summary = await customer.say(choice("refund", "original_payment"))
    assert "Shall I create it?" in summary.text

    # A double click: both messages are sent before any answer comes back.
    payload = {"message": "/affirm", "session_id": customer.session_id}
    await customer._sio.emit("user_uttered", payload)
    await customer._sio.emit("user_uttered", payload)
    texts: list[str] = []
    ends = 0
    while ends < 2:
        kind, data = await asyncio.wait_for(customer._inbox.get(), 30)
        if kind == "end":
            ends += 1
        elif data.get("text"):
            texts.append(data["text"])

    rmas = {m for text in texts for m in RMA.findall(text)}
    assert len(rmas) == 1, texts
    assert len(await returns_of(store, "10056")) == 1


# --- refusals ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "order, proof, expected",
    [
        ("10013", "priya.shah@example.com", ["return window ended 10 days ago"]),
        (
            "10015",
            "EH1 1YZ",
            [
                "Cable knit scarf (clearance): it was sold as final sale",
                "for hygiene reasons we can't take back underwear",
            ],
        ),
        ("10001", "jane.doe@example.com", ["hasn't been delivered yet"]),
        ("10002", "SW1A 1AA", ["it's already being returned (RMA-20001)"]),
    ],
)
async def test_each_refusal_says_why(
    new_customer: NewCustomer, store: AsyncEngine, order: str, proof: str, expected: list[str]
) -> None:
    before = len(await returns_of(store, order))
    customer = await new_customer()
    turn = await start_return(customer, order, proof)
    for phrase in expected:
        assert phrase in turn.text
    assert len(await returns_of(store, order)) == before


async def test_an_order_not_delivered_yet_offers_its_status_instead(
    new_customer: NewCustomer,
) -> None:
    customer = await new_customer()
    refused = await start_return(customer, "10001", "jane.doe@example.com")
    status = await customer.say(button(refused, "Where is order 10001?"))
    assert "Order 10001 is on its way with DPD" in status.text


async def test_another_customers_order_is_never_returnable(
    new_customer: NewCustomer, store: AsyncEngine
) -> None:
    jane = await new_customer(customer_id=1)
    asked = await jane.say("I want to return order 10013")  # Priya's
    assert ASK_PROOF in asked.text and "Linen shirt" not in asked.text
    refused = await jane.say("jane.doe@example.com")
    assert "doesn't match" in refused.text and "Linen shirt" not in refused.text
    stopped = await jane.say("cancel")
    assert "cancelled that return" in stopped.text
    assert await returns_of(store, "10013") == []


async def test_cancel_in_the_middle_creates_nothing(
    new_customer: NewCustomer, store: AsyncEngine
) -> None:
    before = len(await returns_of(store, "10071"))
    customer = await new_customer()
    picked = await start_return(customer, "10071", "william.thompson@example.com")
    # one of the two chinos is already being returned (RMA-20002): the other is picked
    assert "one item you can return: Relaxed chinos, stone" in picked.text
    stopped = await customer.say("cancel")
    assert "I've cancelled that return: nothing has been created" in stopped.text
    assert len(await returns_of(store, "10071")) == before
    after = await customer.say("thanks")
    assert "You're welcome" in after.text


# --- the conversation: topic change and resume --------------------------------------------------


async def test_a_topic_change_in_the_middle_and_back_to_the_return(
    new_customer: NewCustomer,
) -> None:
    liam = await new_customer(customer_id=2)
    which = await liam.say("I want to return something")
    items = await liam.say(button(which, "10010"))
    assert "Stoneware table lamp: it hasn't been delivered yet" in items.text  # split order
    aside = await liam.say("are you a bot?")
    assert "virtual assistant" in aside.text and "Which items from order 10010" in aside.text
    other = await liam.say("where is order 10003?")
    assert "kept your return for order 10010" in other.text
    assert "running late" in other.text  # the order status answer for 10003
    back = await liam.say("continue my return")
    assert "Which items from order 10010" in back.text
    reason = await liam.say("the duvet")
    assert "reason" in reason.text
    stopped = await liam.say("no")
    assert "cancelled that return" in stopped.text


# --- cases for a person ------------------------------------------------------------------------


async def handoff_requests(store: AsyncEngine, conversation: str) -> list[Any]:
    async with store.connect() as conn:
        return list(
            (
                await conn.execute(
                    select(t.handoff_requests).where(
                        t.handoff_requests.c.conversation_id == conversation
                    )
                )
            ).all()
        )


async def test_damaged_on_arrival_is_offered_a_person_with_everything_recorded(
    new_customer: NewCustomer, store: AsyncEngine
) -> None:
    jane = await new_customer(customer_id=1)
    items = await jane.say("return order 10011")
    await jane.say(button(items, "Smart LED bulb"))
    offer = await jane.say("they arrived broken")
    assert "I'm sorry it arrived damaged" in offer.text
    assert [b["payload"] for b in offer.buttons] == ["/human_handoff", "/deny"]
    [request] = await handoff_requests(store, conversation_of(jane))
    assert (request.topic, request.reason, request.order_number, request.customer_id) == (
        "return",
        "damaged_on_arrival",
        "10011",
        1,
    )
    assert "they arrived broken" in request.details["customer_messages"]
    assert [i["name"] for i in request.details["items"]] == ["Smart LED bulb, 2-pack"]


async def test_a_few_days_past_the_window_is_offered_a_person(
    new_customer: NewCustomer, store: AsyncEngine
) -> None:
    customer = await new_customer()
    offer = await start_return(customer, "10050", "freya.lewis@example.com")
    assert "return window ended 4 days ago" in offer.text
    assert "only 4 days past its return window" in offer.text
    assert "Would you like me to pass you to a person now?" in offer.text
    [request] = await handoff_requests(store, conversation_of(customer))
    assert request.reason == "late_return" and request.details["days_past_window"] == 4


# --- refund status --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "rma, proof, expected",
    [
        (
            "RMA-20001",
            "jane.doe@example.com",
            "is on its way to us: Royal Mail scanned it yesterday",
        ),
        ("RMA-20002", "william.thompson@example.com", "please drop it off at Lumen & Loom Glasgow"),
        ("RMA-20003", "aisha.okafor@example.com", "label is ready, but the parcel hasn't been"),
        ("RMA-20004", "harry.morgan@example.com", "and are checking it now"),
        ("RMA-20005", "george.wilson@example.co.uk", "and approved it. Your refund of £18.05"),
        ("RMA-20006", "megan.clarke@example.com", "we refunded £49.00 to Google Pay"),
        ("RMA-20007", "william.smith@example.co.uk", "£38.00 was added to your account as store"),
        ("RMA-20008", "tomasz.hughes@example.com", "the lamp had been used"),
        ("RMA-20009", "sinead.byrne@example.ie", "we refunded €69.50 to Mastercard ending 5100"),
    ],
)
async def test_refund_status_in_each_state(
    new_customer: NewCustomer, rma: str, proof: str, expected: str
) -> None:
    customer = await new_customer()
    asked = await customer.say(f"where is my refund for {rma}?")
    assert ASK_PROOF in asked.text
    answer = await customer.say(proof)
    assert f"return {rma}".lower() in answer.text.lower() and expected in answer.text


async def test_refund_status_by_order_number(new_customer: NewCustomer) -> None:
    customer = await new_customer()
    asked = await customer.say("has my refund for order 10027 come through?")
    assert ASK_PROOF in asked.text
    answer = await customer.say("D02 VNRN")
    assert "we refunded €69.50" in answer.text


async def test_someone_elses_return_needs_their_proof(new_customer: NewCustomer) -> None:
    customer = await new_customer()
    await customer.say("status of RMA-20006")
    refused = await customer.say("jane.doe@example.com")
    assert "doesn't match" in refused.text and "refunded" not in refused.text


async def test_label_links_cannot_be_guessed(baton: Baton) -> None:
    secret = (baton.var_dir / "secrets" / "return_label_secret").read_text().strip()
    base = f"{baton.rasa_url}/returns/labels"
    good = label_token("RMA-20003", secret)
    assert (await fetch(f"{base}/RMA-20003?t={good}"))[0] == 200
    assert (await fetch(f"{base}/RMA-20003?t={'0' * 32}"))[0] == 404
    assert (await fetch(f"{base}/RMA-20003"))[0] == 404
    assert (await fetch(f"{base}/RMA-20004?t={good}"))[0] == 404  # another return's token
    drop_off = label_token("RMA-20002", secret)  # a drop-off has no label
    assert (await fetch(f"{base}/RMA-20002?t={drop_off}"))[0] == 404
    status, page, _ = await fetch(f"{base}/RMA-20099?t={label_token('RMA-20099', secret)}")
    assert status == 404 and "isn't valid" in page


async def test_the_policy_is_answered_about_the_customers_own_order(
    new_customer: NewCustomer,
) -> None:
    liam = await new_customer(customer_id=2)
    answer = await liam.say("what's your returns policy?")
    assert "within 30 days of delivery (14 days for electronics)" in answer.text
    assert "For your order 10010" in answer.text
    assert "Washed linen duvet cover, double: you can return it until" in answer.text
    assert "Stoneware table lamp: it hasn't been delivered yet" in answer.text

"""Order status over the real web chat: socket.io client → Rasa server → action server → store."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import pytest

from actions.store.models import Order
from tests.support.shop_backends import baton_on_every_shop_backend  # noqa: F401
from tests.support.webchat_client import ASK_PROOF, WebChatCustomer

pytestmark = pytest.mark.e2e

OrderLoader = Callable[[str], Awaitable[Order]]


async def ask_with_proof(customer: WebChatCustomer, number: str, proof: str) -> str:
    first = await customer.say(f"where is my order {number}?")
    assert ASK_PROOF in first.text
    return (await customer.say(proof)).text


@pytest.mark.parametrize(
    "number, proof, expected",
    [
        ("10001", "jane.doe@example.com", ["on its way with DPD", "Expected delivery"]),
        ("10002", "SW1A 1AA", ["was delivered", "Handed to resident", "14 Abbey Road, London"]),
        (
            "10003",
            "liam.murphy@example.ie",
            ["I'm sorry", "running late", "now expects to deliver it"],
        ),
        ("10004", "priya.shah@example.com", ["waiting for your payment", "dispatch it"]),
        ("10005", "M1 1AE", ["is paid and waiting to be packed", "dispatch it tomorrow"]),
        ("10006", "ewan.campbell@example.com", ["is packed", "leave our warehouse today"]),
        ("10007", "jane.doe@example.com", ["out for delivery with Evri", "should reach you today"]),
        ("10008", "D02 X285", ["treated as lost", "replacement or refund"]),
        (
            "10009",
            "priya.shah@example.com",
            ["was cancelled", "An item went out of stock", "We refunded"],
        ),
        ("10012", "EH1 1YZ", ["was cancelled", "You weren't charged"]),
    ],
)
async def test_each_order_state_gets_its_own_true_answer(
    customer: WebChatCustomer, load_order: OrderLoader, number: str, proof: str, expected: list[str]
) -> None:
    answer = await ask_with_proof(customer, number, proof)
    order = await load_order(number)
    for phrase in expected:
        assert phrase in answer
    for parcel in order.shipments:
        if parcel.status not in ("delivered", "lost"):
            assert parcel.tracking_url in answer
        if parcel.latest_event and parcel.status in ("in_transit", "delayed", "out_for_delivery"):
            assert parcel.latest_event.description in answer


async def test_split_shipment_answers_with_one_line_per_parcel(
    customer: WebChatCustomer, load_order: OrderLoader
) -> None:
    first = await customer.say("where's 10010??")
    assert ASK_PROOF in first.text
    turn = await customer.say("liam.murphy@example.ie")
    order = await load_order("10010")
    assert turn.texts[0] == "Order 10010 is coming in 2 parcels:"
    assert [t.split(" (")[0] for t in turn.texts[1:]] == ["Parcel 1", "Parcel 2"]
    assert order.shipments[0].carrier in turn.texts[1] and "delivered" in turn.texts[1]
    assert order.shipments[1].tracking_url in turn.texts[2]


async def test_the_order_number_can_come_later(customer: WebChatCustomer) -> None:
    asked = await customer.say("hi, where is my parcel?")
    assert "order number" in asked.text
    proof = await customer.say("it's 10001")
    assert ASK_PROOF in proof.text
    answer = await customer.say("jane.doe@example.com")
    assert "Order 10001 is on its way with DPD" in answer.text


async def test_a_wrong_proof_never_says_which_part_was_wrong_and_shows_nothing(
    customer: WebChatCustomer,
) -> None:
    await customer.say("where is 10002")
    turn = await customer.say("jane.doe@example.org")
    assert "doesn't match the details we have for order 10002" in turn.text
    assert (
        "delivered" not in turn.text
        and "e-mail is" not in turn.text
        and "postcode is" not in turn.text
    )


async def test_five_failed_proofs_lock_the_guesser_not_the_owner(
    new_customer: Callable[..., Awaitable[WebChatCustomer]],
) -> None:
    attacker = await new_customer()
    await attacker.say("where is order 10011")
    for i in range(4):
        turn = await attacker.say(f"guess{i}@example.com")
        assert "doesn't match" in turn.text
    locked = await attacker.say("guess4@example.com")
    assert "too many unsuccessful attempts" in locked.text
    again = await attacker.say("where is order 10011")
    assert "too many unsuccessful attempts" in again.text
    # the real owner, in another conversation, is not locked out by a stranger
    owner = await new_customer()
    turn = await owner.say("where is order 10011")
    assert "e-mail address or the delivery postcode" in turn.text
    proven = await owner.say("jane.doe@example.com")
    assert "delivered" in proven.text


async def test_an_identified_customer_picks_from_their_recent_orders_without_proof(
    new_customer: Callable[..., Awaitable[WebChatCustomer]],
) -> None:
    jane = await new_customer(customer_id=1)
    hello = await jane.say("hello")
    assert hello.text.startswith("Hi Jane!")
    turn = await jane.say("where is my order?")
    titles = [b["title"] for b in turn.buttons]
    assert titles and all(t[:5] in {"10001", "10002", "10007", "10011"} for t in titles)
    pick = next(b for b in turn.buttons if b["title"].startswith("10007"))
    answer = await jane.say(pick["payload"])
    assert "Order 10007 is out for delivery" in answer.text


async def test_someone_elses_order_is_never_shown_to_an_identified_customer(
    new_customer: Callable[..., Awaitable[WebChatCustomer]],
) -> None:
    jane = await new_customer(customer_id=1)
    turn = await jane.say("where is order 10003")  # Liam's
    assert ASK_PROOF in turn.text
    refused = await jane.say("jane.doe@example.com")
    assert "running late" not in refused.text and "doesn't match" in refused.text


async def test_a_forged_customer_token_is_treated_as_anonymous(baton, new_customer) -> None:  # type: ignore[no-untyped-def]
    stranger = await new_customer()
    stranger.customer_token = "1.9999999999.deadbeef"
    turn = await stranger.say("where is order 10001")
    assert ASK_PROOF in turn.text


async def test_an_unknown_order_number_gets_a_polite_answer(customer: WebChatCustomer) -> None:
    turn = await customer.say("where is order 99999?")
    assert "couldn't find an order with the number 99999" in turn.text


async def test_a_question_in_the_middle_is_answered_and_the_order_question_resumes(
    customer: WebChatCustomer,
) -> None:
    await customer.say("where is my order")
    aside = await customer.say("are you a bot?")
    assert "virtual assistant" in aside.text and "order number" in aside.text
    await customer.say("10005")
    answer = await customer.say("M1 1AE")
    assert "is paid and waiting to be packed" in answer.text


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "a" * 5000,
        "😀🙃📦",
        "'; DROP TABLE orders;--",
        "<script>alert('x')</script>",
        "10234'; --",
        "<b>10001</b>",
    ],
)
async def test_odd_input_gets_a_sensible_reply_and_never_a_server_error(
    customer: WebChatCustomer, text: str
) -> None:
    turn = await customer.say(text)
    assert turn.texts, "the bot must always answer"
    assert not any("went wrong" in t for t in turn.texts)


async def test_odd_input_as_an_order_number_is_refused_politely(customer: WebChatCustomer) -> None:
    await customer.say("where is my order")
    for text in ["'; DROP TABLE orders;--", "<script>alert('x')</script>", "🙃🙃"]:
        turn = await customer.say(text)
        assert "doesn't look like an order number" in turn.text or "order number" in turn.text
    ok = await customer.say("10001")
    assert ASK_PROOF in ok.text


async def test_a_policy_question_inside_the_order_question_is_answered_from_the_policy_file(
    customer: WebChatCustomer,
) -> None:
    await customer.say("where is my order")
    aside = await customer.say("what's your returns policy?")
    assert "within 30 days of delivery (14 days for electronics)" in aside.text
    assert "order number" in aside.texts[-1]

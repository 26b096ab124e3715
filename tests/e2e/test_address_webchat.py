"""Changing an order's delivery address over the real web chat: the proof, the new address
checked and read back, the change in the shop's store, "no" at the last step, a retried
confirmation, an order already on its way (the carrier's redirect page, or a person with the
ticket saying why), and the flow in Korean and Chinese.

Orders from the generated part of the demo shop that no other test uses: a change stays for
the rest of the session. The happy path on all three shop backends is in
test_address_platforms.py.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable

import pytest
from sqlalchemy import func, select

from actions.store import tables as t
from actions.store.db import create_engine_for
from actions.store.models import Address, Order
from tests.support.handoff_agent import AgentClient
from tests.support.servers import AGENT_PASSWORD, AGENT_USERNAME, Baton
from tests.support.webchat_client import ASK_PROOF, WebChatCustomer, proven

pytestmark = pytest.mark.e2e

NewCustomer = Callable[..., Awaitable[WebChatCustomer]]
OrderLoader = Callable[[str], Awaitable[Order]]
ASK_ADDRESS = "Please type the new address in one message"


async def changes_recorded(baton: Baton, number: str) -> int:
    engine = create_engine_for(baton.store_url)
    try:
        async with engine.connect() as conn:
            a = t.address_changes
            query = select(func.count()).select_from(a).where(a.c.order_number == number)
            return int((await conn.execute(query)).scalar_one())
    finally:
        await engine.dispose()


@pytest.fixture
async def agent(baton: Baton) -> AsyncIterator[AgentClient]:
    client = await AgentClient(baton.handoff_url, AGENT_USERNAME, AGENT_PASSWORD).login()
    yield client
    await client.logout()


def conversation_of(customer: WebChatCustomer) -> str:
    assert customer.session_id
    return customer.session_id.split(".")[0]


async def test_an_invalid_postcode_is_explained_then_a_valid_address_is_changed(
    new_customer: NewCustomer, load_order: OrderLoader, baton: Baton
) -> None:
    customer = await new_customer()
    asked = await proven(
        customer,
        "I need to change the delivery address of order 10105",
        "charlie.ahmed@example.co.uk",
    )
    assert ASK_ADDRESS in asked.text, asked.text
    wrong = await customer.say("4 Canal Road, Cardiff, ZZ9 9ZZ", timeout=60)
    assert "That postcode doesn't look right" in wrong.text, wrong.text
    assert (await load_order("10105")).shipping_address.postal_code != "CF10 1AA"
    confirm = await customer.say("4 Canal Road\nCardiff\ncf101aa", timeout=60)
    assert "4 Canal Road, Cardiff, CF10 1AA" in confirm.text, confirm.text
    assert [b["payload"] for b in confirm.buttons] == ["/affirm", "/deny"]
    done = await customer.say("/affirm", timeout=60)
    assert "Done: order 10105 will now go to 4 Canal Road, Cardiff, CF10 1AA" in done.text
    changed = await load_order("10105")
    assert changed.shipping_address == Address("4 Canal Road", None, "Cardiff", "CF10 1AA", "GB")
    # The order question now says so.
    status = await customer.say("where is my order 10105?", timeout=60)
    assert "Its delivery address was changed today" in status.text, status.text
    assert "4 Canal Road, Cardiff, CF10 1AA" in status.text


async def test_saying_no_at_the_confirmation_changes_nothing(
    new_customer: NewCustomer, load_order: OrderLoader, baton: Baton
) -> None:
    customer = await new_customer()
    before = (await load_order("10102")).shipping_address
    asked = await proven(
        customer, "can you update the address on order 10102", "william.thompson@example.com"
    )
    assert ASK_ADDRESS in asked.text, asked.text
    confirm = await customer.say("9 Byres Road, Glasgow, G11 5RD", timeout=60)
    assert "Shall I send the order there?" in confirm.text, confirm.text
    kept = await customer.say("/deny", timeout=60)
    assert "I haven't changed anything" in kept.text, kept.text
    assert (await load_order("10102")).shipping_address == before
    assert await changes_recorded(baton, "10102") == 0


async def test_the_same_confirmation_sent_twice_changes_the_address_once(
    new_customer: NewCustomer, load_order: OrderLoader, baton: Baton
) -> None:
    customer = await new_customer()
    await proven(
        customer, "change the delivery address on order 10116", "william.smith@example.co.uk"
    )
    await customer.say("21 Great Western Road, Glasgow, G4 9AW", timeout=60)
    done = await customer.say("/affirm", timeout=60)
    assert "Done: order 10116 will now go to" in done.text, done.text
    again = await customer.say("/affirm", timeout=60)
    assert "Done: order 10116" not in again.text, again.text
    assert (await load_order("10116")).shipping_address.postal_code == "G4 9AW"
    assert await changes_recorded(baton, "10116") == 1


async def test_on_its_way_with_royal_mail_the_customer_gets_the_redirect_page(
    new_customer: NewCustomer, load_order: OrderLoader
) -> None:
    order = await load_order("10078")
    [parcel] = order.shipments
    assert parcel.carrier == "Royal Mail"
    customer = await new_customer()
    told = await proven(
        customer, "change the address for order 10078", "chloe.robertson@example.com"
    )
    assert "has already left our warehouse with Royal Mail" in told.text, told.text
    assert f"royalmail.com/track-your-item#/tracking-results/{parcel.tracking_number}" in told.text
    assert "/human_handoff" in [b["payload"] for b in told.buttons]
    assert (await load_order("10078")).shipping_address == order.shipping_address


async def test_on_its_way_with_a_carrier_without_a_page_a_person_takes_it_with_the_reason(
    new_customer: NewCustomer, load_order: OrderLoader, agent: AgentClient
) -> None:
    assert [s.carrier for s in (await load_order("10074")).shipments] == ["Evri"]
    customer = await new_customer()
    told = await proven(
        customer, "please change the delivery address on order 10074", "freya.lewis@example.com"
    )
    assert "doesn't offer a redirect online" in told.text, told.text
    assert [b["payload"] for b in told.buttons] == ["/human_handoff", "/deny"]
    await customer.say("/human_handoff", timeout=60)
    ticket = await agent.ticket_for(conversation_of(customer))
    assert ticket["reason"] == "address_change_after_dispatch"
    assert ticket["context"]["reason"]["text"] == (
        "A new delivery address for an order already on its way"
    )


async def test_someone_elses_order_needs_their_proof_before_the_address_is_asked(
    new_customer: NewCustomer, load_order: OrderLoader, baton: Baton
) -> None:
    customer = await new_customer()
    asked = await customer.say("change the delivery address on order 10108", timeout=60)
    assert ASK_PROOF in asked.text, asked.text
    wrong = await customer.say("not-aisha@example.com", timeout=60)
    assert ASK_ADDRESS not in wrong.text and "NE2" not in wrong.text, wrong.text
    assert await changes_recorded(baton, "10108") == 0


async def test_a_korean_customer_changes_the_address_in_korean(
    new_customer: NewCustomer, load_order: OrderLoader
) -> None:
    customer = await new_customer()
    asked = await customer.say("주문 10113 배송지 변경해 주세요", timeout=60)
    assert "이메일" in asked.text or "우편번호" in asked.text, asked.text
    address = await customer.say("rhys.smith@example.co.uk", timeout=60)
    assert "새 주소를 한 메시지로 보내 주세요" in address.text, address.text
    confirm = await customer.say("30 Rye Lane, London, SE15 5BY", timeout=60)
    assert "이 주소로 보내 드릴까요?" in confirm.text, confirm.text  # still Korean
    done = await customer.say("/affirm", timeout=60)
    assert "완료했어요" in done.text, done.text
    assert (await load_order("10113")).shipping_address.postal_code == "SE15 5BY"


async def test_a_chinese_customer_changes_an_irish_address_to_another_eircode(
    new_customer: NewCustomer, load_order: OrderLoader
) -> None:
    customer = await new_customer()
    asked = await customer.say("我想修改订单10114的收货地址", timeout=60)
    assert "邮箱" in asked.text or "邮编" in asked.text, asked.text
    address = await customer.say("ciaran.kelly@example.com", timeout=60)
    assert "请在一条消息里输入新地址" in address.text, address.text
    confirm = await customer.say("5 Shop Street, Galway, a65f4e2", timeout=60)
    assert (
        "5 Shop Street, Galway, A65 F4E2" in confirm.text and "要把订单寄到这里吗" in confirm.text
    )
    done = await customer.say("/affirm", timeout=60)
    assert "好了" in done.text, done.text
    changed = await load_order("10114")
    assert (changed.shipping_address.postal_code, changed.shipping_address.country) == (
        "A65 F4E2",
        "IE",
    )

"""What the returns flow says: refusals that say why, the questions, the summary."""

from datetime import date, datetime
from decimal import Decimal

from actions.services.returns import PersonNeeded, assess_order, quote
from actions.services.returns_replies import (
    ask_items,
    ask_method,
    ask_reason,
    ask_refund_method,
    created,
    order_refusal,
    partial_refusals,
    person_offer,
    policy_for_order,
    policy_general,
    summary,
)
from actions.store.returns_models import Return, ReturnLabel, ReturnLine
from tests.actions.fixtures import order, parcel
from tests.actions.returns_fixtures import (
    BRIEFS,
    BULBS,
    CANDLE,
    LONDON,
    SCARF,
    TEE,
    all_delivered,
    delivered_order,
    policy,
)

POLICY = policy()
NOW = datetime(2026, 11, 22, 10, 0)
TODAY = date(2026, 11, 22)


def test_a_closed_window_says_how_long_ago_and_the_last_day() -> None:
    o = delivered_order(TEE, delivered_at=datetime(2026, 10, 13, 12, 0))
    a = assess_order(o, all_delivered(o), {}, POLICY, NOW, LONDON)
    header, line = order_refusal(a, POLICY, TODAY)
    assert header.response == "utter_return_all_refused"
    assert line.response == "utter_return_refused_window"
    assert line.params["ago"] == "10 days ago"
    assert line.params["last_day"] == "Thursday 12 November"
    assert line.params["window_days"] == "30"


def test_final_sale_and_hygiene_refusals_name_the_item_and_the_rule() -> None:
    o = delivered_order(SCARF, BRIEFS, delivered_at=datetime(2026, 11, 2, 12, 0))
    a = assess_order(o, all_delivered(o), {}, POLICY, NOW, LONDON)
    _, scarf, briefs = order_refusal(a, POLICY, TODAY)
    assert scarf.response == "utter_return_refused_final_sale"
    assert scarf.params["product"] == "Cable knit scarf (clearance)"
    assert briefs.response == "utter_return_refused_hygiene"
    assert briefs.params["category"] == "underwear"


def test_not_delivered_offers_the_order_status() -> None:
    o = order("shipped", (parcel(),), items=(TEE,))
    a = assess_order(o, {TEE.id: None}, {}, POLICY, NOW, LONDON)
    [reply] = order_refusal(a, POLICY, TODAY)
    assert reply.response == "utter_return_order_not_delivered"
    assert reply.buttons[0].payload == '/order_status{"order_number":"10001"}'


def test_already_returned_names_the_return() -> None:
    o = delivered_order(TEE, CANDLE, delivered_at=datetime(2026, 11, 20, 12, 0))
    a = assess_order(o, all_delivered(o), {TEE.id: (1, "RMA-20011")}, POLICY, NOW, LONDON)
    header, line = partial_refusals(a, TODAY)
    assert header.response == "utter_return_some_refused"
    assert line.response == "utter_return_refused_already_returned"
    assert line.params["rma"] == "RMA-20011"


def test_an_item_a_claim_settled_cannot_be_returned_for_a_second_refund() -> None:
    o = delivered_order(TEE, CANDLE, delivered_at=datetime(2026, 11, 20, 12, 0))
    claimed = {TEE.id: (TEE.quantity, "CLM-30001")}
    a = assess_order(o, all_delivered(o), {}, POLICY, NOW, LONDON, claimed)
    assert [c.item.id for c in a.returnable] == [CANDLE.id]
    header, line = partial_refusals(a, TODAY)
    assert header.response == "utter_return_some_refused"
    assert line.response == "utter_return_refused_already_claimed"
    assert line.params["rma"] == "CLM-30001"


def test_items_are_offered_as_buttons_with_quantities_and_all() -> None:
    o = delivered_order(CANDLE, TEE, BULBS, delivered_at=datetime(2026, 11, 8, 15, 0))
    a = assess_order(o, all_delivered(o), {}, POLICY, NOW, LONDON)
    ask, last_day = ask_items(a, TODAY)
    titles = [b.title for b in ask.buttons]
    assert titles == [
        "1 × Scented soy candle, fig & cedar",
        "2 × Scented soy candle, fig & cedar",
        "Organic cotton T-shirt, white",
        "Smart LED bulb, 2-pack",
        "All of these",
    ]
    assert ask.buttons[1].payload == '/inform{"return_choice":"items:11x2"}'
    # Delivered 14 days ago: today is the bulbs' last day (electronics, 14 days).
    assert last_day.response == "utter_return_last_day"
    assert last_day.params["product"] == "Smart LED bulb, 2-pack"


def test_reasons_method_and_refund_questions_carry_the_facts() -> None:
    assert ask_reason(POLICY).buttons[0].payload == ('/inform{"return_choice":"reason:damaged"}')
    o = delivered_order(TEE, delivered_at=datetime(2026, 11, 20, 12, 0))
    by_post = ask_method(o, "doesnt_fit", POLICY, "Royal Mail")
    assert by_post.params["carrier_fee"] == "£3.95, taken from your refund"
    assert by_post.params["drop_off_fee"] == "free"
    assert ask_method(o, "wrong_item", POLICY, "Royal Mail").params["carrier_fee"] == "free"
    assert ask_method(o, "other", POLICY, None).response == (
        "utter_ask_return_method_drop_off_only"
    )
    refund = ask_refund_method(
        o, quote(o, {TEE.id: 1}, "other", "carrier", POLICY).refund_amount, POLICY
    )
    assert refund.params["amount"] == "£18.05"
    assert refund.params["store_credit_timing"] == "within 1 working day"
    assert refund.params["original_payment_timing"] == "within 5 working days"


def test_the_summary_says_everything_before_anything_is_created() -> None:
    o = delivered_order(CANDLE, TEE, delivered_at=datetime(2026, 11, 20, 12, 0))
    picked = {CANDLE.id: 1, TEE.id: 1}
    q = quote(o, picked, "doesnt_fit", "carrier", POLICY)
    reply = summary(
        o, picked, "doesnt_fit", "carrier", None, "Royal Mail", q, "store_credit", POLICY
    )
    assert reply.response == "utter_ask_return_confirmed_carrier"
    assert reply.params["items"] == (
        "Scented soy candle, fig & cedar (£14.50) and Organic cotton T-shirt, white (£22.00)"
    )
    assert reply.params["amount"] == "£32.55"
    assert reply.params["refund_destination"] == "store credit"
    assert [b.payload for b in reply.buttons] == ["/affirm", "/deny"]


def test_the_confirmation_of_a_carrier_return_has_the_label_link() -> None:
    ret = Return(
        id=10,
        rma="RMA-20010",
        order_number="10011",
        customer_id=1,
        status="label_created",
        reason="doesnt_fit",
        reason_note=None,
        method="carrier",
        store_name=None,
        store_address=None,
        refund_method="original_payment",
        currency="GBP",
        items_value=Decimal("14.50"),
        return_fee=Decimal("3.95"),
        refund_amount=Decimal("10.55"),
        created_at=NOW,
        return_by=date(2026, 12, 6),
        shipped_at=None,
        received_at=None,
        inspected_at=None,
        rejected_at=None,
        rejection_reason=None,
        payment_method="Visa ending 4242",
        lines=(ReturnLine(11, "Scented soy candle, fig & cedar", 1, Decimal("14.50")),),
        label=ReturnLabel(
            "Royal Mail",
            "RT123456785GB",
            "https://rm.example/RT123456785GB",
            NOW,
            date(2026, 12, 6),
        ),
    )
    reply = created(ret, "https://baton.example/returns/labels/RMA-20010?t=abc", POLICY, TODAY)
    assert reply.response == "utter_return_created_carrier"
    assert reply.params["rma"] == "RMA-20010"
    assert reply.params["label_url"].endswith("?t=abc")
    assert reply.params["return_by"] == "Sunday 6 December"
    assert reply.params["refund_destination"] == "your Visa ending 4242"


def test_cases_for_a_person_say_why_and_offer_one() -> None:
    why, offer = person_offer(
        PersonNeeded.LATE_RETURN, {"product": "Tee", "days": "3", "order_number": "10050"}
    )
    assert why.response == "utter_return_person_late_return"
    assert offer.response == "utter_return_offer_person"
    assert [b.payload for b in offer.buttons] == ["/human_handoff", "/deny"]


def test_the_policy_is_answered_from_the_file_and_about_the_customers_order() -> None:
    general = policy_general(POLICY)
    assert general.params["window_days"] == "30"
    assert general.params["exceptions"] == " (14 days for electronics)"
    assert general.params["non_returnable"] == "items marked final sale, gift cards and underwear"
    assert general.params["free_clause"] == (
        ", unless it arrived damaged or faulty or we sent the wrong item"
    )
    o = delivered_order(TEE, BRIEFS, delivered_at=datetime(2026, 11, 20, 12, 0))
    a = assess_order(o, all_delivered(o), {}, POLICY, NOW, LONDON)
    header, tee, briefs = policy_for_order(a, POLICY, TODAY)
    assert header.params["order_number"] == "10001"
    assert tee.response == "utter_return_policy_item_ok"
    assert tee.params["last_day"] == "Sunday 20 December"
    assert briefs.response == "utter_return_refused_hygiene"

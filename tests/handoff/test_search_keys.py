"""What a case is found by: its order numbers, e-mails and phones normalised once at intake,
and an agent's query normalised the same way."""

from __future__ import annotations

import pytest

from contracts.packet import ContextPacket
from handoff.search_keys import QueryInvalid, patterns, phone_key, search_keys


def keys(**data: object) -> str:
    return search_keys(ContextPacket.from_stored({"conversation": {"id": "c"}, **data}))


def test_every_order_number_the_packet_names_is_a_key_once() -> None:
    found = keys(
        orders=[{"number": "#10023"}, {"number": "10024"}],
        returns=[{"order_number": "10023"}],
        refunds=[{"order_number": " #10025 "}],
        claims=[{"number": "CLM-30001", "order_number": "10027"}],
        policy_cases=[{"order_number": "10026"}],
        bot_knows={"order_number": "A-77"},
    )

    assert found == "|o:10023|o:10024|o:10025|o:10027|o:10026|o:a-77|"


def test_a_whatsapp_number_and_the_profile_phone_are_one_key() -> None:
    found = keys(
        conversation={
            "id": "c",
            "channel": "whatsapp",
            "channel_user_id": "whatsapp:+447700900123",
        },
        customer={
            "phone": "07700 900123",
            "email": "Jane@Example.COM",
            "identities": [{"channel": "whatsapp", "id": "+44 7700 900123"}],
        },
    )

    assert found == "|e:jane@example.com|p:7700900123:p|p:447700900123:p|"


def test_an_anonymous_visitor_has_no_keys() -> None:
    assert keys() == ""


def test_a_customer_cannot_forge_a_key_with_a_separator() -> None:
    found = keys(customer={"email": "a@b.c|o:99999"}, orders=[{"number": "1|e:x@y"}])

    assert "|o:99999" not in found and "|e:x@y" not in found


def test_phones_compare_by_digits_without_leading_zeros() -> None:
    assert phone_key("+44 (0)7700-900123") == "4407700900123"
    assert phone_key("0044 7700 900123") == "447700900123"
    assert phone_key("12345") == ""  # too short to be a phone


def test_a_query_is_normalised_for_each_key() -> None:
    p = patterns("  #10023 ")

    assert (p.order, p.email, p.text, p.phone) == ("10023", "#10023", "#10023", None)
    assert patterns("+44 7700 900123").phone == "700900123"
    assert patterns("07700 900123").phone == "700900123"
    assert patterns("Jane Doe").order is None
    assert patterns("Jane Doe").email is None


@pytest.mark.parametrize("query", ["", " ", "x", "y" * 101, "a\x00b", "a|b", None, 5])
def test_a_query_that_cannot_run_is_refused(query: object) -> None:
    with pytest.raises(QueryInvalid):
        patterns(query)

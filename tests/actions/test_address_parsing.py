"""A new delivery address as typed in the chat: UK postcodes and Irish Eircodes checked and
spelled one way, the lines told apart, and a plain reason when it cannot be used."""

from __future__ import annotations

import pytest

from actions.services.address_parsing import (
    AddressProblem,
    normalise_postcode,
    one_line,
    parse_address,
)
from actions.store.models import Address


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("LS1 4AB", ("LS1 4AB", "GB")),
        ("ls14ab", ("LS1 4AB", "GB")),
        ("  sw1a   1aa ", ("SW1A 1AA", "GB")),
        ("EC1A 1BB", ("EC1A 1BB", "GB")),  # A9A 9AA
        ("W1A 0AX", ("W1A 0AX", "GB")),  # A9A 9AA
        ("M1 1AE", ("M1 1AE", "GB")),  # A9 9AA
        ("B33 8TH", ("B33 8TH", "GB")),  # A99 9AA
        ("CR2 6XH", ("CR2 6XH", "GB")),  # AA9 9AA
        ("DN55 1PT", ("DN55 1PT", "GB")),  # AA99 9AA
        ("gir 0aa", ("GIR 0AA", "GB")),  # Girobank
        ("BT7 1JU", ("BT7 1JU", "GB")),  # Northern Ireland is the UK
        ("D02 X285", ("D02 X285", "IE")),
        ("d02x285", ("D02 X285", "IE")),
        ("A65 F4E2", ("A65 F4E2", "IE")),
        ("T12 PYCD", ("T12 PYCD", "IE")),
        ("D6W 1234", ("D6W 1234", "IE")),  # Dublin 6W, the one routing key with a letter
    ],
)
def test_valid_postcodes_and_eircodes_are_spelled_the_one_way_the_shop_stores(
    typed: str, expected: tuple[str, str]
) -> None:
    assert normalise_postcode(typed) == expected


@pytest.mark.parametrize(
    "typed",
    [
        "",
        "LS1",  # an outward code alone
        "LS1 4",  # incomplete
        "QS1 1AA",  # Q never starts a postcode
        "LS1 4CI",  # C and I are never in the last two letters
        "V1A 1AA",  # V never starts one
        "12345",
        "D02 X28",  # an Eircode is seven characters
        "B02 X285",  # B is not an Eircode routing letter
        "D02 X2B5",  # nor is B in the identifier
        "LS1 4AB X",
        "<script>",
    ],
)
def test_invalid_postcodes_are_refused(typed: str) -> None:
    assert normalise_postcode(typed) is None


def test_an_address_on_comma_separated_parts_is_split_into_its_lines() -> None:
    assert parse_address("12 High Street, Flat 2, Leeds, ls1 4ab") == Address(
        "12 High Street", "Flat 2", "Leeds", "LS1 4AB", "GB"
    )


def test_an_address_on_several_lines_with_the_postcode_after_the_town() -> None:
    assert parse_address("3 Quay Street\nGalway A65 F4E2\nIreland") == Address(
        "3 Quay Street", None, "Galway", "A65 F4E2", "IE"
    )


def test_lines_between_the_first_and_the_town_are_kept_as_the_second_line() -> None:
    parsed = parse_address("Unit 4, Mill Yard, Canal Road, Dublin 2, D02 X285")
    assert parsed == Address("Unit 4", "Mill Yard, Canal Road", "Dublin 2", "D02 X285", "IE")


@pytest.mark.parametrize(
    ("typed", "reason"),
    [
        ("12 High Street, Leeds", "no_postcode"),
        ("12 High Street, Leeds, ZZ1 1ZZ", "bad_postcode"),
        ("12 High Street, Leeds, LS1 4CI", "bad_postcode"),
        ("12 High Street Leeds LS1 4AB", "missing_lines"),
        ("12 High Street, LS1 4AB", "missing_town"),
        ("LS1 4AB", "missing_town"),
        ("12 High Street, 42, LS1 4AB", "missing_town"),
        ("x" * 90 + ", Leeds, LS1 4AB", "too_long"),
        ("", "no_postcode"),
    ],
)
def test_an_address_that_cannot_be_used_says_why(typed: str, reason: str) -> None:
    assert parse_address(typed) == AddressProblem(reason)


def test_control_characters_in_what_the_customer_typed_do_not_reach_the_address() -> None:
    parsed = parse_address("12 High\x00 Street\x1b, Leeds, LS1 4AB")
    assert isinstance(parsed, Address)
    assert parsed.line1 == "12 High Street"


def test_the_address_is_read_back_on_one_line() -> None:
    new = Address("12 High Street", "Flat 2", "Leeds", "LS1 4AB", "GB")
    assert one_line(new) == "12 High Street, Flat 2, Leeds, LS1 4AB"

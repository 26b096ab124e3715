"""policy/address.yml and the decision it drives: before dispatch the shop changes the address;
after, a carrier with a redirect page gets its link, any other a person."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from actions.services import address
from actions.services.address import AddressPolicyError, Decision, Redirect, decide, parse_policy
from actions.store.models import Address
from tests.actions.fixtures import order, parcel

SHIPPED_FILE = Path(__file__).resolve().parents[2] / "policy" / "address.yml"


def policy(**changes: Any) -> address.AddressPolicy:
    raw: dict[str, Any] = {
        "version": 1,
        "changeable_states": ["placed", "paid", "packed"],
        "allow_other_countries": False,
        "max_attempts": 3,
        "carrier_redirects": {"Royal Mail": "https://rm.example/track/{tracking_number}"},
    }
    raw.update(changes)
    return parse_policy(raw)


def test_the_shipped_policy_file_loads() -> None:
    loaded = parse_policy(yaml.safe_load(SHIPPED_FILE.read_text()), "address.yml")
    assert loaded.changeable_states == ("placed", "paid", "packed")
    assert loaded.redirect_link("Royal Mail", "AB1") is not None
    assert loaded.redirect_link("Evri", "AB1") is None


@pytest.mark.parametrize(
    ("changes", "named"),
    [
        ({"carrier_redirect": {}}, "unknown key(s) carrier_redirect"),
        ({"changeable_states": ["shipped"]}, "changeable_states"),
        ({"changeable_states": []}, "changeable_states"),
        ({"allow_other_countries": "yes"}, "allow_other_countries"),
        ({"max_attempts": 0}, "max_attempts"),
        ({"max_attempts": True}, "max_attempts"),
        ({"carrier_redirects": {"DPD": "http://dpd.example/{tracking_number}"}}, "DPD"),
        ({"carrier_redirects": {"DPD": "https://dpd.example/{email}"}}, "DPD"),
        ({"carrier_redirects": ["DPD"]}, "carrier_redirects"),
    ],
)
def test_a_policy_baton_cannot_apply_is_refused_naming_the_entry(
    changes: dict[str, Any], named: str
) -> None:
    with pytest.raises(AddressPolicyError, match=named.replace("(", r"\(").replace(")", r"\)")):
        policy(**changes)


def test_a_policy_file_that_is_not_a_mapping_or_not_yaml_is_refused(tmp_path: Path) -> None:
    with pytest.raises(AddressPolicyError, match="expected a mapping"):
        parse_policy(["changeable_states"])
    broken = tmp_path / "address.yml"
    broken.write_text("changeable_states: [placed\n")
    with pytest.raises(AddressPolicyError, match=r"address\.yml"):
        address._load(str(broken))


def test_an_unknown_key_in_the_file_named_by_the_environment_stops_loading(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    wrong = tmp_path / "typo.yml"
    wrong.write_text("changeable_states: [paid]\nmax_attempt: 3\n")
    monkeypatch.setenv("ADDRESS_POLICY_FILE", str(wrong))
    with pytest.raises(AddressPolicyError, match="max_attempt"):
        address.load_policy()


@pytest.mark.parametrize("state", ["placed", "paid", "packed"])
def test_before_dispatch_the_shop_changes_the_address(state: str) -> None:
    assert decide(order(state), policy()) == Decision("change")


def test_a_state_the_policy_leaves_out_is_not_changed_in_the_chat() -> None:
    strict = policy(changeable_states=["placed", "paid"])
    assert decide(order("packed"), strict) == Decision("person")


def test_after_dispatch_a_carrier_with_a_redirect_page_gets_its_link() -> None:
    moving = parcel(carrier="Royal Mail", tracking_number="RM 12/3")
    found = decide(order("shipped", (moving,)), policy())
    assert found == Decision(
        "redirect", (Redirect("Royal Mail", "https://rm.example/track/RM%2012%2F3"),)
    )


def test_after_dispatch_a_carrier_without_one_means_a_person() -> None:
    assert decide(order("shipped", (parcel(carrier="Evri"),)), policy()) == Decision("person")


def test_one_parcel_with_a_carrier_without_a_page_means_a_person_for_the_order() -> None:
    both = (parcel(carrier="Royal Mail"), parcel(id=2, carrier="Evri"))
    assert decide(order("shipped", both), policy()).kind == "person"


def test_parcels_already_delivered_need_no_redirect() -> None:
    both = (parcel("delivered", carrier="Evri"), parcel(id=2, carrier="Royal Mail"))
    assert decide(order("shipped", both), policy()).kind == "redirect"


def test_cancelled_and_delivered_orders_have_nothing_to_send() -> None:
    assert decide(order("cancelled"), policy()).kind == "cancelled"
    assert decide(order("delivered", (parcel("delivered"),)), policy()).kind == "delivered"


def test_the_new_address_stays_in_the_orders_country_unless_the_policy_allows_others() -> None:
    dublin = Address("1 Main St", None, "Dublin 2", "D02 X285", "IE")
    london = Address("1 Main St", None, "London", "SW1A 1AA", "GB")
    assert address.check_country(order("paid"), dublin, policy()) == "other_country"
    assert address.check_country(order("paid"), london, policy()) is None
    assert address.check_country(order("paid"), dublin, policy(allow_other_countries=True)) is None


def test_the_same_change_in_the_same_conversation_has_one_key() -> None:
    new = Address("12 High Street", None, "Leeds", "LS1 4AB", "GB")
    spaced = Address("12  high street", None, "LEEDS", "LS1 4AB", "GB")
    key = address.idempotency_key("conv-1", "10104", new)
    assert key == address.idempotency_key("conv-1", "10104", spaced)
    assert key != address.idempotency_key("conv-2", "10104", new)
    assert key != address.idempotency_key("conv-1", "10105", new)
    other = Address("14 High Street", None, "Leeds", "LS1 4AB", "GB")
    assert key != address.idempotency_key("conv-1", "10104", other)
    assert len(key) <= 64


def test_every_reason_an_address_is_refused_has_words_for_the_customer() -> None:
    domain = yaml.safe_load((SHIPPED_FILE.parents[1] / "domain.yml").read_text())
    missing = [
        p for p in address.PROBLEMS if f"utter_address_problem_{p}" not in domain["responses"]
    ]
    assert missing == []

"""policy/returns.yml: the shipped file is valid, and mistakes are named, not guessed at."""

from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from actions.services.returns_policy import (
    DEFAULT_FILE,
    PolicyError,
    load_policy,
    main,
    parse_policy,
)
from tests.actions.returns_fixtures import policy_data


def test_the_shipped_policy_is_valid_and_says_what_the_docs_say() -> None:
    """docs/shop.md, "The return policy file", describes the shipped file."""
    policy = load_policy(DEFAULT_FILE)
    assert policy.window_days("clothing") == 30
    assert policy.window_days("electronics") == 14
    assert policy.final_sale_categories == {"gift_cards"}
    assert policy.hygiene_categories == {"underwear"}
    assert [r.code for r in policy.reasons] == [
        "damaged",
        "wrong_item",
        "doesnt_fit",
        "changed_mind",
        "other",
    ]
    assert policy.reason("damaged").needs_person and policy.reason("damaged").free_return_shipping
    assert policy.reason("wrong_item").free_return_shipping
    assert not policy.reason("changed_mind").free_return_shipping
    assert policy.carrier_fee == {"GBP": Decimal("3.95"), "EUR": Decimal("4.50")}
    assert policy.drop_off_free
    assert policy.carrier_for("GB").name == "Royal Mail"  # type: ignore[union-attr]
    assert policy.carrier_for("IE").name == "An Post"  # type: ignore[union-attr]
    assert policy.carrier_for("FR") is None
    assert [m.code for m in policy.refund_methods] == ["original_payment", "store_credit"]
    assert (
        policy.refund_method("store_credit").working_days
        < policy.refund_method("original_payment").working_days
    )
    assert policy.person_days_past_window == 7
    assert policy.person_order_value_over["GBP"] == Decimal("250.00")


def _broken(change: Any) -> str:
    data = policy_data()
    change(data)
    with pytest.raises(PolicyError) as error:
        parse_policy(data, "returns.yml")
    return str(error.value)


def test_an_unknown_key_is_named_with_the_keys_that_exist() -> None:
    message = _broken(lambda d: d["window"].update(defualt_days=3))
    assert "returns.yml: window" in message and "defualt_days" in message
    assert "default_days" in message


def test_negative_days_and_missing_currencies_are_refused() -> None:
    assert "window.by_category.electronics" in _broken(
        lambda d: d["window"]["by_category"].update(electronics=-1)
    )
    assert "return_shipping.carrier_fee" in _broken(
        lambda d: d["return_shipping"].update(carrier_fee={"GBP": 3})
    )
    assert "needs_person.order_value_over.GBP" in _broken(
        lambda d: d["needs_person"]["order_value_over"].update(GBP="lots")
    )


def test_every_reason_must_be_described_and_no_others() -> None:
    assert "missing key(s) ['other']" in _broken(lambda d: d["reasons"].pop("other"))
    assert "unknown key(s) ['lost']" in _broken(lambda d: d["reasons"].update(lost={}))


def test_carrier_links_must_be_https_and_carry_the_tracking_number() -> None:
    def set_url(url: str) -> Any:
        return lambda d: d["return_shipping"]["carriers"]["GB"].update(tracking_url=url)

    assert "{tracking_number}" in _broken(set_url("https://rm.example/track"))
    assert "https://" in _broken(set_url("http://rm.example/{tracking_number}"))


def test_another_version_is_refused() -> None:
    assert "version 1" in _broken(lambda d: d.update(version=2))


def test_a_broken_file_fails_the_check_command_with_the_reason(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "returns.yml"
    bad.write_text("version: 1\nwindow: [30]\n")
    assert main([str(bad)]) == 1
    assert "missing key(s)" in capsys.readouterr().err
    assert main([str(DEFAULT_FILE)]) == 0


def test_an_edited_file_is_read_again(tmp_path: Path) -> None:
    import yaml

    path = tmp_path / "returns.yml"
    data = policy_data()
    path.write_text(yaml.safe_dump(data))
    assert load_policy(path).default_window_days == 30
    data["window"]["default_days"] = 60
    path.write_text(yaml.safe_dump(data))
    import os

    stat = path.stat()
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000))
    assert load_policy(path).default_window_days == 60

"""policy/problems.yml: the shipped file loads, and anything Baton cannot apply is refused with
the entry named (an unknown key is more likely a typo than a wish)."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import yaml

from actions.services import problems_policy
from actions.services.problems_policy import ProblemsPolicyError, parse_policy

SHIPPED_FILE = Path(__file__).resolve().parents[2] / "policy" / "problems.yml"


def raw(**changes: Any) -> dict[str, Any]:
    found: dict[str, Any] = {
        "version": 1,
        "wait_hours_after_delivered": 48,
        "suggestions": ["neighbours", "safe_place"],
        "claim_window_days": 30,
        "person_order_value_over": {"GBP": 250.00, "EUR": 290.00},
        "keep_item_value_under": {"GBP": 40.00, "EUR": 45.00},
        "remedy": "replacement_or_refund",
    }
    found.update(changes)
    return found


def test_the_shipped_policy_file_loads() -> None:
    loaded = parse_policy(yaml.safe_load(SHIPPED_FILE.read_text()), "problems.yml")
    assert loaded.wait_hours_after_delivered == 48
    assert loaded.suggestions == ("neighbours", "safe_place")
    assert loaded.claim_window_days == 30
    assert loaded.person_order_value_over == {"GBP": Decimal("250.00"), "EUR": Decimal("290.00")}
    assert loaded.keep_item_value_under == {"GBP": Decimal("40.00"), "EUR": Decimal("45.00")}
    assert loaded.remedy == "replacement_or_refund"


def test_the_policy_is_read_from_the_file_the_environment_names(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    other = tmp_path / "problems.yml"
    other.write_text(yaml.safe_dump(raw(remedy="refund_only", suggestions=[])))
    monkeypatch.setenv("PROBLEMS_POLICY_FILE", str(other))
    loaded = problems_policy.load_policy()
    assert (loaded.remedy, loaded.suggestions) == ("refund_only", ())
    monkeypatch.delenv("PROBLEMS_POLICY_FILE")
    assert problems_policy.load_policy().remedy == "replacement_or_refund"


@pytest.mark.parametrize(
    ("changes", "named"),
    [
        ({"wait_hours": 48}, "unknown key(s) wait_hours"),
        ({"version": 2}, "version"),
        ({"wait_hours_after_delivered": -1}, "wait_hours_after_delivered"),
        ({"wait_hours_after_delivered": 169}, "wait_hours_after_delivered"),
        ({"wait_hours_after_delivered": True}, "wait_hours_after_delivered"),
        ({"wait_hours_after_delivered": "48"}, "wait_hours_after_delivered"),
        ({"claim_window_days": 0}, "claim_window_days"),
        ({"claim_window_days": 366}, "claim_window_days"),
        ({"claim_window_days": 2}, "claim_window_days: longer than wait_hours_after_delivered"),
        ({"suggestions": ["porch"]}, "suggestions"),
        ({"suggestions": ["neighbours", "neighbours"]}, "suggestions"),
        ({"suggestions": "neighbours"}, "suggestions"),
        ({"person_order_value_over": {"GBP": 250}}, "person_order_value_over"),
        ({"person_order_value_over": 250}, "person_order_value_over"),
        ({"person_order_value_over": {"GBP": -1, "EUR": 290}}, "person_order_value_over.GBP"),
        ({"keep_item_value_under": {"GBP": "forty", "EUR": 45}}, "keep_item_value_under.GBP"),
        ({"keep_item_value_under": {"GBP": 40, "EUR": True}}, "keep_item_value_under.EUR"),
        ({"keep_item_value_under": {"GBP": 40, "EUR": [45]}}, "keep_item_value_under.EUR"),
        ({"remedy": "replacement"}, "remedy"),
        ({"remedy": None}, "remedy"),
    ],
)
def test_a_policy_baton_cannot_apply_is_refused_naming_the_entry(
    changes: dict[str, Any], named: str
) -> None:
    with pytest.raises(ProblemsPolicyError, match=named.replace("(", r"\(").replace(")", r"\)")):
        parse_policy(raw(**changes))


def test_a_missing_entry_is_refused_naming_it() -> None:
    for key in ("wait_hours_after_delivered", "claim_window_days", "keep_item_value_under"):
        incomplete = raw()
        del incomplete[key]
        with pytest.raises(ProblemsPolicyError, match=key):
            parse_policy(incomplete)


def test_a_policy_file_that_is_not_a_mapping_or_not_yaml_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ProblemsPolicyError, match="expected a mapping"):
        parse_policy(["remedy"])
    broken = tmp_path / "problems.yml"
    broken.write_text("remedy: [refund_only\n")
    with pytest.raises(ProblemsPolicyError, match=r"problems\.yml"):
        problems_policy._load(str(broken))
    with pytest.raises(ProblemsPolicyError, match=r"missing\.yml"):
        problems_policy._load(str(tmp_path / "missing.yml"))


def test_an_unknown_key_in_the_file_named_by_the_environment_stops_loading(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    wrong = tmp_path / "typo.yml"
    wrong.write_text(yaml.safe_dump({**raw(), "claims_window_days": 30}))
    monkeypatch.setenv("PROBLEMS_POLICY_FILE", str(wrong))
    with pytest.raises(ProblemsPolicyError, match="claims_window_days"):
        problems_policy.load_policy()


def test_money_limits_are_per_currency_and_a_currency_left_out_is_treated_with_care() -> None:
    policy = parse_policy(raw())
    assert not policy.needs_person(Decimal("250.00"), "GBP")  # above, not at
    assert policy.needs_person(Decimal("250.01"), "GBP")
    assert not policy.needs_person(Decimal("280.00"), "eur")
    assert policy.needs_person(Decimal("10.00"), "USD")  # no limit said: a person
    assert policy.keep_item(Decimal("39.99"), "GBP")
    assert not policy.keep_item(Decimal("40.00"), "GBP")  # below, not at
    assert policy.keep_item(Decimal("44.99"), "EUR")
    assert not policy.keep_item(Decimal("1.00"), "USD")  # no value said: sent back

"""The shop's return policy, loaded from ``policy/returns.yml`` and checked as a whole.

The policy is data a shop edits (see the comments in the file). This module turns it into a
typed, frozen :class:`ReturnPolicy` and rejects anything it does not understand — an unknown
key is more likely a typo than a wish — with a message naming the entry, so a shop finds its
mistake before a customer does.

Run ``python -m actions.services.returns_policy [file]`` to check a file.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from pathlib import Path
from typing import Any, Optional

import yaml

ROOT = Path(__file__).resolve().parents[2]
DEFAULT_FILE = ROOT / "policy" / "returns.yml"

# The dialogue offers these; the policy decides what each means.
REASON_CODES = ("damaged", "wrong_item", "doesnt_fit", "changed_mind", "other")
REFUND_METHODS = ("original_payment", "store_credit")
CURRENCIES = ("GBP", "EUR")


class PolicyError(ValueError):
    """The policy file is missing, unreadable or says something Baton cannot apply."""


@dataclass(frozen=True)
class ReasonRule:
    code: str
    free_return_shipping: bool
    needs_person: bool


@dataclass(frozen=True)
class ReturnCarrier:
    name: str
    tracking_url: str  # with {tracking_number}
    return_address: tuple[str, ...]  # where the parcel goes, line by line

    def url_for(self, tracking_number: str) -> str:
        return self.tracking_url.replace("{tracking_number}", tracking_number)


@dataclass(frozen=True)
class RefundMethodRule:
    code: str
    working_days: int


@dataclass(frozen=True)
class ReturnPolicy:
    default_window_days: int
    window_days_by_category: dict[str, int]
    final_sale_categories: frozenset[str]
    hygiene_categories: frozenset[str]
    reasons: tuple[ReasonRule, ...]
    carrier_fee: dict[str, Decimal]
    drop_off_free: bool
    drop_off_days: int
    label_valid_days: int
    nearest_stores: int
    carriers: dict[str, ReturnCarrier]  # by ISO country code
    refund_methods: tuple[RefundMethodRule, ...]
    person_days_past_window: int
    person_order_value_over: dict[str, Decimal]

    def window_days(self, category: str) -> int:
        return self.window_days_by_category.get(category, self.default_window_days)

    def reason(self, code: str) -> ReasonRule:
        for rule in self.reasons:
            if rule.code == code:
                return rule
        raise KeyError(code)

    def refund_method(self, code: str) -> RefundMethodRule:
        for rule in self.refund_methods:
            if rule.code == code:
                return rule
        raise KeyError(code)

    def carrier_for(self, country: str) -> Optional[ReturnCarrier]:
        return self.carriers.get(country)


# --- reading ----------------------------------------------------------------------------


class _Reader:
    """Walks the YAML tree, remembering where it is so errors can say so."""

    def __init__(self, source: str) -> None:
        self.source = source

    def fail(self, where: str, message: str) -> PolicyError:
        return PolicyError(f"{self.source}: {where}: {message}")

    def mapping(self, value: Any, where: str, keys: set[str], required: set[str]) -> dict:
        if not isinstance(value, dict):
            raise self.fail(where, f"expected a mapping of keys, got {value!r}")
        unknown = set(map(str, value)) - keys
        if unknown:
            raise self.fail(
                where, f"unknown key(s) {sorted(unknown)}; known keys are {sorted(keys)}"
            )
        missing = required - set(map(str, value))
        if missing:
            raise self.fail(where, f"missing key(s) {sorted(missing)}")
        return value

    def days(self, value: Any, where: str) -> int:
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise self.fail(where, f"expected a whole number of days (0 or more), got {value!r}")
        return value

    def count(self, value: Any, where: str) -> int:
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise self.fail(where, f"expected a whole number (1 or more), got {value!r}")
        return value

    def flag(self, value: Any, where: str) -> bool:
        if not isinstance(value, bool):
            raise self.fail(where, f"expected true or false, got {value!r}")
        return value

    def category(self, value: Any, where: str) -> str:
        if not isinstance(value, str) or not value.strip() or value != value.strip().lower():
            raise self.fail(where, f"expected a lower-case category name, got {value!r}")
        return value

    def categories(self, value: Any, where: str) -> frozenset[str]:
        if value is None:
            return frozenset()
        if not isinstance(value, list):
            raise self.fail(where, f"expected a list of categories, got {value!r}")
        return frozenset(self.category(v, f"{where}[{i}]") for i, v in enumerate(value))

    def money(self, value: Any, where: str) -> dict[str, Decimal]:
        amounts = self.mapping(value, where, set(CURRENCIES), set(CURRENCIES))
        out: dict[str, Decimal] = {}
        for currency, amount in amounts.items():
            try:
                money = Decimal(str(amount)).quantize(Decimal("0.01"))
            except (InvalidOperation, ValueError) as error:
                raise self.fail(
                    f"{where}.{currency}", f"expected an amount, got {amount!r}"
                ) from error
            if isinstance(amount, bool) or money < 0:
                raise self.fail(f"{where}.{currency}", f"expected an amount ≥ 0, got {amount!r}")
            out[str(currency)] = money
        return out


def parse_policy(data: Any, source: str = "return policy") -> ReturnPolicy:
    """Check a loaded YAML document and build the policy from it."""
    r = _Reader(source)
    top = r.mapping(
        data,
        "the file",
        {"version", "window", "non_returnable", "reasons", "return_shipping", "refund_methods",
         "needs_person"},
        {"version", "window", "reasons", "return_shipping", "refund_methods", "needs_person"},
    )  # fmt: skip
    if top["version"] != 1:
        raise r.fail("version", f"this Baton reads version 1 policies, not {top['version']!r}")

    window = r.mapping(top["window"], "window", {"default_days", "by_category"}, {"default_days"})
    by_category_raw = window.get("by_category") or {}
    if not isinstance(by_category_raw, dict):
        raise r.fail("window.by_category", f"expected category: days, got {by_category_raw!r}")
    by_category = {
        r.category(k, "window.by_category"): r.days(v, f"window.by_category.{k}")
        for k, v in by_category_raw.items()
    }

    blocked = r.mapping(
        top.get("non_returnable") or {},
        "non_returnable",
        {"final_sale_categories", "hygiene_categories"},
        set(),
    )

    reasons_raw = top["reasons"]
    reasons_map = r.mapping(reasons_raw, "reasons", set(REASON_CODES), set(REASON_CODES))
    reasons = []
    for code, rule in reasons_map.items():
        fields = r.mapping(rule, f"reasons.{code}", {"free_return_shipping", "needs_person"}, set())
        reasons.append(
            ReasonRule(
                code=str(code),
                free_return_shipping=r.flag(
                    fields.get("free_return_shipping", False),
                    f"reasons.{code}.free_return_shipping",
                ),
                needs_person=r.flag(
                    fields.get("needs_person", False), f"reasons.{code}.needs_person"
                ),
            )
        )

    shipping = r.mapping(
        top["return_shipping"],
        "return_shipping",
        {"carrier_fee", "drop_off_free", "drop_off_days", "label_valid_days", "nearest_stores",
         "carriers"},
        {"carrier_fee", "carriers"},
    )  # fmt: skip
    carriers_raw = shipping["carriers"]
    if not isinstance(carriers_raw, dict) or not carriers_raw:
        raise r.fail("return_shipping.carriers", "expected at least one country: carrier")
    carriers: dict[str, ReturnCarrier] = {}
    for country, carrier in carriers_raw.items():
        where = f"return_shipping.carriers.{country}"
        if not isinstance(country, str) or len(country) != 2 or not country.isupper():
            raise r.fail(where, "countries are two-letter ISO codes such as GB or IE")
        fields = r.mapping(
            carrier,
            where,
            {"name", "tracking_url", "return_address"},
            {"name", "tracking_url", "return_address"},
        )
        address = fields["return_address"]
        if (
            not isinstance(address, list)
            or not address
            or not all(isinstance(line, str) and line.strip() for line in address)
        ):
            raise r.fail(f"{where}.return_address", "expected the address as a list of lines")
        url = fields["tracking_url"]
        if not isinstance(url, str) or "{tracking_number}" not in url:
            raise r.fail(f"{where}.tracking_url", "must contain {tracking_number}")
        if not url.startswith("https://"):
            raise r.fail(f"{where}.tracking_url", "must be an https:// address")
        if not isinstance(fields["name"], str) or not fields["name"].strip():
            raise r.fail(f"{where}.name", "expected the carrier's name")
        carriers[country] = ReturnCarrier(
            fields["name"].strip(), url, tuple(line.strip() for line in address)
        )

    refunds_raw = top["refund_methods"]
    refunds_map = r.mapping(refunds_raw, "refund_methods", set(REFUND_METHODS), set())
    if not refunds_map:
        raise r.fail("refund_methods", "offer at least one refund method")
    refund_methods = tuple(
        RefundMethodRule(
            code=str(code),
            working_days=r.days(
                r.mapping(rule, f"refund_methods.{code}", {"working_days"}, {"working_days"})[
                    "working_days"
                ],
                f"refund_methods.{code}.working_days",
            ),
        )
        for code, rule in refunds_map.items()
    )

    person = r.mapping(
        top["needs_person"],
        "needs_person",
        {"days_past_window", "order_value_over"},
        {"days_past_window", "order_value_over"},
    )

    return ReturnPolicy(
        default_window_days=r.days(window["default_days"], "window.default_days"),
        window_days_by_category=by_category,
        final_sale_categories=r.categories(
            blocked.get("final_sale_categories"), "non_returnable.final_sale_categories"
        ),
        hygiene_categories=r.categories(
            blocked.get("hygiene_categories"), "non_returnable.hygiene_categories"
        ),
        reasons=tuple(reasons),
        carrier_fee=r.money(shipping["carrier_fee"], "return_shipping.carrier_fee"),
        drop_off_free=r.flag(shipping.get("drop_off_free", True), "return_shipping.drop_off_free"),
        drop_off_days=r.count(shipping.get("drop_off_days", 14), "return_shipping.drop_off_days"),
        label_valid_days=r.count(
            shipping.get("label_valid_days", 14), "return_shipping.label_valid_days"
        ),
        nearest_stores=r.count(shipping.get("nearest_stores", 3), "return_shipping.nearest_stores"),
        carriers=carriers,
        refund_methods=refund_methods,
        person_days_past_window=r.days(person["days_past_window"], "needs_person.days_past_window"),
        person_order_value_over=r.money(
            person["order_value_over"], "needs_person.order_value_over"
        ),
    )


def policy_path() -> Path:
    configured = os.environ.get("RETURN_POLICY_FILE")
    if not configured:
        return DEFAULT_FILE
    path = Path(configured)
    return path if path.is_absolute() else ROOT / path


@lru_cache(maxsize=4)
def _load(path: Path, mtime_ns: int) -> ReturnPolicy:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise PolicyError(f"{path}: cannot read the return policy ({error})") from error
    except yaml.YAMLError as error:
        raise PolicyError(f"{path}: not valid YAML ({error})") from error
    return parse_policy(data, str(path))


def load_policy(path: Optional[Path] = None) -> ReturnPolicy:
    """The policy in ``path`` (default: RETURN_POLICY_FILE or policy/returns.yml).

    Cached, and read again when the file changes, so an edited policy applies without a
    restart once it is valid.
    """
    target = path or policy_path()
    try:
        mtime = target.stat().st_mtime_ns
    except OSError as error:
        raise PolicyError(f"{target}: cannot read the return policy ({error})") from error
    return _load(target, mtime)


def main(argv: list[str]) -> int:
    path = Path(argv[0]) if argv else policy_path()
    try:
        policy = load_policy(path)
    except PolicyError as error:
        print(f"✗ {error}", file=sys.stderr)
        return 1
    windows = ", ".join(f"{c} {d}" for c, d in sorted(policy.window_days_by_category.items()))
    print(f"✓ {path}: {policy.default_window_days}-day window ({windows or 'no exceptions'}),")
    print(f"  {len(policy.reasons)} reasons, carriers for {', '.join(sorted(policy.carriers))}")
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main(sys.argv[1:]))

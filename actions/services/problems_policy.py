"""The shop's rules for delivery problems, read from ``policy/problems.yml``
(``PROBLEMS_POLICY_FILE``) and checked as a whole.

Kept apart from the rules that apply them (:mod:`actions.services.problems`) so each stays
short. Like the other policy files, an entry Baton does not know is refused with its name —
it is more likely a typo than a wish, and a shop should find it before a customer does.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

import yaml

ROOT = Path(__file__).resolve().parents[2]
DEFAULT_FILE = ROOT / "policy" / "problems.yml"
KEYS = {
    "version",
    "wait_hours_after_delivered",
    "suggestions",
    "claim_window_days",
    "person_order_value_over",
    "keep_item_value_under",
    "remedy",
}
#: Where a customer is asked to look for a parcel scanned as delivered (the replies word them).
SUGGESTIONS = ("neighbours", "safe_place")
#: replacement_or_refund: a replacement when in stock, else a refund; refund_only: a refund.
REMEDIES = ("replacement_or_refund", "refund_only")
#: The currencies the shop sells in; each money entry names every one of them.
CURRENCIES = ("GBP", "EUR")

RemedyRule = Literal["replacement_or_refund", "refund_only"]


class ProblemsPolicyError(ValueError):
    """The policy file says something Baton cannot apply (named in the message)."""


@dataclass(frozen=True)
class ProblemsPolicy:
    wait_hours_after_delivered: int
    suggestions: tuple[str, ...]
    claim_window_days: int
    person_order_value_over: dict[str, Decimal]  # currency -> amount
    keep_item_value_under: dict[str, Decimal]  # currency -> amount
    remedy: RemedyRule

    def needs_person(self, total: Decimal, currency: str) -> bool:
        """An order above the limit; one in a currency the policy has no limit for too,
        since nobody said what is too much there."""
        limit = self.person_order_value_over.get(currency.upper())
        return limit is None or total > limit

    def keep_item(self, value: Decimal, currency: str) -> bool:
        """Settled without sending the item back; never in a currency the policy leaves out."""
        limit = self.keep_item_value_under.get(currency.upper())
        return limit is not None and value < limit


def _money(raw: Any, where: str) -> dict[str, Decimal]:
    if not isinstance(raw, dict) or set(map(str, raw)) != set(CURRENCIES):
        raise ProblemsPolicyError(f"{where}: an amount for each of {', '.join(CURRENCIES)}")
    out: dict[str, Decimal] = {}
    for currency, amount in raw.items():
        try:
            value = Decimal(str(amount)).quantize(Decimal("0.01"))
        except (InvalidOperation, ValueError):
            value = Decimal(-1)
        if isinstance(amount, bool) or not isinstance(amount, (int, float, str)) or value < 0:
            raise ProblemsPolicyError(f"{where}.{currency}: an amount of 0 or more")
        out[str(currency)] = value
    return out


def _whole(raw: Any, where: str, low: int, high: int) -> int:
    if not isinstance(raw, int) or isinstance(raw, bool) or not low <= raw <= high:
        raise ProblemsPolicyError(f"{where}: a whole number from {low} to {high}")
    return raw


def parse_policy(raw: Any, where: str = "policy") -> ProblemsPolicy:
    if not isinstance(raw, dict):
        raise ProblemsPolicyError(f"{where}: expected a mapping")
    unknown = set(map(str, raw)) - KEYS
    if unknown:
        raise ProblemsPolicyError(f"{where}: unknown key(s) {', '.join(sorted(unknown))}")
    if raw.get("version", 1) != 1:
        raise ProblemsPolicyError(f"{where}.version: this Baton reads version 1")
    wait = _whole(
        raw.get("wait_hours_after_delivered"), f"{where}.wait_hours_after_delivered", 0, 168
    )
    window = _whole(raw.get("claim_window_days"), f"{where}.claim_window_days", 1, 365)
    if window * 24 <= wait:
        raise ProblemsPolicyError(
            f"{where}.claim_window_days: longer than wait_hours_after_delivered, or no parcel "
            "could ever be claimed"
        )
    suggestions = raw.get("suggestions", [])
    if (
        not isinstance(suggestions, list)
        or not set(suggestions) <= set(SUGGESTIONS)
        or len(set(suggestions)) != len(suggestions)
    ):
        raise ProblemsPolicyError(
            f"{where}.suggestions: a list of {', '.join(SUGGESTIONS)}, each at most once"
        )
    remedy = raw.get("remedy")
    if remedy not in REMEDIES:
        raise ProblemsPolicyError(f"{where}.remedy: one of {', '.join(REMEDIES)}")
    return ProblemsPolicy(
        wait_hours_after_delivered=wait,
        suggestions=tuple(suggestions),
        claim_window_days=window,
        person_order_value_over=_money(
            raw.get("person_order_value_over"), f"{where}.person_order_value_over"
        ),
        keep_item_value_under=_money(
            raw.get("keep_item_value_under"), f"{where}.keep_item_value_under"
        ),
        remedy=remedy,
    )


@lru_cache(maxsize=4)
def _load(path: str) -> ProblemsPolicy:
    try:
        raw = yaml.safe_load(Path(path).read_text())
    except (OSError, yaml.YAMLError) as problem:
        raise ProblemsPolicyError(f"{path}: {problem}") from problem
    return parse_policy(raw, Path(path).name)


def load_policy() -> ProblemsPolicy:
    return _load(os.environ.get("PROBLEMS_POLICY_FILE") or str(DEFAULT_FILE))

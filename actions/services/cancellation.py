"""May this order still be cancelled, and what does the customer get back? (pure rules)

The shop states the rules in ``policy/cancellation.yml`` (``CANCELLATION_POLICY_FILE``): which
order states can be cancelled, until what time a packed order can still be stopped before the
carrier collects it, and how long a refund takes by payment method. :func:`assess` applies them
to an order at a moment and says yes with the refund the customer will see before they confirm,
or no with the reason in a word the replies turn into plain language.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import Any, Optional
from zoneinfo import ZoneInfo

import yaml

from actions.services.formatting import local
from actions.services.refunds import add_working_days
from actions.store.models import Order

ROOT = Path(__file__).resolve().parents[2]
DEFAULT_FILE = ROOT / "policy" / "cancellation.yml"
KEYS = {"version", "cancellable_states", "packed_until", "refund_working_days", "item_by_item"}
#: Why an order cannot be cancelled: already_cancelled, on_its_way (handed to the carrier or
#: later), delivered, packed_too_late (packed and past today's cut-off).
REFUSALS = ("already_cancelled", "on_its_way", "delivered", "packed_too_late")


class CancellationPolicyError(ValueError):
    """The policy file says something Baton cannot apply (named in the message)."""


@dataclass(frozen=True)
class CancellationPolicy:
    cancellable_states: tuple[str, ...]
    packed_until: time
    refund_working_days: dict[str, int]  # payment method prefix -> days; "default"
    item_by_item: bool = True  # a multi-item order may be cancelled item by item

    def refund_days(self, payment_method: str) -> int:
        for prefix, days in self.refund_working_days.items():
            if prefix != "default" and payment_method.lower().startswith(prefix.lower()):
                return days
        return self.refund_working_days["default"]


@dataclass(frozen=True)
class Assessment:
    """``allowed``: the refund shown before the customer confirms (``refund`` 0 when the
    payment was only authorised: it is released, nothing to wait for). Otherwise ``refusal``."""

    allowed: bool
    refusal: Optional[str] = None
    refund: Decimal = Decimal("0.00")
    refund_to: str = ""
    refund_by: Optional[date] = None


def parse_policy(raw: Any, where: str = "policy") -> CancellationPolicy:
    if not isinstance(raw, dict):
        raise CancellationPolicyError(f"{where}: expected a mapping")
    unknown = set(raw) - KEYS
    if unknown:
        raise CancellationPolicyError(f"{where}: unknown key(s) {', '.join(sorted(unknown))}")
    states = raw.get("cancellable_states")
    allowed = {"placed", "paid", "packed"}
    if not isinstance(states, list) or not states or not set(states) <= allowed:
        raise CancellationPolicyError(
            f"{where}.cancellable_states: a list of {', '.join(sorted(allowed))}"
        )
    until = str(raw.get("packed_until", ""))
    if not re.fullmatch(r"([01]\d|2[0-3]):[0-5]\d", until):
        raise CancellationPolicyError(f"{where}.packed_until: a time as HH:MM, got {until!r}")
    days = raw.get("refund_working_days")
    if not isinstance(days, dict) or "default" not in days:
        raise CancellationPolicyError(f"{where}.refund_working_days: a mapping with a default")
    for method, value in days.items():
        if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= 30:
            raise CancellationPolicyError(
                f"{where}.refund_working_days.{method}: whole days from 0 to 30"
            )
    by_item = raw.get("item_by_item", True)
    if not isinstance(by_item, bool):
        raise CancellationPolicyError(f"{where}.item_by_item: true or false")
    hours, minutes = (int(part) for part in until.split(":"))
    return CancellationPolicy(tuple(states), time(hours, minutes), dict(days), by_item)


@lru_cache(maxsize=4)
def _load(path: str) -> CancellationPolicy:
    try:
        raw = yaml.safe_load(Path(path).read_text())
    except (OSError, yaml.YAMLError) as problem:
        raise CancellationPolicyError(f"{path}: {problem}") from problem
    return parse_policy(raw, Path(path).name)


def load_policy() -> CancellationPolicy:
    return _load(os.environ.get("CANCELLATION_POLICY_FILE") or str(DEFAULT_FILE))


def assess(order: Order, policy: CancellationPolicy, now: datetime, tz: ZoneInfo) -> Assessment:
    """Whether ``order`` may be cancelled at ``now`` (naive UTC), and the refund if so."""
    refusal = _refusal(order, policy, now, tz)
    if refusal is not None:
        return Assessment(False, refusal)
    if order.payment_status != "paid":
        return Assessment(True, refund=Decimal("0.00"), refund_to=order.payment_method)
    today = local(now, tz).date()
    by = add_working_days(today, policy.refund_days(order.payment_method))
    return Assessment(True, refund=order.total, refund_to=order.payment_method, refund_by=by)


def _refusal(
    order: Order, policy: CancellationPolicy, now: datetime, tz: ZoneInfo
) -> Optional[str]:
    if order.status == "cancelled":
        return "already_cancelled"
    if order.status == "delivered":
        return "delivered"
    if order.shipments or order.status not in ("placed", "paid", "packed"):
        return "on_its_way"
    if order.status in policy.cancellable_states:
        return None
    if order.status == "packed":
        moment = local(now, tz)
        leaves = order.expected_dispatch or moment.date()
        cutoff = datetime.combine(leaves, policy.packed_until, tzinfo=tz)
        return None if moment < cutoff else "packed_too_late"
    return "on_its_way"

"""May this order's delivery address still be changed, and if not, what can the customer do?
(pure rules)

The shop states the rules in ``policy/address.yml`` (``ADDRESS_POLICY_FILE``): the order states
in which the shop can still send the order elsewhere (before a carrier has it), whether the new
address may be in another country, how many unusable addresses the customer may type before a
person is offered, and which carriers let the customer redirect a parcel already on its way
(carrier → the page, with the tracking number filled in). :func:`decide` applies them to an
order; :func:`check_country` to a parsed address; :func:`idempotency_key` names one change so
a double tap or a retry makes it once.
"""

from __future__ import annotations

import hashlib
import os
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal, Optional
from urllib.parse import quote

import yaml

from actions.services.address_parsing import PROBLEMS as PARSING_PROBLEMS
from actions.store.models import Address, Order

ROOT = Path(__file__).resolve().parents[2]
DEFAULT_FILE = ROOT / "policy" / "address.yml"
KEYS = {
    "version",
    "changeable_states",
    "allow_other_countries",
    "max_attempts",
    "carrier_redirects",
}
_STATES = {"placed", "paid", "packed"}
_PLACEHOLDER = re.compile(r"\{([^{}]*)\}")

#: change: the shop can still send it elsewhere; redirect: on its way with carriers that let
#: the customer redirect it (the links); person: on its way, only a person can try;
#: cancelled / delivered: nothing to send elsewhere.
Kind = Literal["change", "redirect", "person", "cancelled", "delivered"]


#: Why a typed address cannot be used: the parsing's reasons, and other_country (the policy).
PROBLEMS: tuple[str, ...] = (*PARSING_PROBLEMS, "other_country")


class AddressPolicyError(ValueError):
    """The policy file says something Baton cannot apply (named in the message)."""


@dataclass(frozen=True)
class AddressPolicy:
    changeable_states: tuple[str, ...]
    allow_other_countries: bool
    max_attempts: int
    carrier_redirects: dict[str, str]  # carrier name (lower case) -> URL template

    def redirect_link(self, carrier: str, tracking_number: str) -> Optional[str]:
        template = self.carrier_redirects.get(carrier.strip().lower())
        if template is None:
            return None
        return template.replace("{tracking_number}", quote(tracking_number, safe=""))


@dataclass(frozen=True)
class Redirect:
    carrier: str
    url: str


@dataclass(frozen=True)
class Decision:
    kind: Kind
    redirects: tuple[Redirect, ...] = ()


def parse_policy(raw: Any, where: str = "policy") -> AddressPolicy:
    if not isinstance(raw, dict):
        raise AddressPolicyError(f"{where}: expected a mapping")
    unknown = set(raw) - KEYS
    if unknown:
        raise AddressPolicyError(f"{where}: unknown key(s) {', '.join(sorted(map(str, unknown)))}")
    states = raw.get("changeable_states")
    if not isinstance(states, list) or not states or not set(states) <= _STATES:
        raise AddressPolicyError(
            f"{where}.changeable_states: a list of {', '.join(sorted(_STATES))}"
        )
    other = raw.get("allow_other_countries", False)
    if not isinstance(other, bool):
        raise AddressPolicyError(f"{where}.allow_other_countries: true or false")
    attempts = raw.get("max_attempts", 3)
    if not isinstance(attempts, int) or isinstance(attempts, bool) or not 1 <= attempts <= 10:
        raise AddressPolicyError(f"{where}.max_attempts: a whole number from 1 to 10")
    redirects = raw.get("carrier_redirects") or {}
    if not isinstance(redirects, dict):
        raise AddressPolicyError(f"{where}.carrier_redirects: carrier name → https URL")
    for carrier, url in redirects.items():
        fields = _PLACEHOLDER.findall(url) if isinstance(url, str) else []
        if (
            not isinstance(url, str)
            or not url.startswith("https://")
            or set(fields) - {"tracking_number"}
        ):
            raise AddressPolicyError(
                f"{where}.carrier_redirects.{carrier}: an https URL; {{tracking_number}} is the "
                "only placeholder"
            )
    return AddressPolicy(
        tuple(states),
        other,
        attempts,
        {str(carrier).strip().lower(): url for carrier, url in redirects.items()},
    )


@lru_cache(maxsize=4)
def _load(path: str) -> AddressPolicy:
    try:
        raw = yaml.safe_load(Path(path).read_text())
    except (OSError, yaml.YAMLError) as problem:
        raise AddressPolicyError(f"{path}: {problem}") from problem
    return parse_policy(raw, Path(path).name)


def load_policy() -> AddressPolicy:
    return _load(os.environ.get("ADDRESS_POLICY_FILE") or str(DEFAULT_FILE))


def decide(order: Order, policy: AddressPolicy) -> Decision:
    """What the customer can do about where ``order`` goes."""
    if order.status == "cancelled":
        return Decision("cancelled")
    if order.status == "delivered":
        return Decision("delivered")
    if not order.shipments and order.status in policy.changeable_states:
        return Decision("change")
    moving = [s for s in order.shipments if s.status != "delivered"]
    if not moving and order.shipments:
        return Decision("delivered")
    links = [(s.carrier, policy.redirect_link(s.carrier, s.tracking_number)) for s in moving]
    if not links or any(url is None for _, url in links):
        return Decision("person")  # a packed order past the policy, or a carrier without a page
    return Decision("redirect", tuple(Redirect(carrier, url) for carrier, url in links if url))


def check_country(order: Order, new: Address, policy: AddressPolicy) -> Optional[str]:
    """``other_country`` when the policy keeps the order in its country and ``new`` is not."""
    same = new.country.upper() == order.shipping_address.country.upper()
    return None if same or policy.allow_other_countries else "other_country"


def address_hash(address: Address) -> str:
    parts = [address.line1, address.line2 or "", address.city, address.postal_code]
    canonical = "\n".join(" ".join(p.split()).lower() for p in parts)
    return hashlib.sha256(f"{canonical}\n{address.country.upper()}".encode()).hexdigest()


def idempotency_key(conversation_id: str, number: str, address: Address) -> str:
    """One change: this conversation, this order, this address. Asked twice — a double tap,
    a retried message — the second finds the first and changes nothing."""
    raw = f"{conversation_id}\n{number}\n{address_hash(address)}"
    return "addr-" + hashlib.sha256(raw.encode()).hexdigest()[:40]


def same_address(a: Address, b: Address) -> bool:
    return address_hash(a) == address_hash(b)

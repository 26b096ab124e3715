"""A new delivery address as the customer typed it: split into lines, the postcode checked.

The customer writes the address in one message, one part a line or the parts separated by
commas ("12 High Street, Flat 2, Leeds, LS1 4AB"): that works the same in the web chat, on
WhatsApp and on Slack, where there are no form fields. The text is untrusted: control
characters go, every line and the whole is capped, and only a UK postcode or an Irish Eircode
that is valid in form is accepted — normalised to upper case with its space ("ls14ab" →
"LS1 4AB", "d02x285" → "D02 X285"), so the shop and the carrier see one spelling.

:func:`parse_address` answers with the address or the reason it cannot be used, as a word the
replies turn into plain language (:data:`PROBLEMS`).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Optional, Union

from actions.store.models import Address

#: Why a typed address cannot be used: no_postcode (none found), bad_postcode (something like
#: one, but not a valid UK postcode or Eircode), missing_lines (the street and the town are
#: not told apart: one line without commas), missing_town, too_long.
PROBLEMS = ("no_postcode", "bad_postcode", "missing_lines", "missing_town", "too_long")

MAX_LINE = 80
MAX_TEXT = 300

# UK: the formats of the Royal Mail's postcode address file, and GIR 0AA (Girobank).
_UK_OUTWARD = (
    r"(?:[A-PR-UWYZ][0-9][0-9]?"
    r"|[A-PR-UWYZ][A-HK-Y][0-9][0-9]?"
    r"|[A-PR-UWYZ][0-9][A-HJKPSTUW]"
    r"|[A-PR-UWYZ][A-HK-Y][0-9][ABEHMNPRVWXY])"
)
_UK = re.compile(rf"(?:GIR0AA|{_UK_OUTWARD}[0-9][ABD-HJLNP-UW-Z]{{2}})")
# Ireland: a routing key (a letter and two digits, or D6W) and a four-character identifier.
_EIR_LETTERS = "ACDEFHKNPRTVWXY"
_EIRCODE = re.compile(rf"(?:[{_EIR_LETTERS}][0-9]{{2}}|D6W)[0-9{_EIR_LETTERS}]{{4}}")
# Something that looks like a postcode attempt at the end of a line: letters and digits.
_LOOKS_LIKE = re.compile(
    r"(?:[A-Z]{1,2}[0-9][A-Z0-9]?\s*[0-9][A-Z0-9]{2,3}|[A-Z][0-9]{2}\s*[A-Z0-9]{3,5})$"
)
_COUNTRY_WORDS = {
    "uk": "GB", "united kingdom": "GB", "great britain": "GB", "gb": "GB", "england": "GB",
    "scotland": "GB", "wales": "GB", "northern ireland": "GB",
    "ireland": "IE", "republic of ireland": "IE", "eire": "IE", "éire": "IE", "ie": "IE",
}  # fmt: skip
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


@dataclass(frozen=True)
class AddressProblem:
    reason: str


def _compact(value: str) -> str:
    return re.sub(r"\s+", "", value).upper()


def normalise_postcode(value: str) -> Optional[tuple[str, str]]:
    """``(postcode, country)`` for a valid UK postcode (GB) or Eircode (IE), spelled the one
    way the shop stores it; None for anything else."""
    compact = _compact(value)
    if _UK.fullmatch(compact):
        return f"{compact[:-3]} {compact[-3:]}", "GB"
    if _EIRCODE.fullmatch(compact):
        return f"{compact[:3]} {compact[3:]}", "IE"
    return None


def _lines(text: str) -> list[str]:
    text = _CONTROL.sub(" ", unicodedata.normalize("NFKC", text.replace("\r", "\n")))
    parts = re.split(r"[\n,;]+", text)
    return [re.sub(r"\s+", " ", p).strip(" .") for p in parts if p.strip(" .\t")]


def _postcode_at_end(line: str) -> Optional[tuple[str, str, str]]:
    """``(rest of the line, postcode, country)`` when ``line`` ends with a valid postcode."""
    words = line.split(" ")
    for take in (2, 1):  # "LS1 4AB" written with its space, or "LS14AB"
        if len(words) >= take:
            found = normalise_postcode("".join(words[-take:]))
            if found:
                return " ".join(words[:-take]).strip(), found[0], found[1]
    return None


def parse_address(text: str) -> Union[Address, AddressProblem]:
    """The address in ``text``, or why it cannot be used (country from the postcode)."""
    if not isinstance(text, str) or len(text) > MAX_TEXT * 2:
        return AddressProblem("too_long")
    lines = _lines(text)
    if lines and lines[-1].lower() in _COUNTRY_WORDS:
        lines = lines[:-1]  # "…, D02 X285, Ireland": the postcode says the country
    if not lines:
        return AddressProblem("no_postcode")
    if any(len(line) > MAX_LINE for line in lines) or sum(map(len, lines)) > MAX_TEXT:
        return AddressProblem("too_long")
    found = _postcode_at_end(lines[-1])
    if found is None:
        looks = _LOOKS_LIKE.search(lines[-1].upper())
        return AddressProblem("bad_postcode" if looks else "no_postcode")
    rest, postcode, country = found
    lines = [*lines[:-1], rest] if rest else lines[:-1]
    if len(lines) < 2:
        # "12 High St Leeds LS1 4AB": street and town on one line cannot be told apart.
        return AddressProblem("missing_lines" if rest and lines else "missing_town")
    line1, town, middle = lines[0], lines[-1], lines[1:-1]
    if not any(ch.isalpha() for ch in town):
        return AddressProblem("missing_town")
    line2 = ", ".join(middle) if middle else None
    return Address(line1, line2, town, postcode, country)


def one_line(address: Address) -> str:
    """The address read back on one line: "12 High Street, Flat 2, Leeds, LS1 4AB"."""
    parts = [address.line1, address.line2, address.city, address.postal_code]
    return ", ".join(p for p in parts if p)

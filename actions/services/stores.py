"""The stores nearest a customer, from a postcode, an Eircode or a town.

No geocoding service: a small table of approximate centroids is enough to rank a shop's
stores. UK postcodes are looked up by outward code ("SW1A", "M1"), then by postcode area
("SW", "M"); Irish Eircodes by routing key ("D02", "T12"); towns by name. Distances are
great-circle kilometres ("as the crow flies"), which is what a customer expects from
"nearest".
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Optional

from actions.services.i18n import normalize, text
from actions.store.models import Store

Point = tuple[float, float]

# UK postcode areas: the town each is named after, roughly at its centre.
# fmt: off
_UK_AREAS: dict[str, Point] = {
    "AB": (57.15, -2.10), "AL": (51.75, -0.34), "B": (52.48, -1.90), "BA": (51.38, -2.36),
    "BB": (53.75, -2.48), "BD": (53.79, -1.75), "BH": (50.72, -1.88), "BL": (53.58, -2.43),
    "BN": (50.83, -0.14), "BR": (51.40, 0.02), "BS": (51.45, -2.59), "BT": (54.60, -5.93),
    "CA": (54.89, -2.93), "CB": (52.20, 0.12), "CF": (51.48, -3.18), "CH": (53.19, -2.89),
    "CM": (51.74, 0.47), "CO": (51.89, 0.90), "CR": (51.37, -0.10), "CT": (51.28, 1.08),
    "CV": (52.41, -1.51), "CW": (53.10, -2.44), "DA": (51.45, 0.21), "DD": (56.46, -2.97),
    "DE": (52.92, -1.48), "DG": (55.07, -3.61), "DH": (54.78, -1.57), "DL": (54.52, -1.55),
    "DN": (53.52, -1.13), "DT": (50.71, -2.44), "DY": (52.51, -2.09), "E": (51.53, -0.05),
    "EC": (51.52, -0.10), "EH": (55.95, -3.19), "EN": (51.65, -0.08), "EX": (50.72, -3.53),
    "FK": (56.00, -3.78), "FY": (53.82, -3.05), "G": (55.86, -4.25), "GL": (51.86, -2.24),
    "GU": (51.24, -0.57), "GY": (49.45, -2.54), "HA": (51.58, -0.34), "HD": (53.65, -1.78),
    "HG": (53.99, -1.54), "HP": (51.75, -0.47), "HR": (52.06, -2.72), "HS": (58.21, -6.39),
    "HU": (53.74, -0.33), "HX": (53.72, -1.86), "IG": (51.56, 0.07), "IM": (54.15, -4.48),
    "IP": (52.06, 1.15), "IV": (57.48, -4.22), "JE": (49.19, -2.11), "KA": (55.61, -4.50),
    "KT": (51.41, -0.30), "KW": (58.98, -2.96), "KY": (56.11, -3.16), "L": (53.41, -2.98),
    "LA": (54.05, -2.80), "LD": (52.24, -3.38), "LE": (52.64, -1.13), "LL": (53.32, -3.83),
    "LN": (53.23, -0.54), "LS": (53.80, -1.55), "LU": (51.88, -0.42), "M": (53.48, -2.24),
    "ME": (51.38, 0.52), "MK": (52.04, -0.76), "ML": (55.79, -3.99), "N": (51.56, -0.10),
    "NE": (54.98, -1.61), "NG": (52.95, -1.15), "NN": (52.24, -0.90), "NP": (51.59, -3.00),
    "NR": (52.63, 1.30), "NW": (51.55, -0.17), "OL": (53.54, -2.12), "OX": (51.75, -1.26),
    "PA": (55.85, -4.42), "PE": (52.57, -0.24), "PH": (56.40, -3.43), "PL": (50.38, -4.14),
    "PO": (50.80, -1.09), "PR": (53.76, -2.70), "RG": (51.45, -0.97), "RH": (51.24, -0.17),
    "RM": (51.58, 0.18), "S": (53.38, -1.47), "SA": (51.62, -3.94), "SE": (51.47, -0.06),
    "SG": (51.90, -0.20), "SK": (53.41, -2.15), "SL": (51.51, -0.59), "SM": (51.36, -0.19),
    "SN": (51.56, -1.78), "SO": (50.90, -1.40), "SP": (51.07, -1.79), "SR": (54.91, -1.38),
    "SS": (51.54, 0.71), "ST": (53.00, -2.18), "SW": (51.46, -0.17), "SY": (52.71, -2.75),
    "TA": (51.02, -3.10), "TD": (55.62, -2.81), "TF": (52.68, -2.45), "TN": (51.20, 0.27),
    "TQ": (50.46, -3.53), "TR": (50.26, -5.05), "TS": (54.57, -1.23), "TW": (51.45, -0.34),
    "UB": (51.52, -0.40), "W": (51.51, -0.20), "WA": (53.39, -2.59), "WC": (51.52, -0.12),
    "WD": (51.66, -0.40), "WF": (53.68, -1.50), "WN": (53.55, -2.63), "WR": (52.19, -2.22),
    "WS": (52.59, -1.98), "WV": (52.59, -2.13), "YO": (53.96, -1.08), "ZE": (60.15, -1.15),
}

# Outward codes where the area centroid is too coarse (London has two stores).
_UK_DISTRICTS: dict[str, Point] = {
    "SW1A": (51.501, -0.142), "SW1": (51.497, -0.137), "SW2": (51.450, -0.119),
    "SW3": (51.490, -0.167), "SW4": (51.462, -0.138), "SW5": (51.490, -0.190),
    "SW6": (51.475, -0.200), "SW7": (51.496, -0.176), "SW8": (51.478, -0.128),
    "SW9": (51.468, -0.113), "SW11": (51.465, -0.165), "SW19": (51.421, -0.205),
    "W1": (51.515, -0.145), "W2": (51.514, -0.180), "W6": (51.493, -0.228),
    "W11": (51.513, -0.205), "WC1": (51.522, -0.122), "WC2": (51.512, -0.123),
    "WC2E": (51.512, -0.123), "WC2H": (51.513, -0.128), "EC1": (51.524, -0.100),
    "EC1A": (51.519, -0.100), "EC2": (51.518, -0.086), "EC3": (51.512, -0.081),
    "EC4": (51.513, -0.103), "E1": (51.517, -0.058), "E2": (51.529, -0.060),
    "E8": (51.543, -0.061), "E14": (51.505, -0.018), "E15": (51.541, 0.000),
    "E17": (51.586, -0.019), "N1": (51.538, -0.097), "N16": (51.560, -0.076),
    "N19": (51.564, -0.131), "NW1": (51.535, -0.143), "NW3": (51.553, -0.168),
    "NW6": (51.543, -0.196), "SE1": (51.500, -0.095), "SE10": (51.480, -0.006),
    "SE15": (51.470, -0.066), "SE22": (51.452, -0.070),
}

# Eircode routing keys (Ireland).
_IE_KEYS: dict[str, Point] = {
    "D01": (53.352, -6.260), "D02": (53.338, -6.252), "D03": (53.364, -6.218),
    "D04": (53.325, -6.227), "D05": (53.385, -6.193), "D06": (53.318, -6.262),
    "D6W": (53.312, -6.297), "D07": (53.357, -6.285), "D08": (53.338, -6.290),
    "D09": (53.375, -6.255), "D10": (53.340, -6.345), "D11": (53.393, -6.300),
    "D12": (53.322, -6.320), "D13": (53.395, -6.150), "D14": (53.295, -6.250),
    "D15": (53.385, -6.390), "D16": (53.275, -6.260), "D17": (53.400, -6.210),
    "D18": (53.255, -6.170), "D20": (53.348, -6.370), "D22": (53.325, -6.400),
    "D24": (53.285, -6.370), "A91": (54.00, -6.40), "A92": (53.72, -6.35),
    "A94": (53.30, -6.17), "A96": (53.28, -6.13), "A98": (53.20, -6.11), "C15": (53.65, -6.68),
    "E91": (52.35, -7.70), "F91": (54.27, -8.47), "F92": (54.95, -7.73), "H91": (53.27, -9.05),
    "K32": (53.61, -6.18), "K67": (53.46, -6.22), "K78": (53.36, -6.45), "N37": (53.42, -7.94),
    "N91": (53.53, -7.34), "P31": (51.95, -8.58), "P36": (51.88, -8.40), "R32": (53.03, -7.30),
    "R35": (53.27, -7.49), "R93": (52.84, -6.93), "R95": (52.65, -7.25), "T12": (51.89, -8.47),
    "T23": (51.91, -8.46), "V92": (52.27, -9.70), "V93": (52.06, -9.51), "V94": (52.66, -8.63),
    "W23": (53.34, -6.54), "W91": (53.22, -6.66), "X91": (52.26, -7.11), "Y35": (52.34, -6.46),
}

_TOWNS: dict[str, Point] = {
    "london": (51.507, -0.128), "manchester": (53.480, -2.242), "birmingham": (52.480, -1.903),
    "leeds": (53.800, -1.549), "glasgow": (55.861, -4.250), "edinburgh": (55.953, -3.189),
    "bristol": (51.454, -2.588), "cardiff": (51.482, -3.179), "belfast": (54.597, -5.930),
    "liverpool": (53.408, -2.992), "newcastle": (54.978, -1.618),
    "newcastle upon tyne": (54.978, -1.618), "sheffield": (53.381, -1.470),
    "nottingham": (52.954, -1.158), "leicester": (52.637, -1.140), "coventry": (52.406, -1.512),
    "bradford": (53.795, -1.759), "york": (53.960, -1.087), "oxford": (51.752, -1.258),
    "cambridge": (52.205, 0.122), "brighton": (50.823, -0.137), "southampton": (50.910, -1.404),
    "portsmouth": (50.817, -1.088), "reading": (51.454, -0.973), "bath": (51.381, -2.359),
    "exeter": (50.718, -3.534), "plymouth": (50.376, -4.143), "norwich": (52.630, 1.297),
    "swansea": (51.621, -3.944), "newport": (51.584, -2.998), "aberdeen": (57.150, -2.094),
    "dundee": (56.462, -2.971), "inverness": (57.478, -4.224), "stirling": (56.117, -3.937),
    "perth": (56.396, -3.437), "derry": (54.997, -7.309), "londonderry": (54.997, -7.309),
    "dublin": (53.350, -6.260), "cork": (51.898, -8.471), "galway": (53.271, -9.057),
    "limerick": (52.664, -8.630), "waterford": (52.259, -7.110), "kilkenny": (52.654, -7.244),
    "athlone": (53.423, -7.940), "sligo": (54.277, -8.476), "drogheda": (53.718, -6.348),
    "dundalk": (54.000, -6.405), "wexford": (52.334, -6.457), "tralee": (52.271, -9.699),
    "killarney": (52.059, -9.504), "letterkenny": (54.950, -7.734), "swords": (53.460, -6.218),
    "bray": (53.203, -6.098), "navan": (53.653, -6.681),
}
# fmt: on

_UK_POSTCODE = re.compile(r"\b([A-Z]{1,2})(\d[A-Z\d]?)\s*(\d[A-Z]{2})?\b")
_EIRCODE = re.compile(r"\b([AC-FHKNPRTV-Y]\d{2}|D6W)\s*([0-9AC-FHKNPRTV-Y]{4})?\b")


@dataclass(frozen=True)
class Place:
    """Where a customer said they are: what they typed and the point we found for it."""

    label: str  # as we show it back: "SW1A 1AA", "Manchester"
    point: Point


@dataclass(frozen=True)
class NearbyStore:
    store: Store
    km: float


def locate(text: object) -> Optional[Place]:
    """A postcode, an Eircode or a town name in ``text``, as a point; ``None`` if unknown."""
    if not isinstance(text, str) or not text.strip() or len(text) > 200:
        return None
    raw = " ".join(text.split())
    upper = raw.upper()
    for match in _EIRCODE.finditer(upper):
        key = match.group(1)
        if key in _IE_KEYS:
            label = f"{key} {match.group(2)}" if match.group(2) else key
            return Place(label, _IE_KEYS[key])
    for match in _UK_POSTCODE.finditer(upper):
        area, district, inward = match.group(1), match.group(2), match.group(3)
        outward = area + district
        point = _UK_DISTRICTS.get(outward) or _UK_DISTRICTS.get(area + district[0])
        if point is None and area in _UK_AREAS and (inward or len(raw) <= 5):
            point = _UK_AREAS[area]
        if point is not None:
            return Place(f"{outward} {inward}" if inward else outward, point)
    lowered = re.sub(r"[^a-z ]", " ", raw.lower())
    words = " ".join(lowered.split())
    for town in sorted(_TOWNS, key=len, reverse=True):
        if re.search(rf"\b{re.escape(town)}\b", words):
            return Place(town.title().replace("Upon", "upon"), _TOWNS[town])
    return None


def km_between(a: Point, b: Point) -> float:
    """Great-circle distance in kilometres (haversine)."""
    lat1, lon1, lat2, lon2 = map(math.radians, (*a, *b))
    h = (
        math.sin((lat2 - lat1) / 2) ** 2
        + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    )
    return 2 * 6371.0 * math.asin(math.sqrt(h))


def nearest_stores(stores: Sequence[Store], place: Place, limit: int = 3) -> list[NearbyStore]:
    """The stores that take returns, nearest first (ties by name, so the order is stable)."""
    ranked = sorted(
        (
            NearbyStore(s, km_between(place.point, (s.latitude, s.longitude)))
            for s in stores
            if s.accepts_returns
        ),
        key=lambda n: (round(n.km, 3), n.store.name),
    )
    return ranked[:limit]


def distance_text(km: float, lang: str = "en") -> str:
    if km < 1:
        return text("under_1_km", lang)
    if km < 10:
        return f"{km:.1f} km"
    return f"{round(km):,} km"


_DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_DAY_NAMES = {
    "en": dict(zip(_DAYS, ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"), strict=True)),
    "ko": dict(zip(_DAYS, "월화수목금토일", strict=True)),
    "zh": dict(zip(_DAYS, ("周一", "周二", "周三", "周四", "周五", "周六", "周日"), strict=True)),
}


def _hours(value: Optional[str], lang: str) -> str:
    return value.replace("-", "–") if value else text("closed", lang)


def opening_hours_text(hours: dict[str, Optional[str]], lang: str = "en") -> str:
    """Weekly hours with equal days grouped: "Mon–Wed 10:00–19:00, Sun closed"."""
    names = _DAY_NAMES[normalize(lang)]
    groups: list[tuple[str, str, Optional[str]]] = []
    for day in _DAYS:
        value = hours.get(day)
        if groups and groups[-1][2] == value:
            groups[-1] = (groups[-1][0], day, value)
        else:
            groups.append((day, day, value))
    parts = []
    for first, last, value in groups:
        days = names[first] if first == last else f"{names[first]}–{names[last]}"
        parts.append(f"{days} {_hours(value, lang)}")
    return text("list_sep", lang).join(parts) if normalize(lang) != "zh" else "，".join(parts)


def today_text(hours: dict[str, Optional[str]], today: date, lang: str = "en") -> str:
    """The day's hours as a sentence: "Open today 10:00–19:00" or "Closed today"."""
    value = hours.get(_DAYS[today.weekday()])
    if value:
        return text("open_today", lang, hours=_hours(value, lang))
    return text("closed_today", lang)

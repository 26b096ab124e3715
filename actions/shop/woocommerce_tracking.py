"""Parcels of a WooCommerce order, and the small parsers the mapping shares.

Parcels come from, in this order: the Shipment Tracking plugin's ``_wc_shipment_tracking_items``
order meta (``tracking_provider`` slug or ``custom_tracking_provider``, ``tracking_number``,
``custom_tracking_link``/``tracking_link``, ``date_shipped`` as a Unix time, ``tracking_id``);
else order notes the warehouse writes, one parcel a line::

    Shipped with DPD, tracking 15503764544678, https://track.dpd.co.uk/parcels/15503764544678

(the note's time is the shipping time). What WooCommerce has no field for lives in order meta
``baton_parcels``: a JSON list (or the JSON text of one) of objects matched by
``tracking_number``: ``status`` (label_created, in_transit, out_for_delivery, delivered,
delayed, lost; default in_transit), ``shipped_at``, ``estimated_delivery``, ``delivered_at``,
``delivered_to``, ``events`` ``[{"at", "status", "description", "location"}]`` and ``items``
``[{"line_item_id", "quantity"}]``. An entry with a ``carrier`` is a parcel by itself.
Parcels are listed oldest shipment first.

Lossy: a plugin ``date_shipped`` is a date (midnight, UTC) unless ``baton_parcels`` gives
the time; a predefined plugin provider without a link gets an empty tracking URL.
"""

from __future__ import annotations

import json
import re
from datetime import date, datetime, timezone
from typing import Any, Optional

from actions.shop.platform import PlatformShipment, PlatformTrackingEvent

Json = dict[str, Any]
TRACKING_META = "_wc_shipment_tracking_items"
PARCELS_META = "baton_parcels"
_SHIPPED_NOTE = re.compile(
    r"Shipped with (?P<carrier>[^,\n]+), tracking (?P<number>[A-Za-z0-9-]+)"
    r"(?:,\s*(?P<url>https?://\S+?))?\.?\s*$",
    re.IGNORECASE | re.MULTILINE,
)
_PROVIDER_NAMES = {
    "dpd": "DPD",
    "dpd-ireland": "DPD Ireland",
    "royal-mail": "Royal Mail",
    "evri": "Evri",
    "an-post": "An Post",
    "dhl": "DHL",
    "ups": "UPS",
    "usps": "USPS",
    "fedex": "FedEx",
}


def utc(value: Any) -> Optional[datetime]:
    """A WooCommerce ``*_gmt`` time (no offset, already UTC) or an ISO time with an offset, as
    naive UTC; a Unix time (the tracking plugin's ``date_shipped``) too."""
    if value in (None, "", 0, "0"):
        return None
    if isinstance(value, (int, float)) or (isinstance(value, str) and value.isdigit()):
        return datetime.fromtimestamp(int(value), timezone.utc).replace(tzinfo=None)
    parsed = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    if parsed.tzinfo is not None:
        parsed = parsed.astimezone(timezone.utc).replace(tzinfo=None)
    return parsed


def day(value: Any) -> Optional[date]:
    return date.fromisoformat(str(value)[:10]) if value else None


def meta(obj: Json, key: str) -> Any:
    """The newest value of an order's meta key (WooCommerce keeps duplicates in order)."""
    values = [m.get("value") for m in obj.get("meta_data") or [] if m.get("key") == key]
    return values[-1] if values else None


def json_meta(obj: Json, key: str) -> Any:
    value = meta(obj, key)
    return json.loads(value) if isinstance(value, str) and value.strip() else value


def _tracked(order: Json, notes: list[Json]) -> list[dict[str, Any]]:
    """Parcels the plugin meta or the warehouse's notes name, oldest first."""
    found: dict[str, dict[str, Any]] = {}
    for item in json_meta(order, TRACKING_META) or []:
        slug = item.get("tracking_provider") or ""
        number = str(item.get("tracking_number") or "")
        if number:
            found[number] = {
                "ref": str(item.get("tracking_id") or number),
                "carrier": item.get("custom_tracking_provider")
                or _PROVIDER_NAMES.get(slug, slug.replace("-", " ").title()),
                "url": item.get("custom_tracking_link") or item.get("tracking_link") or "",
                "shipped_at": utc(item.get("date_shipped")),
            }
    if not found:
        for note in sorted(notes, key=lambda n: (n.get("date_created_gmt") or "", n["id"])):
            for m in _SHIPPED_NOTE.finditer(note.get("note") or ""):
                found.setdefault(
                    m["number"],
                    {
                        "ref": f"note-{note['id']}-{m['number']}",
                        "carrier": m["carrier"].strip(),
                        "url": m["url"] or "",
                        "shipped_at": utc(note.get("date_created_gmt")),
                    },
                )
    extra = {str(p.get("tracking_number")): p for p in json_meta(order, PARCELS_META) or []}
    for number, p in extra.items():
        if number not in found and p.get("carrier"):
            found[number] = {"ref": number, "carrier": p["carrier"], "url": "", "shipped_at": None}
    for number, parcel in found.items():
        parcel["number"], parcel["extra"] = number, extra.get(number, {})
    return list(found.values())


def shipments(order: Json, notes: list[Json]) -> tuple[PlatformShipment, ...]:
    out = []
    for p in _tracked(order, notes):
        x = p["extra"]
        events = tuple(
            PlatformTrackingEvent(
                utc(e["at"]) or datetime.min,
                e["status"],
                e.get("description") or "",
                e.get("location") or "",
            )
            for e in x.get("events") or []
        )
        out.append(
            PlatformShipment(
                ref=p["ref"],
                carrier=p["carrier"],
                tracking_number=p["number"],
                tracking_url=x.get("tracking_url") or p["url"],
                status=x.get("status") or "in_transit",
                shipped_at=utc(x.get("shipped_at"))
                or p["shipped_at"]
                or utc(order.get("date_completed_gmt")),
                estimated_delivery=day(x.get("estimated_delivery")),
                delivered_at=utc(x.get("delivered_at")),
                delivered_to=x.get("delivered_to"),
                events=tuple(sorted(events, key=lambda e: e.occurred_at)),
                contents=tuple(
                    (str(i["line_item_id"]), int(i["quantity"])) for i in x.get("items") or []
                ),
            )
        )
    return tuple(sorted(out, key=lambda s: (s.shipped_at or datetime.max, s.ref)))


def parcel_status(parcels: tuple[PlatformShipment, ...]) -> Optional[str]:
    statuses = [s.status for s in parcels]
    if not statuses:
        return None
    if "lost" in statuses:
        return "lost_in_transit"
    if "delayed" in statuses:
        return "delayed"
    if all(s == "delivered" for s in statuses):
        return "delivered"
    return "out_for_delivery" if "out_for_delivery" in statuses else "shipped"

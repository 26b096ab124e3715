"""WooCommerce as Baton's shop platform, over the REST API v3 (``{site}/wp-json/wc/v3``).

The JSON → ``Platform*`` mapping, and what it loses, is in
:mod:`actions.shop.woocommerce_mapping`. Here: HTTP, finding things, and the writes.

- Auth is HTTP Basic with the consumer key and secret, which WooCommerce accepts over HTTPS
  only; plain http is refused except to a loopback host (the local fake). Keys, e-mails and
  phone numbers are never logged: log lines name the method, the path and the status, never a
  query string (searches carry e-mails and phones).
- An order number may differ from its id (sequential-number plugins, which also make the
  number searchable): ``GET /orders?search=<number>`` and an exact match on ``number``, then
  ``GET /orders/<number>`` for shops where number and id are the same.
- A customer by phone: WooCommerce cannot filter by phone, so the adapter searches orders for
  the number written four ways (E.164, national, its last six digits, its last four) and keeps
  orders whose billing phone, made E.164 from the billing country, is exactly the one asked
  for. Lossy: a number stored with a space inside its last four digits in no other form, or
  whose last four digits match more than 100 newer orders, is missed.
- A guest (orders, no account) has ``guest:<email>`` as ref: the only stable handle WooCommerce
  gives; it is personal data, like the e-mail it holds.
- Returns are order notes ``Baton return RMA-…: …`` (WooCommerce has no return object),
  idempotent per RMA by reading the notes first (two concurrent calls could both write).
- Cancelling: ``PUT status=cancelled`` (WooCommerce restocks), a note ``Cancellation reason: …``
  and, for a paid order, a refund of what is left with ``api_refund: true`` so the money really
  goes back through the gateway. If the gateway cannot refund, a note asks staff to refund by
  hand and the order comes back cancelled but still ``paid``, for the caller to hand over.
- Cancelling some items, paying a claim: refunds (:mod:`actions.shop.woocommerce_refunds`).
- Failures: timeout → ``timeout``; connection refused or 5xx → one retry after a short pause,
  then ``down`` (never for POST: a note or refund must not be written twice); 401/403 →
  ``unauthorized``; 429 → wait ``Retry-After`` within a 3 s budget, then ``rate_limited``;
  anything unparseable → ``bad_response``; 404 on one order → None.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Sequence
from decimal import Decimal
from typing import Any, Optional
from urllib.parse import urlsplit

from actions.shop import woocommerce_mapping as wm
from actions.shop import woocommerce_refunds, woocommerce_replacements
from actions.shop import woocommerce_stock as ws
from actions.shop.claim_replacement import PlatformReplacement
from actions.shop.platform import (
    ClaimPayment,
    ItemsCancellation,
    PlatformAddress,
    PlatformCustomer,
    PlatformOrder,
    ReturnRequest,
    ShopCheck,
    ShopUnavailable,
)
from actions.shop.woocommerce_http import WooHttp, WooSettings, checked

__all__ = ["WooCommercePlatform", "WooSettings"]
PRODUCT_TTL = 600.0  # categories and tags change rarely; a restart refreshes them too


class WooCommercePlatform(WooHttp):
    name = "woocommerce"

    def __init__(self, settings: WooSettings) -> None:
        super().__init__(settings)
        self._products: dict[int, tuple[float, tuple[str, bool]]] = {}

    # --- reading ----------------------------------------------------------------------------

    async def order(self, number: str) -> Optional[PlatformOrder]:
        number = number.strip().lstrip("#")
        if not number:
            return None
        found = await self._list("orders", {"search": number, "per_page": 100})
        match = next((o for o in found if str(o.get("number")) == number), None)
        if match is None and number.isdigit():
            by_id = await self._call("GET", f"orders/{number}", missing_ok=True)
            if isinstance(by_id, dict) and str(by_id.get("number")) == number:
                match = by_id
        return None if match is None else await self._complete(match)

    async def _by_id(self, ref: str) -> PlatformOrder:
        data = await self._call("GET", f"orders/{int(ref)}")
        return await self._complete(data)

    async def _complete(self, data: wm.Json) -> PlatformOrder:
        """Fetch what the order JSON only points at (notes, refunds, products) and map."""
        order_id = int(data["id"])

        async def nothing() -> list[wm.Json]:
            return []

        notes, refund_list, products = await asyncio.gather(
            self._list(f"orders/{order_id}/notes", {}) if wm.needs_notes(data) else nothing(),
            self._list(f"orders/{order_id}/refunds", {"per_page": 100})
            if data.get("refunds")
            else nothing(),
            self._product_facts([int(li.get("product_id") or 0) for li in data["line_items"]]),
        )
        try:
            return wm.order(data, notes, refund_list, products)
        except (KeyError, TypeError, ValueError, ArithmeticError) as exc:
            detail = f"order {order_id}: {type(exc).__name__}"
            raise ShopUnavailable("bad_response", detail) from exc

    async def _product_facts(self, ids: list[int]) -> dict[int, tuple[str, bool]]:
        now = time.monotonic()
        wanted = {i for i in ids if i}
        fetched = {i: self._products[i][0] for i in wanted if i in self._products}
        stale = sorted(i for i in wanted if now - fetched.get(i, -PRODUCT_TTL - 1) > PRODUCT_TTL)
        if stale:
            include = ",".join(map(str, stale))
            for p in await self._list("products", {"include": include, "per_page": 100}):
                self._products[int(p["id"])] = (now, wm.product_facts(p))
        return {i: self._products[i][1] for i in wanted if i in self._products}

    async def _orders(self, params: dict[str, Any], keep: Any, limit: int) -> list[PlatformOrder]:
        found = [o for o in await self._list("orders", params) if keep(o)][:limit]
        return list(await asyncio.gather(*(self._complete(o) for o in found)))

    async def customer_by_email(self, email: str) -> Optional[PlatformCustomer]:
        email = email.strip()
        if not email:
            return None
        accounts = await self._list("customers", {"email": email, "role": "all"})
        if accounts:
            return wm.account_customer(accounts[0])
        found = await self._list("orders", {"search": email, "per_page": 20})
        same = [o for o in found if _billing_email(o) == email.lower()]
        return await self._customer_of(same)

    async def customer_by_phone(self, phone: str) -> Optional[PlatformCustomer]:
        wanted = wm.e164(phone)
        if wanted is None:
            return None
        for term in _phone_terms(wanted):
            found = await self._list("orders", {"search": term, "per_page": 100})
            same = [o for o in found if _billing_phone(o) == wanted]
            if same:
                return await self._customer_of(same)
        return None

    async def _customer_of(self, orders: list[wm.Json]) -> Optional[PlatformCustomer]:
        """The customer of the newest of ``orders``: their account if they have one."""
        if not orders:
            return None
        newest = max(orders, key=lambda o: o.get("date_created_gmt") or "")
        customer_id = int(newest.get("customer_id") or 0)
        if customer_id:
            account = await self._call("GET", f"customers/{customer_id}", missing_ok=True)
            if isinstance(account, dict):
                return wm.account_customer(account)
        return wm.order_customer(newest)

    async def customer_orders(self, customer_ref: str, limit: int) -> list[PlatformOrder]:
        newest = {"orderby": "date", "order": "desc"}
        if customer_ref.startswith("guest:"):
            email = customer_ref.removeprefix("guest:")
            return await self._orders(
                {**newest, "search": email, "per_page": 100},
                lambda o: not o.get("customer_id") and _billing_email(o) == email,
                limit,
            )
        params = {**newest, "customer": int(customer_ref), "per_page": max(1, min(limit, 100))}
        return await self._orders(params, lambda o: True, limit)

    # --- writing ------------------------------------------------------------------------------

    async def _note(self, order_id: str, text: str) -> wm.Json:
        body = {"note": text, "customer_note": False}
        note: wm.Json = await self._call("POST", f"orders/{int(order_id)}/notes", body=body)
        return note

    async def record_return(self, order: PlatformOrder, request: ReturnRequest) -> str:
        marker = f"Baton return {request.rma}:"
        for note in await self._list(f"orders/{int(order.ref)}/notes", {}):
            if (note.get("note") or "").startswith(marker):
                return str(note["id"])
        names = {i.ref: f"{i.product_name} ({i.sku})" for i in order.items}
        lines = ", ".join(f"{qty} × {names.get(ref, 'item ' + ref)}" for ref, qty in request.lines)
        text = f"{marker} {lines}; reason: {request.reason}"
        if request.note:
            text += f"; customer's note: {request.note}"
        return str((await self._note(order.ref, text))["id"])

    async def cancel_order(self, order: PlatformOrder, reason: str) -> PlatformOrder:
        path = f"orders/{int(order.ref)}"
        current = await self._call("PUT", path, body={"status": "cancelled"})
        await self._note(order.ref, f"Cancellation reason: {reason}")
        if current.get("date_paid_gmt"):
            refunded = [wm.money(r.get("total")).copy_abs() for r in current.get("refunds") or []]
            already = sum(refunded, Decimal(0))
            left = wm.money(current.get("total")) - already
            if left > 0:
                refund = {
                    "amount": str(left),
                    "reason": f"Order cancelled: {reason}",
                    "api_refund": True,
                    "api_restock": False,
                }
                try:
                    await self._call("POST", f"{path}/refunds", body=refund)
                except ShopUnavailable as exc:
                    if exc.kind in ("timeout", "rate_limited", "unauthorized"):
                        raise
                    failed = f"{left} {current.get('currency')}"
                    await self._note(
                        order.ref,
                        f"Baton: the automatic refund of {failed} failed; please refund by hand.",
                    )
        return await self._by_id(order.ref)

    async def cancel_items(self, order: PlatformOrder, cancel: ItemsCancellation) -> PlatformOrder:
        """A refund of the lines (:mod:`actions.shop.woocommerce_refunds`), then the order."""
        await woocommerce_refunds.cancel_items(self, order, cancel)
        return await self._by_id(order.ref)

    async def refund_claim(self, order: PlatformOrder, pay: ClaimPayment) -> PlatformOrder:
        """A refund of the claim, nothing restocked (:mod:`actions.shop.woocommerce_refunds`)."""
        await woocommerce_refunds.refund_claim(self, order, pay)
        return await self._by_id(order.ref)

    async def replacement_of(self, order: PlatformOrder, claim: str) -> Optional[PlatformOrder]:
        """The order naming the claim (:mod:`actions.shop.woocommerce_replacements`)."""
        found = await woocommerce_replacements.replacement_of(self, order, claim)
        return None if found is None else await self._complete(found)

    async def send_replacement(
        self, order: PlatformOrder, send: PlatformReplacement
    ) -> PlatformOrder:
        """``POST /orders`` at no charge, paid, its meta data naming the claim."""
        made = await woocommerce_replacements.send_replacement(self, order, send)
        return await self._by_id(str(made["id"]))

    async def stock(self, skus: Sequence[str]) -> dict[str, Optional[int]]:
        """Products' stock by SKU (:mod:`actions.shop.woocommerce_stock`)."""
        found: list[wm.Json] = []
        for batch in ws.batches(skus):
            found += await self._list("products", {"sku": ",".join(batch), "per_page": 100})
        return ws.levels(found, list(skus))

    async def change_address(self, order: PlatformOrder, address: PlatformAddress) -> PlatformOrder:
        shipping = {
            "address_1": address.line1,
            "address_2": address.line2 or "",
            "city": address.city,
            "postcode": address.postal_code,
            "country": address.country,
        }
        await self._call("PUT", f"orders/{int(order.ref)}", body={"shipping": shipping})
        await self._note(order.ref, "Baton changed the delivery address at the customer's request.")
        return await self._by_id(order.ref)

    async def check(self) -> ShopCheck:
        site = await self._call("GET", "", root=True)
        system = await self._call("GET", "system_status")
        status, _, headers = await self._send("GET", "orders", {"per_page": 1})
        checked("GET", "orders", status, [], False)
        total = int(headers.get("X-WP-Total") or 0)
        # A write that cannot succeed: a read-only key is refused before routing (401), a
        # read/write key reaches the route and is told order 0 does not exist (404).
        probe, _, _ = await self._send("POST", "orders/0/notes", body={"note": ""})
        writable = probe not in (401, 403)
        problems = (
            []
            if writable
            else [
                "the API key is read-only: Baton cannot record returns, cancel orders or change "
                "addresses (give it Read/Write permission)"
            ]
        )
        if total == 0:
            problems.append("no orders are readable with this key")
        version = (system.get("environment") or {}).get("version") or "?"
        return ShopCheck(
            platform=self.name,
            shop=str(site.get("name") or urlsplit(self.settings.site_url).hostname),
            api_version=f"wc/v3 (WooCommerce {version})",
            orders_readable=True,
            sample_order_count=total,
            scopes=("read", "write") if writable else ("read",),
            problems=tuple(problems),
        )


def _billing_email(order: wm.Json) -> str:
    return str((order.get("billing") or {}).get("email") or "").lower()


def _billing_phone(order: wm.Json) -> Optional[str]:
    billing = order.get("billing") or {}
    country = billing.get("country") or (order.get("shipping") or {}).get("country")
    return wm.e164(billing.get("phone"), country)


def _phone_terms(number: str) -> list[str]:
    """What to search for: the E.164 form, the national form, the last six and four digits
    (shops store numbers with spaces anywhere: "+353 85 123 4567")."""
    terms = [number]
    for code in sorted(set(wm.CALLING_CODES.values()), key=len, reverse=True):
        if number.startswith("+" + code):
            terms.append("0" + number[1 + len(code) :])
            break
    terms += [number[-6:], number[-4:]]
    return terms

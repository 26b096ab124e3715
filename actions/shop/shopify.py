"""Shopify as a :class:`~actions.shop.platform.ShopPlatform`, over the Admin GraphQL API.

One ``POST {base}/admin/api/2024-10/graphql.json`` per call with the ``X-Shopify-Access-Token``
of a custom app (transport and retry policy: :mod:`actions.shop.shopify_client`; documents
sent: :mod:`actions.shop.shopify_queries`; JSON → Baton: :mod:`actions.shop.shopify_mapping`;
webhooks: :mod:`actions.shop.shopify_webhooks`, re-exported here).

Baton's words and where they come from in Shopify:

=========================  ==============================================================
Baton                      Shopify
=========================  ==============================================================
order ``ref``              ``Order.id`` (the gid, ``gid://shopify/Order/…``); every other
                           ref (customer, line item, fulfillment, refund) is its gid too
``number``                 ``Order.name`` without ``#``
``placed_at``              ``Order.createdAt``
``paid_at``                earliest successful SALE/CAPTURE ``transactions.processedAt``
``status`` cancelled       ``Order.cancelledAt`` set
``status`` from shipments  all delivered → delivered; any lost → lost_in_transit; any
                           delayed → delayed; any out for delivery → out_for_delivery;
                           otherwise shipped (canceled fulfillments are ignored)
``status`` packed          no fulfillment yet and ``displayFulfillmentStatus`` IN_PROGRESS
``status`` paid / placed   no fulfillment; ``displayFinancialStatus`` PAID (or refunds)
                           → paid, anything else → placed
``payment_status``         PAID → paid, PARTIALLY_REFUNDED → partially_refunded (paid
                           when every refund only cancelled lines),
                           REFUNDED → refunded, VOIDED → voided, other → pending
``refunded_at``            latest ``refunds.createdAt`` when (partially) refunded
``expected_dispatch``      earliest ``fulfillmentOrders.fulfillBy`` of open fulfillment
                           orders; else metafield ``baton.expected_dispatch`` (date)
``promised_delivery``      metafield ``baton.promised_delivery`` (date): Shopify has none
``cancellation_reason``    metafield ``baton.cancellation_reason`` if set, else a sentence
                           for ``Order.cancelReason`` (CUSTOMER, INVENTORY, DECLINED, …)
``payment_method``         card transaction: "Visa ending 4242"; wallet: "Apple Pay";
                           else the gateway ("PayPal"), else ``paymentGatewayNames``
shipment ``status``        ``Fulfillment.displayStatus`` (LABEL_* / CONFIRMED →
                           label_created, IN_TRANSIT / FULFILLED → in_transit,
                           OUT_FOR_DELIVERY / ATTEMPTED_DELIVERY → out_for_delivery,
                           DELIVERED / PICKED_UP → delivered, FAILURE / NOT_DELIVERED →
                           delayed); a latest event DELAYED (API 2025-01+) → delayed;
                           metafield ``baton.shipments`` ``{"<fulfillment id>": {"status":
                           "delayed"|"lost"}}`` overrides
``shipped_at``             ``inTransitAt``, else ``createdAt``
``estimated_delivery``     ``estimatedDeliveryAt`` (its UTC date)
``delivered_to``           metafield ``baton.shipments`` ``{"<id>": {"delivered_to": …}}``
event status / location    ``FulfillmentEvent.status`` lower-cased / ``city``
item ``product_name``      ``LineItem.name``; ``category``: ``product.productType``;
                           ``final_sale``: a ``final-sale`` product tag
refund ``rma``             the refund's ``return``, whose line items' ``returnReasonNote``
                           carries "Baton RMA <rma>" (written by ``record_return``)
item ``cancelled_at``      a refund whose ``refundLineItems`` with restockType CANCEL cover
                           the whole line (its ``createdAt``); ``refunded``: their
                           ``subtotalSet`` (:mod:`actions.shop.shopify_refunds`)
refund ``destination``     the refund's transaction, formatted like ``payment_method``;
                           a store-credit gateway → "store credit"
refund ``claim``           the refund's ``note`` "Baton claim CLM-…" (``refund_claim``'s)
=========================  ==============================================================

Lossy spots, on purpose and known:

* API 2024-10 has no DELAYED fulfillment event status (it arrived in 2025-01), so a delayed
  parcel's *events* read as in_transit; the *shipment* is delayed only through a DELAYED
  event on newer versions, FAILURE/NOT_DELIVERED, or the ``baton.shipments`` metafield.
* "lost" exists only through that metafield: Shopify never declares a parcel lost.
* "packed" exists only when the shop's flow marks the fulfillment order IN_PROGRESS.
* Cancellation reasons are an enum in Shopify; Baton's sentence survives only through the
  ``baton.cancellation_reason`` metafield (Baton's own cancellations send it as staffNote,
  which is not read back), so a Baton cancellation reads back as the enum's sentence.
* Shopify has no "doesn't fit" return reason (only too small / too large): it goes as OTHER
  with the customer's words in the note.
* A refund to store credit is recognised by its gateway name only.
* Lists are read truncated at the page sizes in :mod:`actions.shop.shopify_queries`.
* ``cancel_order`` waits (bounded, ~2 s) for Shopify's asynchronous cancel job to show in
  the order; if it has not, the order is returned as read, not yet cancelled.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from typing import Optional

from actions.shop import shopify_mapping as m
from actions.shop import shopify_queries as q
from actions.shop import shopify_replacements, shopify_stock
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
from actions.shop.shopify_client import (
    API_VERSION,
    ShopifyGraphQL,
    ShopifySettings,
    ShopifyUserError,
    mutation_payload,
    quote,
)
from actions.shop.shopify_refunds import refund_claim, refund_lines
from actions.shop.shopify_returns import record_return
from actions.shop.shopify_webhooks import verify_webhook, webhook_order_number, webhook_order_ref

__all__ = [
    "API_VERSION",
    "REQUIRED_SCOPES",
    "ShopifyPlatform",
    "ShopifySettings",
    "ShopifyUserError",
    "verify_webhook",
    "webhook_order_number",
    "webhook_order_ref",
]

#: What Baton needs, and why: read orders/customers/fulfillments to answer, write orders to
#: cancel and change addresses, returns to record the returns started in chat.
REQUIRED_SCOPES = (
    "read_orders",
    "write_orders",
    "read_customers",
    "read_fulfillments",
    "read_returns",
    "write_returns",
)


class ShopifyPlatform:
    """The adapter. One aiohttp session, opened on first use and closed by :meth:`close`."""

    name = "shopify"

    def __init__(
        self,
        settings: ShopifySettings,
        timeout: float = 5.0,
        wait_budget: float = 3.0,
        backoff: float = 0.25,
    ) -> None:
        self.settings = settings
        self._api = ShopifyGraphQL(settings, timeout, wait_budget, backoff)
        self._call = self._api.call

    # --- the contract ------------------------------------------------------------------

    async def order(self, number: str) -> Optional[PlatformOrder]:
        name = "#" + number.strip().lstrip("#")
        data = await self._call(q.ORDER_BY_NAME, {"query": f"name:{quote(name)}"})
        for node in m.nodes(data.get("orders") or {}):
            if node.get("name") == name:  # search is fuzzy; the number is not
                return m.order(node)
        return None

    async def order_by_ref(self, ref: str) -> Optional[PlatformOrder]:
        """The order with this gid (what a ``refunds/create`` webhook gives, via its order_id)."""
        data = await self._call(q.ORDER_BY_ID, {"id": ref})
        return m.order(data["order"]) if data.get("order") else None

    async def customer_by_email(self, email: str) -> Optional[PlatformCustomer]:
        return await self._customer(f"email:{quote(email.strip())}")

    async def customer_by_phone(self, phone: str) -> Optional[PlatformCustomer]:
        return await self._customer(f"phone:{quote(phone.strip())}")

    async def customer_orders(self, customer_ref: str, limit: int) -> list[PlatformOrder]:
        """Newest first. Listed cheaply, then read one by one: the full order document times
        ``limit`` would exceed Shopify's 1,000-point ceiling for a single query."""
        if limit <= 0:
            return []
        data = await self._call(q.CUSTOMER_ORDERS, {"id": customer_ref, "first": limit})
        listed = m.nodes((data.get("customer") or {}).get("orders"))
        out = []
        for node in listed[:limit]:
            found = await self.order_by_ref(str(node["id"]))
            if found is not None:
                out.append(found)
        return out

    async def record_return(self, order: PlatformOrder, request: ReturnRequest) -> str:
        """``returnCreate``, once per RMA (:mod:`actions.shop.shopify_returns`)."""
        return await record_return(self._call, order, request)

    async def cancel_order(self, order: PlatformOrder, reason: str) -> PlatformOrder:
        """``orderCancel`` runs as a job: read back until it shows (bounded), then return it."""
        return await self._cancel(order, reason, refund=True)

    async def cancel_items(self, order: PlatformOrder, cancel: ItemsCancellation) -> PlatformOrder:
        """A refund of the lines with restock type CANCEL (:mod:`actions.shop.shopify_refunds`);
        the order cancelled too, without a second refund, when they were the last lines."""
        await refund_lines(self._call, order, cancel)
        if cancel.whole:
            return await self._cancel(order, cancel.reason, refund=False)
        return await self._reread(order)

    async def _cancel(self, order: PlatformOrder, reason: str, refund: bool) -> PlatformOrder:
        result = await self._call(
            q.ORDER_CANCEL,
            {
                "orderId": order.ref,
                "reason": m.cancel_reason_enum(reason),
                "staffNote": f"Baton: {reason}"[:255],
                "refund": refund,
            },
        )
        self._mutation(result, "orderCancel", "orderCancelUserErrors")
        current = await self._reread(order)
        for _ in range(4):
            if current.cancelled_at is not None:
                break
            await asyncio.sleep(0.5)
            current = await self._reread(order)
        return current

    async def refund_claim(self, order: PlatformOrder, pay: ClaimPayment) -> PlatformOrder:
        """A refund of the claim with restock type NO_RESTOCK, its note naming the claim
        (:mod:`actions.shop.shopify_refunds`); the order read back."""
        await refund_claim(self._call, order, pay)
        return await self._reread(order)

    async def replacement_of(self, order: PlatformOrder, claim: str) -> Optional[PlatformOrder]:
        """The order tagged with the claim's number (:mod:`actions.shop.shopify_replacements`)."""
        return await shopify_replacements.replacement_of(self._call, claim)

    async def send_replacement(
        self, order: PlatformOrder, send: PlatformReplacement
    ) -> PlatformOrder:
        """``orderCreate`` at no charge, tagged with the claim; the new order read back."""
        ref = await shopify_replacements.send_replacement(self._call, order, send)
        made = await self.order_by_ref(ref)
        if made is None:  # pragma: no cover - Shopify answered with an order it cannot read
            raise ShopifyUserError(f"order {ref} made but not found")
        return made

    async def stock(self, skus: Sequence[str]) -> dict[str, Optional[int]]:
        """Variants' ``inventoryQuantity`` by SKU (:mod:`actions.shop.shopify_stock`)."""
        return await shopify_stock.stock(self._call, list(skus))

    async def change_address(self, order: PlatformOrder, address: PlatformAddress) -> PlatformOrder:
        shipping = {
            "address1": address.line1,
            "address2": address.line2 or "",
            "city": address.city,
            "zip": address.postal_code,
            "countryCode": address.country,
        }
        result = await self._call(
            q.ORDER_UPDATE, {"input": {"id": order.ref, "shippingAddress": shipping}}
        )
        self._mutation(result, "orderUpdate", "userErrors")
        return await self._reread(order)

    async def check(self) -> ShopCheck:
        data = await self._call(q.CHECK, {})
        shop = data.get("shop") or {}
        scopes = tuple(
            sorted(
                s.get("handle", "")
                for s in ((data.get("currentAppInstallation") or {}).get("accessScopes") or [])
            )
        )
        implied = set(scopes) | {s.replace("write_", "read_") for s in scopes}
        problems = tuple(f"missing access scope {s}" for s in REQUIRED_SCOPES if s not in implied)
        count = data.get("ordersCount")
        return ShopCheck(
            platform=self.name,
            shop=shop.get("myshopifyDomain") or shop.get("name") or self.settings.shop_domain,
            api_version=self.settings.api_version,
            orders_readable=count is not None,
            sample_order_count=int((count or {}).get("count") or 0),
            scopes=scopes,
            problems=problems,
        )

    async def close(self) -> None:
        await self._api.close()

    # --- plumbing ----------------------------------------------------------------------

    async def _customer(self, search: str) -> Optional[PlatformCustomer]:
        data = await self._call(q.CUSTOMER_SEARCH, {"query": search})
        found = m.nodes(data.get("customers"))
        return m.customer(found[0]) if found else None

    async def _reread(self, order: PlatformOrder) -> PlatformOrder:
        current = await self.order_by_ref(order.ref)
        if current is None:
            raise ShopUnavailable("bad_response", f"order {order.number} vanished")
        return current

    _mutation = staticmethod(mutation_payload)

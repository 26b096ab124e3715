"""The GraphQL documents :mod:`actions.shop.shopify` sends to the Shopify Admin API (2024-10).

Every operation is named (``BatonOrderByName`` …): Shopify's logs and the local fake
(``fakes/shopify.py``, which dispatches on the operation name) both see which call it was.

Page sizes are deliberately small. Shopify charges a query by its *requested* cost, which
multiplies through nested connections, and refuses anything over 1,000 points; one order with
its fulfillments, events, returns, transactions and refunded lines stays well under that. A
support conversation needs an order, not an order's entire history, so an order with more than
50 line items, 10 fulfillments, 25 events per fulfillment, 10 returns or 10 refunds of 25 lines
is read truncated (documented in :mod:`actions.shop.shopify_mapping`).
"""

from __future__ import annotations

ORDER_FIELDS = """
fragment BatonOrder on Order {
  id
  legacyResourceId
  name
  tags
  email
  createdAt
  processedAt
  cancelledAt
  cancelReason
  currencyCode
  displayFinancialStatus
  displayFulfillmentStatus
  paymentGatewayNames
  subtotalPriceSet { shopMoney { amount currencyCode } }
  totalShippingPriceSet { shopMoney { amount currencyCode } }
  totalPriceSet { shopMoney { amount currencyCode } }
  customer {
    id firstName lastName email phone
    defaultAddress { zip }
  }
  shippingAddress { address1 address2 city zip countryCodeV2 }
  metafields(namespace: "baton", first: 10) { nodes { key type value } }
  lineItems(first: 50) {
    nodes {
      id sku name title quantity
      originalUnitPriceSet { shopMoney { amount currencyCode } }
      product { productType tags }
    }
  }
  fulfillmentOrders(first: 5) { nodes { id status fulfillBy } }
  fulfillments(first: 10) {
    id legacyResourceId displayStatus createdAt inTransitAt deliveredAt estimatedDeliveryAt
    trackingInfo(first: 1) { company number url }
    events(first: 25, sortKey: HAPPENED_AT) { nodes { happenedAt status message city } }
    fulfillmentLineItems(first: 50) { nodes { id quantity lineItem { id } } }
  }
  transactions(first: 10) {
    kind status processedAt gateway formattedGateway
    paymentDetails { ... on CardPaymentDetails { company number wallet } }
  }
  refunds(first: 10) {
    id createdAt note
    totalRefundedSet { shopMoney { amount currencyCode } }
    return { id }
    refundLineItems(first: 25) {
      nodes {
        quantity restockType lineItem { id }
        subtotalSet { shopMoney { amount currencyCode } }
      }
    }
    transactions(first: 5) {
      nodes {
        kind gateway formattedGateway
        paymentDetails { ... on CardPaymentDetails { company number wallet } }
      }
    }
  }
  returns(first: 10) {
    nodes {
      id name status
      returnLineItems(first: 25) { nodes { ... on ReturnLineItem { returnReasonNote } } }
    }
  }
}
"""

ORDER_BY_NAME = (
    """
query BatonOrderByName($query: String!) {
  orders(first: 1, query: $query) { nodes { ...BatonOrder } }
}
"""
    + ORDER_FIELDS
)

ORDER_BY_ID = (
    """
query BatonOrderById($id: ID!) {
  order(id: $id) { ...BatonOrder }
}
"""
    + ORDER_FIELDS
)

CUSTOMER_SEARCH = """
query BatonCustomerSearch($query: String!) {
  customers(first: 1, query: $query) {
    nodes { id firstName lastName email phone defaultAddress { zip } }
  }
}
"""

CUSTOMER_ORDERS = """
query BatonCustomerOrders($id: ID!, $first: Int!) {
  customer(id: $id) {
    orders(first: $first, sortKey: CREATED_AT, reverse: true) { nodes { id name } }
  }
}
"""

RETURN_CONTEXT = """
query BatonReturnContext($id: ID!) {
  order(id: $id) {
    id
    fulfillments(first: 10) {
      fulfillmentLineItems(first: 50) { nodes { id quantity lineItem { id } } }
    }
    returns(first: 25) {
      nodes {
        id name status
        returnLineItems(first: 25) { nodes { ... on ReturnLineItem { returnReasonNote } } }
      }
    }
  }
}
"""

RETURN_CREATE = """
mutation BatonReturnCreate($returnInput: ReturnInput!) {
  returnCreate(returnInput: $returnInput) {
    return { id name status }
    userErrors { field message }
  }
}
"""

ORDER_CANCEL = """
mutation BatonOrderCancel($orderId: ID!, $reason: OrderCancelReason!, $staffNote: String,
                         $refund: Boolean!) {
  orderCancel(orderId: $orderId, reason: $reason, refund: $refund, restock: true,
              notifyCustomer: true, staffNote: $staffNote) {
    job { id done }
    orderCancelUserErrors { field message code }
  }
}
"""

REFUND_CONTEXT = """
query BatonRefundContext($id: ID!) {
  order(id: $id) {
    id
    transactions(first: 10) { id kind status gateway }
  }
}
"""

REFUND_CREATE = """
mutation BatonRefundCreate($input: RefundInput!) {
  refundCreate(input: $input) {
    refund { id totalRefundedSet { shopMoney { amount currencyCode } } }
    userErrors { field message }
  }
}
"""

ORDER_UPDATE = """
mutation BatonOrderUpdate($input: OrderInput!) {
  orderUpdate(input: $input) {
    order { id }
    userErrors { field message }
  }
}
"""

# Stock of the variants with these SKUs ("sku:A OR sku:B"): units available summed over the
# shop's locations, and whether Shopify tracks the item at all.
VARIANT_STOCK = """
query BatonVariantStock($query: String!, $first: Int!) {
  productVariants(first: $first, query: $query) {
    nodes { id sku inventoryQuantity inventoryItem { tracked } }
  }
}
"""

# A claim's replacement: a paid order at no charge, tagged with the claim's number (found again
# with ORDER_BY_NAME and the query 'tag:"CLM-…"' before another is made).
ORDER_CREATE = """
mutation BatonOrderCreate($order: OrderCreateOrderInput!, $options: OrderCreateOptionsInput) {
  orderCreate(order: $order, options: $options) {
    order { id name }
    userErrors { field message code }
  }
}
"""

CHECK = """
query BatonCheck {
  shop { name myshopifyDomain }
  currentAppInstallation { accessScopes { handle } }
  ordersCount { count precision }
}
"""

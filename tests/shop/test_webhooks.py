"""Which order a platform's webhook is about, and whether it is really the platform's: the
pure half of connectors/shop_webhooks.py (the route itself is tested end to end in
tests/e2e/test_shop_platforms.py)."""

from __future__ import annotations

import pytest

from actions.shop.webhooks import ChangedOrder, changed_order, sign, signature_valid


def test_a_body_signed_with_the_secret_is_accepted_and_any_change_is_not() -> None:
    body = b'{"id": 5001, "number": "10001"}'
    signature = sign(body, "s3cret")
    assert signature_valid(body, signature, "s3cret")
    assert not signature_valid(body + b" ", signature, "s3cret")
    assert not signature_valid(body, signature, "other")
    assert not signature_valid(body, None, "s3cret")
    assert not signature_valid(body, signature, "")  # no secret configured: nothing passes


def test_a_shopify_order_webhook_names_the_order_as_customers_write_it() -> None:
    payload = {
        "id": 450789469,
        "name": "#10001",
        "admin_graphql_api_id": "gid://shopify/Order/450789469",
    }
    assert changed_order("shopify", payload) == ChangedOrder(
        "10001", "gid://shopify/Order/450789469"
    )


def test_a_shopify_refund_webhook_names_the_order_only_by_its_id() -> None:
    found = changed_order("shopify", {"id": 509562969, "order_id": 450789469})
    assert found == ChangedOrder(None, "gid://shopify/Order/450789469")


def test_a_woocommerce_order_webhook_names_the_number_and_the_id() -> None:
    assert changed_order("woocommerce", {"id": 5001, "number": "10001"}) == ChangedOrder(
        "10001", "5001"
    )


@pytest.mark.parametrize(
    "platform, payload",
    [
        ("shopify", {"hello": "world"}),
        ("woocommerce", {"number": "<script>"}),
        ("woocommerce", ["not", "an", "object"]),
        ("shopify", "10001"),
    ],
)
def test_a_payload_that_names_no_order_is_not_taken_for_one(platform: str, payload: object) -> None:
    assert changed_order(platform, payload) is None

"""``python -m bot check-shop`` against each platform's fake: it says what Baton can read of
the shop and never prints a customer's name, e-mail address or phone number, or a key."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from actions.shop.demo import demo_platform_orders
from bot.check_shop import check
from fakes.shops import shop_env, start_shop_fake

PLATFORMS = ("shopify", "woocommerce")


@pytest.fixture(params=PLATFORMS)
def platform(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    url, proc = start_shop_fake(request.param)
    try:
        for key, value in shop_env(request.param, url).items():
            monkeypatch.setenv(key, value)
        yield request.param
    finally:
        proc.kill()
        proc.wait()


async def test_check_shop_reads_the_shop_and_an_order_without_personal_data(platform: str) -> None:
    lines: list[str] = []
    assert await check("10001", lines.append) == 0, lines
    text = "\n".join(lines)
    assert f"shop backend: {platform}" in text
    assert "orders readable: yes" in text
    assert "order 10001: shipped, payment paid, 1 item(s), 1 parcel(s)" in text
    jane = next(o for o in demo_platform_orders() if o.number == "10001").customer
    for secret in (jane.email, jane.phone or "", jane.last_name, "Abbey Road"):
        assert secret not in text
    for key in ("SHOPIFY_ACCESS_TOKEN", "WOOCOMMERCE_CONSUMER_SECRET"):
        if os.environ.get(key):
            assert os.environ[key] not in text


async def test_check_shop_says_what_is_wrong_when_the_key_is_refused(
    platform: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SHOPIFY_ACCESS_TOKEN", "shpat_revoked")
    monkeypatch.setenv("WOOCOMMERCE_CONSUMER_SECRET", "cs_revoked")
    lines: list[str] = []
    assert await check(None, lines.append) == 1
    assert any("cannot read the shop (unauthorized)" in line for line in lines), lines


async def test_check_shop_reports_an_order_the_platform_does_not_have(platform: str) -> None:
    lines: list[str] = []
    assert await check("99999", lines.append) == 1
    assert any("order 99999: the platform has no such order" in line for line in lines)

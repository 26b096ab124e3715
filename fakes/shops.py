"""Start a commerce-platform fake (Shopify or WooCommerce) as a child process.

``start_shop_fake("shopify")`` runs ``python -m fakes.shopify`` on a free loopback port, waits
for ``/_fake/health`` and returns its base URL (Baton's ``SHOPIFY_API_URL``) and the process;
:func:`shop_env` is the environment that points Baton at it, with demo credentials that are
not secrets. Each platform's module is imported only when that platform is asked for.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Optional

from fakes.launch import _wait
from infra.procs import free_port

ROOT = Path(__file__).resolve().parent.parent
MODULES = {"shopify": "fakes.shopify", "woocommerce": "fakes.woocommerce"}


#: Signs the fakes' webhooks to Baton (``POST /_fake/webhook``); not a secret.
DEMO_WOO_WEBHOOK_SECRET = "demo-woocommerce-webhook-secret-not-a-secret"  # noqa: S105


def shop_env(platform: str, url: str) -> dict[str, str]:
    """What Baton needs to use the fake ``platform`` at ``url`` (demo credentials, including
    the secret Baton checks the fake's webhooks with)."""
    if platform == "shopify":
        from fakes.shopify import DEMO_ACCESS_TOKEN, DEMO_SHOP_DOMAIN, DEMO_WEBHOOK_SECRET

        return {
            "SHOP_BACKEND": "shopify",
            "SHOPIFY_SHOP_DOMAIN": DEMO_SHOP_DOMAIN,
            "SHOPIFY_ACCESS_TOKEN": DEMO_ACCESS_TOKEN,
            "SHOPIFY_API_URL": url,
            "SHOPIFY_WEBHOOK_SECRET": DEMO_WEBHOOK_SECRET,
        }
    if platform == "woocommerce":
        from fakes.woocommerce import DEMO_KEY, DEMO_SECRET

        return {
            "SHOP_BACKEND": "woocommerce",
            "WOOCOMMERCE_URL": url,
            "WOOCOMMERCE_CONSUMER_KEY": DEMO_KEY,
            "WOOCOMMERCE_CONSUMER_SECRET": DEMO_SECRET,
            "WOOCOMMERCE_WEBHOOK_SECRET": DEMO_WOO_WEBHOOK_SECRET,
        }
    raise ValueError(f"no fake for shop platform {platform!r}")


def start_shop_fake(
    platform: str, port: int = 0, logs: Optional[Path] = None, anchor: Optional[str] = None
) -> tuple[str, subprocess.Popen[bytes]]:
    """Start the fake of ``platform``; returns (base URL, process). The caller stops it."""
    if platform not in MODULES:
        raise ValueError(f"no fake for shop platform {platform!r}")
    port = port or free_port()
    url = f"http://127.0.0.1:{port}"
    command = [sys.executable, "-m", MODULES[platform], "--port", str(port)]
    if anchor:
        command += ["--anchor", anchor]
    out = (logs / f"{MODULES[platform]}.log").open("wb") if logs else subprocess.DEVNULL
    proc = subprocess.Popen(command, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT)  # noqa: S603
    if not _wait(f"{url}/_fake/health", [proc]):
        proc.kill()
        raise RuntimeError(f"the {platform} fake did not start")
    return url, proc

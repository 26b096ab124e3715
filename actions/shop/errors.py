"""What a shop backend's writes raise when the order (or the claim) does not allow them.

Apart from :mod:`actions.shop.backend` so that the modules a backend is made of
(:mod:`actions.shop.claim_payment`) raise it without importing the backend that imports them;
``actions.shop.backend.OrderNotChangeable`` is the same class.
"""

from __future__ import annotations


class OrderNotChangeable(Exception):
    """A cancel, address change or claim refund the order's state does not allow (already
    shipped, already cancelled, nothing left to refund) or the platform refused; ``reason`` is
    a short code for the reply."""

    def __init__(self, reason: str, detail: str = "") -> None:
        super().__init__(f"{reason}: {detail}" if detail else reason)
        self.reason = reason
        self.detail = detail

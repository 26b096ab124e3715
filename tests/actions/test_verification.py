from datetime import datetime, timedelta
from typing import Optional

from actions.services.verification import Outcome, needs_proof, proof_matches, verify_ownership
from tests.actions.fixtures import NOW, order


class FakeAttempts:
    """The repository methods verification needs, in memory."""

    def __init__(self) -> None:
        self.rows: dict[int, tuple[str, str, datetime, bool, Optional[str]]] = {}

    async def lock_verification(self, keys: list[str]) -> None:
        return None

    async def record_verification(
        self,
        order_number: str,
        conversation_id: str,
        at: datetime,
        succeeded: bool,
        client_key: Optional[str] = None,
    ) -> int:
        attempt = len(self.rows) + 1
        self.rows[attempt] = (order_number, conversation_id, at, succeeded, client_key)
        return attempt

    async def settle_verification(self, attempt: int, succeeded: bool) -> None:
        number, conv, at, _, client = self.rows[attempt]
        self.rows[attempt] = (number, conv, at, succeeded, client)

    async def forget_verification(self, attempt: int) -> None:
        del self.rows[attempt]

    async def failures_since(
        self,
        since: datetime,
        *,
        order_number: Optional[str] = None,
        conversation_id: str = "",
        client_key: Optional[str] = None,
        exclude: Optional[int] = None,
    ) -> int:
        by_conversation = conversation_id or (order_number is None and client_key is None)
        return sum(
            1
            for attempt, (number, conv, at, ok, client) in self.rows.items()
            if at >= since
            and not ok
            and attempt != exclude
            and (order_number is None or number == order_number)
            and (client_key is None or client == client_key)
            and (not by_conversation or conv == conversation_id)
        )


def test_the_orders_email_or_postcode_proves_ownership_in_any_case_and_spacing() -> None:
    o = order()
    assert proof_matches(o, "Jane.Doe@Example.com ")
    assert proof_matches(o, "sw1a1aa")
    assert proof_matches(o, "SW1A 1AA")
    assert not proof_matches(o, "someone@example.com")
    assert not proof_matches(o, "SW1A 1AB")
    assert not proof_matches(o, "")


def test_identified_customers_see_their_own_orders_without_proof() -> None:
    assert not needs_proof(owner_id=1, customer_id=1, order_number="10001", verified=[])
    assert needs_proof(owner_id=1, customer_id=2, order_number="10001", verified=[])
    assert needs_proof(owner_id=1, customer_id=None, order_number="10001", verified=[])
    assert not needs_proof(owner_id=1, customer_id=None, order_number="10001", verified=["10001"])
    assert needs_proof(owner_id=1, customer_id=None, order_number="10001", verified=["10002"])


async def test_five_failures_within_an_hour_lock_the_order() -> None:
    repo = FakeAttempts()
    o = order()
    outcomes = [
        (
            await verify_ownership(
                repo, o, f"guess{i}@example.com", "conv-a", NOW + timedelta(minutes=i)
            )
        ).outcome  # type: ignore[arg-type]
        for i in range(5)
    ]
    assert outcomes == [Outcome.MISMATCH] * 4 + [Outcome.LOCKED]
    # even the right answer is refused while locked
    right = await verify_ownership(
        repo, o, "jane.doe@example.com", "conv-a", NOW + timedelta(minutes=6)
    )  # type: ignore[arg-type]
    assert right.outcome is Outcome.LOCKED


async def test_the_lock_follows_the_guesser_across_conversations_and_expires_after_the_window() -> (
    None
):
    repo = FakeAttempts()
    o = order()
    for i in range(20):  # one browser, a new conversation for every guess
        await verify_ownership(repo, o, "wrong", f"conv-{i}", NOW, client_key="browser-1")  # type: ignore[arg-type]
    again = await verify_ownership(
        repo,
        o,
        "jane.doe@example.com",
        "conv-new",
        NOW + timedelta(minutes=30),
        client_key="browser-1",
    )  # type: ignore[arg-type]
    assert again.outcome is Outcome.LOCKED
    later = await verify_ownership(
        repo,
        o,
        "jane.doe@example.com",
        "conv-new",
        NOW + timedelta(minutes=61),
        client_key="browser-1",
    )  # type: ignore[arg-type]
    assert later.outcome is Outcome.VERIFIED


async def test_one_conversation_guessing_across_many_orders_is_locked_too() -> None:
    repo = FakeAttempts()
    for i in range(5):
        await verify_ownership(repo, order(number=f"1000{i}"), "wrong", "conv-x", NOW)  # type: ignore[arg-type]
    result = await verify_ownership(
        repo, order(number="10009"), "jane.doe@example.com", "conv-x", NOW
    )  # type: ignore[arg-type]
    assert result.outcome is Outcome.LOCKED


async def test_mismatch_reports_how_many_tries_are_left() -> None:
    repo = FakeAttempts()
    result = await verify_ownership(repo, order(), "nope", "conv-a", NOW)  # type: ignore[arg-type]
    assert result.outcome is Outcome.MISMATCH
    assert result.failures_left == 4

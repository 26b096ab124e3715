from datetime import datetime

from handoff.domain import Ticket
from handoff.routes.slack import slack_to_text
from handoff.slack import CLAIM, CLOSE, ticket_card


def _ticket(**extra: object) -> Ticket:
    base = dict(
        id=7,
        conversation_id="c",
        channel="webchat",
        status="waiting",
        reason="complaint",
        created_at=datetime(2026, 11, 23, 10, 0),
        customer_name="Jane Doe",
        context={
            "customer": {"name": "Jane Doe", "email": "jane@example.com", "phone": "+44 7700"},
            "orders": [
                {
                    "number": "10001",
                    "status": "shipped",
                    "total": "£52.95",
                    "shipments": [
                        {
                            "carrier": "DPD",
                            "tracking_number": "155",
                            "tracking_url": "https://t/155",
                        }
                    ],
                }
            ],
            "transcript": [{"sender": "user", "text": "<b>this is awful</b> & late"}],
            "bot_knows": {"order_number": "10001"},
        },
    )
    base.update(extra)
    return Ticket(**base)  # type: ignore[arg-type]


def test_the_card_shows_the_case_and_offers_claim_and_close() -> None:
    blocks = ticket_card(_ticket())
    text = str(blocks)
    assert "Handoff #7: Jane Doe" in text
    assert "jane@example.com" in text and "Complaint or angry message" in text
    assert "<https://t/155|155>" in text
    assert "&lt;b&gt;this is awful&lt;/b&gt; &amp; late" in text  # escaped for mrkdwn
    actions = next(b for b in blocks if b["type"] == "actions")
    assert [e["action_id"] for e in actions["elements"]] == [CLAIM, CLOSE]
    assert all(e["value"] == "7" for e in actions["elements"])


def test_a_claimed_card_only_offers_close_and_a_closed_one_nothing() -> None:
    claimed = ticket_card(_ticket(status="active", claimed_by=1))
    actions = next(b for b in claimed if b["type"] == "actions")
    assert [e["action_id"] for e in actions["elements"]] == [CLOSE]
    closed = ticket_card(_ticket(status="closed"))
    assert not [b for b in closed if b["type"] == "actions"]


def test_slack_text_becomes_plain_text() -> None:
    assert slack_to_text("see <https://x.test/a|the page> &amp; <mailto:a@b.c|a@b.c>") == (
        "see https://x.test/a & a@b.c"
    )

"""Slack rendering (Block Kit) and reading what Slack sends (mrkdwn, events worth answering)."""

from __future__ import annotations

from typing import Any

from connectors.channel_settings import SlackSettings
from connectors.render import chosen_blocks, render_slack, slack_mrkdwn
from connectors.slack import Address, SlackInput, clean_text
from fakes import slack as fake

BUTTONS = [
    {
        "title": "10001 · Stoneware table lamp (on its way)",
        "payload": '/inform{"order_number":"10001"}',
    },
    {
        "title": "10011 · Scented soy candle, fig & cedar +3 (delivered)",
        "payload": '/inform{"order_number":"10011"}',
    },
]


def test_buttons_become_an_actions_block_whose_values_are_the_payloads() -> None:
    [post] = render_slack([{"text": "Which order?", "buttons": BUTTONS}])
    section, actions = post.blocks
    assert section == {"type": "section", "text": {"type": "mrkdwn", "text": "Which order?"}}
    assert actions["type"] == "actions"
    assert [e["value"] for e in actions["elements"]] == [b["payload"] for b in BUTTONS]
    assert [e["text"]["text"] for e in actions["elements"]] == [b["title"] for b in BUTTONS]
    assert len({e["action_id"] for e in actions["elements"]}) == 2
    assert post.text == "Which order?"


def test_blocks_stay_within_slacks_limits() -> None:
    many = [{"title": f"Option {i} " + "x" * 90, "payload": f"/inform{{{i}}}"} for i in range(30)]
    long_text = "A sentence about your parcel. " * 150  # 4,500 characters
    posts = render_slack([{"text": long_text, "buttons": many}] * 20)  # 80 blocks
    for post in posts:
        assert fake._blocks_problem(post.blocks) is None
        assert len(post.blocks) <= 50
    assert len(posts) > 1


def test_text_is_escaped_for_mrkdwn_and_links_keep_their_titles() -> None:
    assert slack_mrkdwn("fig & cedar <b> [track](https://t.example/1?a=1&b=2) **now**") == (
        "fig &amp; cedar &lt;b&gt; <https://t.example/1?a=1&b=2|track> *now*"
    )


def test_images_become_image_blocks() -> None:
    [post] = render_slack([{"image": "https://shop.example/pack.png"}])
    assert post.blocks == [
        {"type": "image", "image_url": "https://shop.example/pack.png", "alt_text": "image"}
    ]


def test_a_clicked_question_loses_its_buttons_and_says_what_was_chosen() -> None:
    [post] = render_slack([{"text": "Which order?", "buttons": BUTTONS}])
    blocks = chosen_blocks(post.blocks, BUTTONS[1]["title"])
    assert [b["type"] for b in blocks] == ["section", "context"]
    assert "fig &amp; cedar" in blocks[1]["elements"][0]["text"]


def test_what_the_customer_typed_comes_back_without_slack_markup() -> None:
    text = "<@U0BATONBOT> it's <mailto:jane.doe@example.com|jane.doe@example.com> &amp; 10001"
    assert clean_text(text, "U0BATONBOT") == "it's jane.doe@example.com & 10001"
    assert clean_text("<@U0BATONBOT> see <https://x.example/a|x.example/a>", None) == (
        "see x.example/a"
    )


def test_the_lines_the_customer_typed_stay_lines_without_extra_spaces() -> None:
    typed = "<@U0BATONBOT>  2 Mill   Lane\n\n Leeds \nLS1 4AB  "
    assert clean_text(typed, "U0BATONBOT") == "2 Mill Lane\nLeeds\nLS1 4AB"


def _channel() -> SlackInput:
    settings = SlackSettings.from_env(
        {"SLACK_BOT_TOKEN": fake.DEMO_BOT_TOKEN, "SLACK_SIGNING_SECRET": fake.DEMO_SIGNING_SECRET}
    )
    return SlackInput(settings)


def _payload(**event: Any) -> dict[str, Any]:
    return fake.event_callback(event)


def test_a_direct_message_is_answered_in_the_dm_and_a_mention_in_a_thread() -> None:
    channel = _channel()
    dm = channel._inbound(_payload(**fake.message_event("U01JANE", "hi", "D01JANE", "1.000001")))
    assert dm is not None and dm.address == Address("D01JANE", None)
    mention = channel._inbound(
        _payload(**fake.app_mention_event("U01JANE", "<@U0BATONBOT> hi", "C0SUPPORT", "2.000001"))
    )
    assert mention is not None and mention.address == Address("C0SUPPORT", "2.000001")


def test_bot_messages_edits_and_unrelated_channel_talk_are_not_answered() -> None:
    channel = _channel()
    ignored = [
        fake.message_event("U0BATONBOT", "our own reply", "D01JANE", bot_id="B0BATONBOT"),
        fake.message_event("U06OTHERBOT", "another bot", "D01JANE", bot_id="B06"),
        fake.message_event("U01JANE", "x", "D01JANE", subtype="bot_message"),
        fake.message_event("U01JANE", "x", "D01JANE", subtype="message_changed"),
        fake.message_event("U01JANE", "x", "D01JANE", subtype="message_deleted"),
        fake.message_event("U01JANE", "x", "D01JANE", subtype="channel_join"),
        fake.message_event("U01JANE", "chatting with colleagues", "C0SUPPORT"),
        {"type": "reaction_added", "user": "U01JANE"},
    ]
    for event in ignored:
        assert channel._inbound(_payload(**event)) is None, event


def test_a_thread_the_bot_answered_in_is_followed_without_another_mention() -> None:
    channel = _channel()
    follow_up = fake.message_event("U01JANE", "and 10002?", "C0SUPPORT", thread_ts="5.000001")
    assert channel._inbound(_payload(**follow_up)) is None
    channel._follow(Address("C0SUPPORT", "5.000001"))
    found = channel._inbound(_payload(**follow_up))
    assert found is not None and found.address == Address("C0SUPPORT", "5.000001")

"""WhatsApp rendering: numbered options, answers by number or words, splitting, media."""

from __future__ import annotations

import pytest

from connectors.render import (
    WHATSAPP_MAX_CHARS,
    Option,
    pick_option,
    render_whatsapp,
    split_text,
    whatsapp_text,
)

ORDERS = [
    Option("10001 · Stoneware table lamp (on its way)", '/inform{"order_number":"10001"}'),
    Option("10007 · Bluetooth speaker, sand (out for delivery)", '/inform{"order_number":"10007"}'),
    Option("10002 · Lambswool crew jumper, navy (delivered)", '/inform{"order_number":"10002"}'),
]
BUTTONS = [{"title": o.title, "payload": o.payload} for o in ORDERS]


def test_buttons_become_numbered_options_under_the_question() -> None:
    turn = render_whatsapp([{"text": "Which order?", "buttons": BUTTONS}])
    assert len(turn.messages) == 1
    body = turn.messages[0].body
    assert body.startswith("Which order?\n\n1. 10001 · Stoneware table lamp (on its way)\n2. ")
    assert "3. 10002 · Lambswool crew jumper, navy (delivered)" in body
    assert "Reply with a number (1–3)" in body
    assert turn.options == ORDERS


def test_a_turn_without_buttons_offers_no_options() -> None:
    assert render_whatsapp([{"text": "Order 10001 is on its way."}]).options == []


def test_one_turns_texts_go_as_one_message_so_they_arrive_in_order() -> None:
    turn = render_whatsapp(
        [
            {"text": "Order 10010 is coming in 2 parcels:"},
            {"text": "Parcel 1: delivered."},
            {"text": "Parcel 2: on its way."},
        ]
    )
    assert [m.body for m in turn.messages] == [
        "Order 10010 is coming in 2 parcels:\n\nParcel 1: delivered.\n\nParcel 2: on its way."
    ]


@pytest.mark.parametrize("answer", ["2", " 2 ", "2.", "#2", "option 2", "2️⃣", "No. 2"])
def test_a_number_picks_that_option(answer: str) -> None:
    assert pick_option(answer, ORDERS) == ORDERS[1]


@pytest.mark.parametrize(
    "answer, expected",
    [
        ("the bluetooth speaker", 1),
        ("Stoneware table lamp", 0),
        ("jumper", 2),
        ("10002 · Lambswool crew jumper, navy (delivered)", 2),
        ("10001", 0),
    ],
)
def test_words_from_exactly_one_option_pick_it(answer: str, expected: int) -> None:
    assert pick_option(answer, ORDERS) == ORDERS[expected]


@pytest.mark.parametrize(
    "answer",
    ["4", "0", "12", "my order", "where is my refund?", "", "   ", "no"],
)
def test_anything_else_is_not_taken_as_a_choice(answer: str) -> None:
    assert pick_option(answer, ORDERS) is None


def test_a_short_answer_containing_one_title_picks_it() -> None:
    yes_no = [Option("Yes", "/affirm"), Option("No", "/deny")]
    assert pick_option("yes please", yes_no) == yes_no[0]
    assert pick_option("no thanks", yes_no) == yes_no[1]
    assert pick_option("I don't know", yes_no) is None


def test_a_text_over_1600_characters_is_split_at_natural_breaks() -> None:
    paragraph = "Your parcel left the depot this morning and is on its way to you. " * 12
    text = "\n\n".join([paragraph.strip()] * 4)
    pieces = [m.body for m in render_whatsapp([{"text": text}]).messages]
    assert len(pieces) >= 2
    assert all(len(p) <= WHATSAPP_MAX_CHARS for p in pieces)
    assert all(p.endswith(".") for p in pieces)  # nothing cut mid-sentence
    assert " ".join(" ".join(pieces).split()) == " ".join(text.split())


def test_even_one_endless_word_is_split_within_the_limit() -> None:
    pieces = split_text("x" * 4000, WHATSAPP_MAX_CHARS)
    assert [len(p) for p in pieces] == [1600, 1600, 800]


def test_an_image_goes_as_media_with_its_text_as_caption() -> None:
    turn = render_whatsapp(
        [
            {"text": "Here is how to pack it:", "image": "https://shop.example/pack.png"},
            {"text": "Anything else?"},
        ]
    )
    assert [(m.body, m.media_url) for m in turn.messages] == [
        ("Here is how to pack it:", "https://shop.example/pack.png"),
        ("Anything else?", None),
    ]


def test_markdown_links_and_bold_are_written_the_whatsapp_way() -> None:
    assert whatsapp_text("**Track** it [here](https://t.example/1)") == (
        "*Track* it here: https://t.example/1"
    )


def test_a_custom_payload_can_carry_whatsapps_own_form() -> None:
    turn = render_whatsapp(
        [{"custom": {"whatsapp": {"body": "Label", "media_url": "https://s.example/l.pdf"}}}]
    )
    assert [(m.body, m.media_url) for m in turn.messages] == [("Label", "https://s.example/l.pdf")]

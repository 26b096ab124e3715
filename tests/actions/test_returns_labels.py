"""Printable return labels: links that cannot be guessed, and a page that escapes everything."""

from datetime import date, datetime
from decimal import Decimal

from actions.services.returns_labels import label_token, label_url, token_is_valid
from actions.store.returns_models import LabelPage, ReturnLabel, ReturnLine
from connectors.labels import code39_svg, render_label

SECRET = "test-secret"


def test_only_the_token_for_that_return_opens_its_label() -> None:
    token = label_token("RMA-20001", SECRET)
    assert token_is_valid("RMA-20001", token, SECRET)
    assert not token_is_valid("RMA-20002", token, SECRET)  # the next RMA, same token
    assert not token_is_valid("RMA-20001", token, "another-secret")
    assert not token_is_valid("RMA-20001", token[:-1] + "0", SECRET)
    assert not token_is_valid("RMA-20001", None, SECRET)


def test_the_link_points_at_the_public_url() -> None:
    url = label_url("https://shop.example/", "RMA-20001", SECRET)
    assert (
        url == f"https://shop.example/returns/labels/RMA-20001?t={label_token('RMA-20001', SECRET)}"
    )


def test_the_barcode_encodes_start_stop_and_every_character() -> None:
    svg = code39_svg("RT1")
    # 5 characters (*, R, T, 1, *) of 5 bars each
    assert svg.count("<rect") == 25
    assert 'aria-label="barcode RT1"' in svg


def test_the_label_page_escapes_what_customers_typed() -> None:
    page = LabelPage(
        rma="RMA-20001",
        order_number="10002",
        status="label_created",
        label=ReturnLabel(
            "Royal Mail",
            "RT123456785GB",
            "https://rm.example/x",
            datetime(2026, 11, 20, 19, 40),
            date(2026, 12, 4),
        ),
        sender_name="Jane <script>alert(1)</script> Doe",
        sender_lines=("14 Abbey Road", "London", "SW1A 1AA"),
        country="GB",
        lines=(ReturnLine(2, "Lambswool crew jumper, navy", 1, Decimal("68.00")),),
    )
    html = render_label(
        page, "Lumen & Loom", ("Lumen & Loom Returns", "NN4 7PB"), date(2026, 11, 22)
    )
    assert "<script>alert" not in html
    assert "Jane &lt;script&gt;" in html
    assert "RT123456785GB" in html and "RMA-20001" in html and "NN4 7PB" in html
    assert "Friday 4 December" in html
    assert "Lambswool crew jumper, navy" in html

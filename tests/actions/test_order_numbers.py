import pytest

from actions.services.order_numbers import normalize_order_number


@pytest.mark.parametrize(
    "text, expected",
    [
        ("10234", "10234"),
        ("#10234", "10234"),
        ("BT-10234", "10234"),
        ("order no. 10 234 please", "10234"),
        ("where's 10234??", "10234"),
        (10234, "10234"),
    ],
)
def test_order_numbers_are_recognised_however_they_are_written(text: object, expected: str) -> None:
    assert normalize_order_number(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "1234",
        "123456",
        "01234",
        "10234 and 10235",
        "'; DROP TABLE orders;--",
        "<script>alert(1)</script>",
        "😀" * 10,
        "1" * 5000,
        None,
        ["10234"],
    ],
)
def test_anything_else_is_not_an_order_number(text: object) -> None:
    assert normalize_order_number(text) is None

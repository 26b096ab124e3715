"""What trainers review holds no customer contact details, yet still reads like a customer."""

from __future__ import annotations

import pytest

from bot.trainers.privacy import mask


@pytest.mark.parametrize(
    ("said", "reviewed"),
    [
        ("my email is Mary.K@gmail.com", "my email is name@example.com"),
        ("ring me on 087 123 4567", "ring me on 07700 900123"),
        ("call +44 7911 123456 pls", "call 07700 900123 pls"),
        ("card 4111 1111 1111 1111 was charged", "card 4000 0000 0000 0000 was charged"),
        ("postcode bt7 1nn", "postcode SW1A 1AA"),
        ("eircode D02X285", "eircode D02 X285"),
        ("where is 45501 and BT-10234", "where is 45501 and BT-10234"),  # order numbers stay
        ("refund of £45.00 from 12/03", "refund of £45.00 from 12/03"),
        ("it's been 30 days", "it's been 30 days"),
        ("test@example.com is fake already", "test@example.com is fake already"),
    ],
)
def test_contact_details_are_replaced_by_fake_ones_of_the_same_shape(
    said: str, reviewed: str
) -> None:
    assert mask(said) == reviewed

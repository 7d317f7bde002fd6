from __future__ import annotations

import pytest

from ascolto.lib.phones import whatsapp_link, whatsapp_number


@pytest.mark.parametrize(
    ("typed", "number"),
    [
        ("333 123 4567", "393331234567"),
        ("333-1234567", "393331234567"),
        ("+39 333 1234567", "393331234567"),
        ("0039 3331234567", "393331234567"),
        ("+44 7700 900123", "447700900123"),
        ("02 1234567", None),  # a landline in Milan
        ("+39 02 1234567", None),
        ("", None),
        ("chiamare in ufficio", None),
        ("333 12", None),
    ],
)
def test_mobile_numbers_as_wa_me_wants_them(typed, number):
    assert whatsapp_number(typed) == number


def test_the_link_carries_the_message_encoded():
    link = whatsapp_link("393331234567", "Buongiorno & grazie: https://x.it/s/ab?c=1")
    assert link.startswith("https://wa.me/393331234567?text=Buongiorno%20%26%20grazie")
    assert "https%3A%2F%2Fx.it%2Fs%2Fab%3Fc%3D1" in link

from __future__ import annotations

import pytest

from calmline.insights.redact import luhn, redact


@pytest.mark.parametrize("text, expected", [
    ("mail me at jo.doe+x@gmail.com now", "mail me at [EMAIL] now"),
    ("card 4111 1111 1111 1111 please", "card [CARD] please"),
    ("card 4111-1111-1111-1111", "card [CARD]"),
    ("not a card 1234 5678 9012 3456", "not a card 1234 5678 9012 3456"),  # fails Luhn
    ("call 555-123-4567 today", "call [PHONE] today"),
    ("ring +44 20 7946 0958", "ring [PHONE]"),
    ("(212) 555 0100 is the desk", "[PHONE] is the desk"),
    ("my order #AB-12345 is late", "my [ORDER] is late"),
    ("order number 98765432 never came", "[ORDER] never came"),
    ("@AmericanAir where is my bag", "@user where is my bag"),
    ("I paid $120 on 12/03 and waited 2 hours", "I paid $120 on 12/03 and waited 2 hours"),
    ("#crapquality #usedtolovevw", "#crapquality #usedtolovevw"),  # hashtags are not order ids
    ("on 2015-02-22, or 02.03.2024", "on 2015-02-22, or 02.03.2024"),  # dates are not phones
    ("call me on 07700 900123", "call me on [PHONE]"),
    ("", ""),
])
def test_redact(text: str, expected: str) -> None:
    assert redact(text) == expected


def test_luhn() -> None:
    assert luhn("4111111111111111") and not luhn("4111111111111112")

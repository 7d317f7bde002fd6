"""Phone numbers for WhatsApp's click-to-chat links (https://wa.me/<number>?text=...).

`whatsapp_number` turns what staff typed ("333 123 4567", "+39 333-1234567", "0039...") into
the international digits wa.me wants, or None when the number cannot be a mobile one: an Italian
number without a country code is a mobile when it starts with 3 (landlines start with 0).
A number written with its country code (+ or 00) is taken as it is.
"""

from __future__ import annotations

import re
from urllib.parse import quote

DEFAULT_COUNTRY_CODE = "39"


def whatsapp_number(phone: str, *, country_code: str = DEFAULT_COUNTRY_CODE) -> str | None:
    text = (phone or "").strip()
    if not text or re.search(r"[^\d\s+().\-/]", text):
        return None
    international = text.startswith("+") or text.startswith("00")
    digits = re.sub(r"\D", "", text)
    if text.startswith("00"):
        digits = digits[2:]
    if international:
        if digits.startswith("39") and not digits[2:].startswith("3"):
            return None  # an Italian landline
        return digits if 8 <= len(digits) <= 15 else None
    if country_code == "39":
        if digits.startswith("3") and 9 <= len(digits) <= 10:
            return "39" + digits
        return None
    return country_code + digits if 6 <= len(digits) <= 13 else None


def whatsapp_link(number: str, text: str) -> str:
    """A click-to-chat link that opens a chat with `number` and `text` typed in."""
    return f"https://wa.me/{number}?text={quote(text, safe='')}"

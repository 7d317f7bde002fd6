"""How a business speaks to its customers in Italian: "Lei" (formal, the default) or "tu".

The texts customers read (survey pages, thank-you pages, invitation emails and WhatsApp
messages, the unsubscribe page) are written with "Lei" in the Italian catalogue. A workspace
that chose "tu" (`Workspace.customer_address`) renders them in the language `it-tu`, whose
catalogue (`ascolto/locale/it_TU/`) holds the informal form of every one of those texts; any
other text falls back to the Italian catalogue (gettext's own fallback from `it_TU` to `it`),
dates and numbers keep the Italian formats. Staff pages never use it.
"""

from __future__ import annotations

INFORMAL_ITALIAN = "it-tu"


def customer_language(language: str, address: str) -> str:
    """The language to render a customer's text in: `it-tu` for Italian when the business
    addresses its customers with "tu", else `language` itself."""
    if address == "tu" and (language or "").split("-")[0] == "it":
        return INFORMAL_ITALIAN
    return language

"""How to read an SMTP failure (kept here for the callers that import it from feedback; the
rules live in `ascolto.lib.mail`, shared with the emails of lower apps)."""

from __future__ import annotations

from ascolto.lib.mail import error_text, is_permanent

__all__ = ["error_text", "is_permanent"]

"""Small helpers shared by the management commands' option parsing."""

from __future__ import annotations

from datetime import date

from django.core.management.base import CommandError
from django.utils.translation import gettext as _


def day_option(value: str, option: str) -> date:
    """A YYYY-MM-DD option's date, or a clear error that names the option."""
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise CommandError(
            _("%(option)s: “%(value)s” is not a date; write it as YYYY-MM-DD.")
            % {"option": option, "value": value}
        ) from None

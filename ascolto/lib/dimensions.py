"""The dimensions a promise, a survey question, a customer's need and a text aspect speak of."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Dimension(models.TextChoices):
    TIMELINESS = "timeliness", _("Timeliness")
    PUNCTUALITY = "punctuality", _("Punctuality")
    PRICE = "price", _("Price")
    QUALITY = "quality", _("Quality")
    COURTESY = "courtesy", _("Courtesy")
    COMPETENCE = "competence", _("Competence")
    RELIABILITY = "reliability", _("Reliability")
    TANGIBLES = "tangibles", _("Tangibles (premises, vans, look)")
    COMMUNICATION = "communication", _("Communication")


ASPECT_OF_DIMENSION: dict[str, str] = {
    Dimension.TIMELINESS: "timeliness",
    Dimension.PUNCTUALITY: "timeliness",  # "arrived three days late" is about both
    Dimension.PRICE: "price",
    Dimension.QUALITY: "quality",
    Dimension.COURTESY: "courtesy",
    Dimension.COMPETENCE: "competence",
    Dimension.RELIABILITY: "reliability",
    Dimension.TANGIBLES: "tangibles",
    Dimension.COMMUNICATION: "communication",
}
"""The text aspect (`textanalysis.models.AspectName`) whose comments speak of a dimension."""

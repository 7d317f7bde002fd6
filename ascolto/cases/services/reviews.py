"""A negative public review written by a known customer opens a case: the `review_judged` hook
of voice (docs/voice.md), filled in `CasesConfig.ready()`.

The case is opened once per review (`source_key` "review:<id>"), when the review is negative
(2★ or less, or a negative text) and someone confirmed who wrote it, whichever of the two
comes last. Its category follows the aspect the review is about (late → "ritardo", rude →
"scortesia", ...), else "altro"; a 1★ review is of high severity.
"""

from __future__ import annotations

from typing import Any

from django.utils import translation
from django.utils.translation import gettext as _

from ascolto.cases.models import Case, CaseEmotion, Severity
from ascolto.cases.services.cases import OTHER, case_open_for_system
from ascolto.interactions.models import Channel

ASPECT_CATEGORIES = (
    ("timeliness", "ritardo"),
    ("courtesy", "scortesia"),
    ("reliability", "guasto"),
    ("quality", "qualita"),
)


def case_open_for_review(*, review: Any) -> Case | None:
    """Open the case of a negative review of a confirmed customer (None when there is none to
    open, or it is open already)."""
    if review.customer_id is None or review.match_state != "confirmed" or not review.is_negative:
        return None
    aspects = set(review.aspect_rows.values_list("name", flat=True))
    code = next((category for aspect, category in ASPECT_CATEGORIES if aspect in aspects), OTHER)
    low = review.rating is not None and review.rating <= 1
    with translation.override(review.workspace.language):
        head = _("Review on %(platform)s: %(stars)s") % {
            "platform": review.get_platform_display(),
            "stars": review.star_glyphs or "–",
        }
    text = "\n".join(part for part in (head, review.title, review.text, review.url) if part)
    return case_open_for_system(
        customer=review.customer,
        category_code=code,
        source_key=f"review:{review.pk}",
        channel=Channel.SOCIAL,
        description=text[:10_000],
        severity=Severity.HIGH if low else Severity.MEDIUM,
        emotion=review.emotion if review.emotion in CaseEmotion.values else "",
    )

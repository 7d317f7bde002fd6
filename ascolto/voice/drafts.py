"""Reply drafts for public reviews, chosen by what the review feels (text analysis' emotion)
and written in its language: staff adapt one and paste it on the platform.

What each emotion needs (the response guidance of text analysis): anger wants an apology and
speed, worry wants help and a clear next step, sadness wants to be heard, joy and trust want
thanks. A review with no emotion is thanked when its rating is good, and answered with an offer
to talk otherwise. The texts are translation strings, so each language's wording lives in the
catalogues; customers are addressed with "Lei" in Italian.
"""

from __future__ import annotations

from django.utils import translation
from django.utils.translation import gettext as _

from ascolto.voice.models import Review

LANGUAGES = ("it", "en")


def _greeting(author: str) -> str:
    name = author.split()[0] if author.strip() else ""
    if name:
        return _("Dear %(name)s,") % {"name": name}
    return _("Hello,")


def _body(kind: str) -> str:
    bodies = {
        "anger": _(
            "we are sorry, and you are right to tell us. What happened is not the service we "
            "promise. We would like to put it right straight away: please write to us or call "
            "us, and a manager will take care of it personally today."
        ),
        "fear": _(
            "thank you for writing. We understand the worry, and we are here to help: tell us "
            "how to reach you and we will explain step by step what happens next."
        ),
        "sadness": _(
            "we are sorry to read this, and thank you for taking the time to tell us. Your "
            "words matter to us: we would like to hear more and see how to make it up to you."
        ),
        "joy": _(
            "thank you so much for your kind words! We are delighted you were happy, and we "
            "will share your review with the whole team."
        ),
        "trust": _(
            "thank you for your trust and for recommending us. It means a lot to us, and we "
            "look forward to seeing you again."
        ),
        "neutral": _(
            "thank you for your review. If anything could have gone better, please tell us: "
            "we read every comment and we would like to hear from you."
        ),
    }
    return bodies[kind]


def draft_kind(review: Review) -> str:
    """The template for this review: its emotion, or by its rating when it has none."""
    if review.emotion in ("anger", "fear", "sadness", "joy", "trust"):
        return review.emotion
    if review.is_negative:
        return "anger" if review.rating is not None and review.rating <= 2 else "sadness"
    if review.rating is not None and review.rating >= 4:
        return "joy"
    return "neutral"


def draft_language(review: Review, fallback: str) -> str:
    language = (review.language or "")[:2].lower()
    return language if language in LANGUAGES else fallback


def reply_draft(review: Review, *, business_name: str, fallback_language: str = "it") -> str:
    """The draft reply to `review`, in its language (else `fallback_language`)."""
    with translation.override(draft_language(review, fallback_language)):
        signature = _("The team of %(business)s") % {"business": business_name}
        return "\n\n".join([_greeting(review.author), _body(draft_kind(review)), signature])

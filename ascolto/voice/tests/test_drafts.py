"""Reply drafts: the template follows the review's emotion (or its rating), in its language."""

from decimal import Decimal

import pytest

from ascolto.voice.drafts import draft_kind, reply_draft
from ascolto.voice.models import Review


def review(**kwargs) -> Review:
    return Review(**{"author": "Anna Bianchi", "language": "it", **kwargs})


@pytest.mark.parametrize(
    ("values", "kind"),
    [
        ({"emotion": "anger"}, "anger"),
        ({"emotion": "fear"}, "fear"),
        ({"emotion": "sadness"}, "sadness"),
        ({"emotion": "joy"}, "joy"),
        ({"emotion": "trust"}, "trust"),
        ({"emotion": "none", "is_negative": True, "rating": Decimal(1)}, "anger"),
        ({"emotion": "", "is_negative": True, "rating": Decimal(3)}, "sadness"),
        ({"emotion": "none", "rating": Decimal(5)}, "joy"),
        ({"emotion": "", "rating": None}, "neutral"),
    ],
)
def test_the_template_follows_the_emotion_then_the_rating(values, kind):
    assert draft_kind(review(**values)) == kind


def test_drafts_speak_the_review_s_language_and_address_the_customer_formally():
    italian = reply_draft(review(emotion="fear"), business_name="Noleggi Rossi")
    assert italian.startswith("Gentile Anna,\n\n")
    assert "aiutarLa" in italian and italian.endswith("Lo staff di Noleggi Rossi")
    english = reply_draft(review(emotion="anger", language="en"), business_name="Rossi")
    assert english.startswith("Dear Anna,\n\nwe are sorry") and english.endswith(
        "The team of Rossi"
    )
    # A language Ascolto has no draft in: the workspace's.
    german = reply_draft(
        review(emotion="joy", language="de"), business_name="R", fallback_language="en"
    )
    assert german.startswith("Dear Anna,")
    anonymous = reply_draft(review(author="", emotion="trust"), business_name="R")
    assert anonymous.startswith("Salve,") or anonymous.startswith("Buongiorno,")

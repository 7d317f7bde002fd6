"""Survey data for dashboard tests: surveys of each kind, responses with a main score at a
given moment, invitations with their opened/answered times."""

from __future__ import annotations

from datetime import timedelta

import factory
from django.utils import timezone

from ascolto.feedback.models import Invitation, Question, Response, Survey


class SurveyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Survey

    name = factory.Sequence(lambda n: f"Sondaggio {n}")
    kind = Survey.Kind.NPS
    title_it = factory.SelfAttribute("name")


class MainQuestionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Question

    workspace = factory.SelfAttribute("survey.workspace")
    kind = Question.Kind.SCORE
    role = Question.Role.MAIN
    text_it = "Quanto ci consiglieresti?"
    min_value = 0
    max_value = 10


class ResponseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Response

    workspace = factory.SelfAttribute("survey.workspace")
    submitted_at = factory.LazyFunction(timezone.now)
    score = 10


class InvitationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Invitation

    workspace = factory.SelfAttribute("survey.workspace")
    token_salt = factory.Sequence(lambda n: f"salt-{n}")
    token_hash = factory.Sequence(lambda n: f"{n:064d}")
    created_at = factory.LazyFunction(timezone.now)
    expires_at = factory.LazyAttribute(lambda o: o.created_at + timedelta(days=30))


def answers(survey, scores, *, at, customer=None) -> list[Response]:
    """One response per score, all submitted at `at`."""
    return [
        ResponseFactory(survey=survey, score=s, submitted_at=at, customer=customer) for s in scores
    ]

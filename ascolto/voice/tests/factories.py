import factory
from django.utils import timezone

from ascolto.voice.models import Platform, Review, Source


class SourceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Source

    name = factory.Sequence(lambda n: f"Fonte {n}")
    kind = Source.Kind.FILE
    platform = Platform.GOOGLE


class ReviewFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Review

    platform = Platform.GOOGLE
    platform_id = factory.Sequence(lambda n: f"review-{n}")
    dedupe_key = factory.Sequence(lambda n: f"id:factory-{n}")
    author = factory.Faker("name", locale="it_IT")
    text = "Servizio ottimo, personale gentile."
    published_at = factory.LazyFunction(timezone.now)

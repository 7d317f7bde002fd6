import factory

from ascolto.interactions.models import Interaction, StaffSignal


class InteractionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Interaction

    workspace = factory.SelfAttribute("customer.workspace")
    touchpoint = factory.LazyAttribute(
        lambda o: o.customer.workspace.touchpoints.get(code="telefonata")
    )
    text = factory.Faker("sentence", locale="it_IT")


class StaffSignalFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = StaffSignal

    workspace = factory.SelfAttribute("customer.workspace")
    text = "Sembrava infastidito al telefono"
    polarity = StaffSignal.Polarity.NEGATIVE

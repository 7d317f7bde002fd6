import factory

from ascolto.customers.models import Contract, Customer, LostRecord, Segment


class SegmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Segment

    name = factory.Sequence(lambda n: f"Segmento {n}")


class CustomerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Customer

    name = factory.Faker("name", locale="it_IT")
    company = factory.Faker("company", locale="it_IT")
    email = factory.Sequence(lambda n: f"cliente{n}@example.com")
    status = Customer.Status.ACTIVE


class ContractFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Contract

    workspace = factory.SelfAttribute("customer.workspace")
    start_date = factory.Faker("date_between", start_date="-2y", end_date="-1y")
    renewal_date = factory.Faker("date_between", start_date="+1d", end_date="+1y")
    yearly_value = 1200


class LostRecordFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = LostRecord

    workspace = factory.SelfAttribute("customer.workspace")
    lost_on = factory.Faker("date_between", start_date="-1y", end_date="today")
    reason = factory.LazyAttribute(lambda o: o.customer.workspace.lost_reasons.get(code="prezzo"))

import factory
from django.contrib.auth import get_user_model

from ascolto.workspaces.models import Membership, Role
from ascolto.workspaces.services import workspace_create

PASSWORD = "correct-horse-battery"  # noqa: S105 (test password)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}@example.com")
    email = factory.SelfAttribute("username")
    first_name = factory.Faker("first_name", locale="it_IT")
    last_name = factory.Faker("last_name", locale="it_IT")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class WorkspaceFactory(factory.Factory):
    """Workspaces are made through the service, so they get their owner and catalogues."""

    class Meta:
        model = dict

    name = factory.Sequence(lambda n: f"Impresa {n}")
    owner = factory.SubFactory(UserFactory)

    @classmethod
    def _create(cls, model_class, **kwargs):
        return workspace_create(**kwargs)

    _build = _create


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    role = Role.AGENT

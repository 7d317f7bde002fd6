import pytest

from ascolto.customers.tests.factories import CustomerFactory
from ascolto.feedback.tests.factories import SurveyFactory


@pytest.fixture
def survey_a(workspace_a, alice):
    return SurveyFactory(workspace=workspace_a, by=alice, name="NPS trimestrale")


@pytest.fixture
def customer_a(workspace_a, alice):
    return CustomerFactory(
        workspace=workspace_a,
        name="Edil Bianchi",
        email="bianchi@example.com",
        account_owner=alice,
        preferred_language="it",
    )

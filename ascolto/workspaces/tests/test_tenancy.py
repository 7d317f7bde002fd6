import pytest

from ascolto.customers.tests.factories import CustomerFactory


@pytest.mark.django_db
def test_outsider_gets_404_on_customer_of_another_workspace(mallory_client, workspace_a):
    customer = CustomerFactory(workspace=workspace_a)
    response = mallory_client.get(f"/customers/{customer.pk}/")
    assert response.status_code == 404

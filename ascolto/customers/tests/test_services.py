from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import translation

from ascolto.customers import services
from ascolto.customers.models import Contract, Customer, Segment
from ascolto.customers.templatetags.customer_tags import money
from ascolto.customers.tests.factories import ContractFactory, CustomerFactory, SegmentFactory
from ascolto.lib.updates import UnknownFields


@pytest.mark.django_db
def test_lost_record_create_marks_the_customer_lost(workspace_a, alice):
    customer = CustomerFactory(workspace=workspace_a, status=Customer.Status.ACTIVE)
    reason = workspace_a.lost_reasons.get(code="concorrente")
    record = services.lost_record_create(
        customer=customer, by=alice, lost_on=date(2025, 4, 1), reason=reason, competitor="Rivali"
    )
    customer.refresh_from_db()
    assert customer.status == Customer.Status.LOST
    assert (record.workspace_id, record.recorded_by, record.reason) == (
        workspace_a.pk,
        alice,
        reason,
    )


@pytest.mark.django_db
def test_lost_record_with_a_foreign_reason_is_refused(workspace_a, workspace_b, alice):
    customer = CustomerFactory(workspace=workspace_a)
    with pytest.raises(ValidationError) as error:
        services.lost_record_create(
            customer=customer,
            by=alice,
            lost_on=date(2025, 4, 1),
            reason=workspace_b.lost_reasons.first(),
        )
    assert "reason" in error.value.message_dict
    customer.refresh_from_db()
    assert customer.status == Customer.Status.ACTIVE
    assert not customer.lost_records.exists()


@pytest.mark.django_db
def test_contract_renewal_before_start_is_refused(workspace_a, alice):
    customer = CustomerFactory(workspace=workspace_a)
    with pytest.raises(ValidationError) as error:
        services.contract_create(
            customer=customer, by=alice, start_date=date(2025, 5, 1), renewal_date=date(2025, 4, 30)
        )
    assert "renewal_date" in error.value.message_dict
    assert not Contract.objects.exists()


@pytest.mark.django_db
def test_contract_create_and_update(workspace_a, alice):
    customer = CustomerFactory(workspace=workspace_a)
    contract = services.contract_create(
        customer=customer,
        by=alice,
        start_date=date(2025, 1, 1),
        renewal_date=date(2026, 1, 1),
        yearly_value=Decimal("1500.50"),
    )
    assert contract.workspace_id == workspace_a.pk
    with pytest.raises(ValidationError):
        services.contract_update(contract=contract, by=alice, yearly_value=Decimal("-1"))
    contract.refresh_from_db()
    assert contract.yearly_value == Decimal("1500.50")
    services.contract_update(contract=contract, by=alice, yearly_value=Decimal("1600"))
    contract.refresh_from_db()
    assert contract.yearly_value == Decimal("1600")


@pytest.mark.django_db
def test_contract_services_refuse_a_field_a_caller_may_not_set(workspace_a, alice):
    customer = CustomerFactory(workspace=workspace_a)
    with pytest.raises(UnknownFields, match="workspace_id"):
        services.contract_create(
            customer=customer,
            by=alice,
            start_date=date(2025, 1, 1),
            renewal_date=date(2026, 1, 1),
            workspace_id=999,
        )
    assert not Contract.objects.exists()
    contract = ContractFactory(customer=customer, yearly_value=Decimal("1200"))
    with pytest.raises(UnknownFields, match="customer"):
        services.contract_update(contract=contract, by=alice, yearly_value=1, customer=None)
    contract.refresh_from_db()
    assert (contract.yearly_value, contract.customer_id) == (Decimal("1200"), customer.pk)


@pytest.mark.django_db
def test_customer_create_reuses_a_segment_whatever_its_case(workspace_a, alice):
    edilizia = SegmentFactory(workspace=workspace_a, name="Edilizia")
    customer = services.customer_create(
        workspace=workspace_a, by=alice, name="Ferri", segment_name="  EDILIZIA "
    )
    assert customer.segment == edilizia
    assert customer.account_owner == alice  # defaults to whoever created it


@pytest.mark.django_db
def test_customer_create_refused_leaves_no_new_segment(workspace_a, alice):
    with pytest.raises(ValidationError):
        services.customer_create(
            workspace=workspace_a, by=alice, name="Ferri", email="no", segment_name="Nuovo"
        )
    assert not Segment.objects.filter(workspace=workspace_a).exists()
    assert not Customer.objects.exists()


@pytest.mark.django_db
def test_customer_update_with_foreign_owner_is_refused(workspace_a, alice, mallory):
    customer = CustomerFactory(workspace=workspace_a, account_owner=alice)
    with pytest.raises(ValidationError) as error:
        services.customer_update(customer=customer, by=alice, account_owner=mallory)
    assert "account_owner" in error.value.message_dict
    customer.refresh_from_db()
    assert customer.account_owner == alice


@pytest.mark.django_db
def test_customer_delete_needs_a_manager_of_the_workspace(workspace_a, bob, carol, mallory):
    customer = CustomerFactory(workspace=workspace_a)
    for outsider in (bob, mallory):
        with pytest.raises(PermissionDenied):
            services.customer_delete(customer=customer, by=outsider)
    assert Customer.objects.filter(pk=customer.pk).exists()
    services.customer_delete(customer=customer, by=carol)
    assert not Customer.objects.filter(pk=customer.pk).exists()


@pytest.mark.parametrize(
    ("language", "value", "currency", "expected"),
    [
        ("it", Decimal("1200"), "EUR", "€ 1.200,00"),
        ("en", Decimal("1200.5"), "EUR", "€ 1,200.50"),
        ("it", 0, "chf", "CHF 0,00"),
        ("en", "12.3", "SEK", "SEK 12.30"),
        ("it", None, "EUR", ""),
        ("it", "abc", "EUR", ""),
    ],
)
def test_money(language, value, currency, expected):
    with translation.override(language):
        assert money(value, currency) == expected

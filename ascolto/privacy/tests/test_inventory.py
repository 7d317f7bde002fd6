"""Every text column of every model is classified in `privacy/inventory.py`, so a new model
or field holding personal data cannot be missed by find, export and erase."""

from __future__ import annotations

import pytest
from django.apps import apps
from django.db import models

from ascolto.privacy import inventory


def _text_fields() -> set[tuple[str, str]]:
    return {
        (model._meta.label, field.name)
        for model in apps.get_models(include_auto_created=True)
        for field in model._meta.concrete_fields
        if type(field).__name__ in inventory.TEXT_TYPES
        or isinstance(field, models.CharField | models.TextField | models.JSONField)
    }


def test_every_text_field_of_every_model_is_classified():
    classified = {(label, name) for label, fields in inventory.FIELDS.items() for name in fields}
    missing = sorted(_text_fields() - classified)
    assert not missing, (
        "Classify these fields in ascolto/privacy/inventory.py (SUBJECT, FREE_TEXT, GENERATED,"
        f" STAFF, SECRET or NONE) and, if they are about a customer, add the model's path to"
        f" the customer in CUSTOMER_PATHS: {missing}"
    )


def test_no_stale_entries():
    stale = sorted(
        {(label, name) for label, fields in inventory.FIELDS.items() for name in fields}
        - _text_fields()
    )
    assert not stale, f"inventory.FIELDS names fields that no longer exist: {stale}"


@pytest.mark.django_db
def test_every_model_with_personal_fields_has_a_path_to_the_customer():
    personal = {
        label
        for label, fields in inventory.FIELDS.items()
        if any(kind is inventory.Kind.SUBJECT for kind in fields.values())
    }
    assert personal <= set(inventory.CUSTOMER_PATHS)
    for label, path in inventory.CUSTOMER_PATHS.items():
        # the path resolves (a typo would only show at erasure time)
        apps.get_model(label)._default_manager.filter(**{path: 0}).exists()


def test_a_new_personal_field_would_fail(monkeypatch):
    """The check above can fail: drop one entry and it names it."""
    fields = dict(inventory.FIELDS)
    customer = dict(fields["customers.Customer"])
    del customer["phone"]
    fields["customers.Customer"] = customer
    monkeypatch.setattr(inventory, "FIELDS", fields)
    classified = {(label, name) for label, f in inventory.FIELDS.items() for name in f}
    assert ("customers.Customer", "phone") in _text_fields() - classified

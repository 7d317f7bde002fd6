"""model_update: unknown fields are refused, only what changed is validated and written."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from ascolto.lib.updates import UnknownFields, model_update, refuse_unknown_fields

ALLOWED = {"first_name", "last_name", "email", "is_active"}


@pytest.fixture
def user(db):
    return User.objects.create_user(
        username="mario",
        password="una-password-lunga",
        first_name="Mario",
        email="mario@example.com",
    )


def test_unknown_field_is_refused_before_anything_is_set(user):
    with pytest.raises(UnknownFields) as error:
        model_update(user, {"first_name": "Luigi", "is_superuser": True}, ALLOWED)
    assert "is_superuser" in str(error.value)
    assert isinstance(error.value, TypeError)  # like an unexpected keyword argument
    assert (user.first_name, user.is_superuser) == ("Mario", False)
    user.refresh_from_db()
    assert (user.first_name, user.is_superuser) == ("Mario", False)


def test_a_misspelt_field_is_refused_not_dropped(user):
    with pytest.raises(UnknownFields, match="frist_name"):
        model_update(user, {"frist_name": "Luigi"}, ALLOWED)
    user.refresh_from_db()
    assert user.first_name == "Mario"


def test_returns_what_changed_and_writes_only_those_columns(user):
    with CaptureQueriesContext(connection) as queries:
        changed = model_update(user, {"first_name": "Luigi", "email": "mario@example.com"}, ALLOWED)
    assert changed == ["first_name"]
    update = [q["sql"] for q in queries.captured_queries if q["sql"].startswith("UPDATE")]
    assert len(update) == 1
    assert "first_name" in update[0] and "email" not in update[0]
    user.refresh_from_db()
    assert user.first_name == "Luigi"


def test_nothing_changed_writes_nothing(user):
    with CaptureQueriesContext(connection) as queries:
        assert model_update(user, {"first_name": "Mario"}, ALLOWED) == []
    assert not [q for q in queries.captured_queries if q["sql"].startswith("UPDATE")]


def test_change_is_measured_against_the_database_not_the_object(user):
    """A bound ModelForm has copied the new values onto the instance already: the change is
    still seen, and saved."""
    user.first_name = "Luigi"  # what a form's validation does to its instance
    assert model_update(user, {"first_name": "Luigi"}, ALLOWED) == ["first_name"]
    assert User.objects.get(pk=user.pk).first_name == "Luigi"


def test_invalid_value_raises_and_nothing_is_saved(user):
    with pytest.raises(ValidationError) as error:
        model_update(user, {"email": "not an address"}, ALLOWED)
    assert "email" in error.value.message_dict
    assert User.objects.get(pk=user.pk).email == "mario@example.com"


def test_an_unsaved_row_is_refused():
    with pytest.raises(ValueError):
        model_update(User(username="nuovo"), {"first_name": "Anna"}, ALLOWED)


def test_refuse_unknown_fields_names_every_unknown_key():
    refuse_unknown_fields(User, {"first_name": "Anna"}, ALLOWED)
    with pytest.raises(UnknownFields, match="is_staff, password"):
        refuse_unknown_fields(User, {"password": "x", "is_staff": True}, ALLOWED)

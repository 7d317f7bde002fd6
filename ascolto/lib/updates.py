"""Changing a model's fields from a dict, the way every service that edits a row does it.

`model_update(instance, fields, allowed)` replaces the loop that every `thing_update(**fields)`
used to write out, which silently skipped any key it did not know: a misspelt field, or one the
caller was not meant to change, vanished without a word. Here an unknown key is an error, the
row is validated with `full_clean()`, and only the columns that really changed are written.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from django.db import models


class UnknownFields(TypeError):
    """A service was given fields it does not set (like an unexpected keyword argument)."""


def refuse_unknown_fields(
    model: type[models.Model], fields: Mapping[str, Any], allowed: Iterable[str]
) -> None:
    """Raise `UnknownFields` naming every key of `fields` that is not in `allowed`."""
    unknown = sorted(set(fields) - set(allowed))
    if unknown:
        raise UnknownFields(
            f"{model._meta.label} cannot set {', '.join(unknown)}; "
            f"allowed: {', '.join(sorted(allowed))}"
        )


def _concrete(field: models.Field | models.ForeignObjectRel) -> models.Field:
    if not isinstance(field, models.Field):  # a reverse relation is not a column to set
        raise TypeError(f"{field.name} is not a field of the row")
    return field


def model_update(
    instance: models.Model, fields: Mapping[str, Any], allowed: Iterable[str]
) -> list[str]:
    """Set `fields` on the saved `instance`, validate it and save the columns that changed.

    Returns the names of the fields whose value differs from the stored row, in the order given
    (empty when nothing changed: nothing is validated or written then). What changed is measured
    against the database, not against the object in memory, because a bound ModelForm has
    usually copied the new values onto the instance already; callers may rely on the answer to
    decide who may make the change. Fields with `auto_now` are written with any change.
    Raises `UnknownFields` for a key not in `allowed` (before anything is set) and
    ValidationError from `full_clean()`."""
    allowed = set(allowed)
    refuse_unknown_fields(type(instance), fields, allowed)
    if instance.pk is None:
        raise ValueError("model_update() changes a saved row; create it first")
    meta = instance._meta
    model_fields = {name: _concrete(meta.get_field(name)) for name in fields}
    stored = (
        type(instance)
        ._base_manager.filter(pk=instance.pk)
        .values(*[field.attname for field in model_fields.values()])
        .get()
    )
    changed = []
    for name, value in fields.items():
        field = model_fields[name]
        setattr(instance, name, value)
        if stored[field.attname] != getattr(instance, field.attname):
            changed.append(name)
    if not changed:
        return changed
    instance.full_clean()
    auto_now = [
        f.name
        for f in meta.concrete_fields
        if getattr(f, "auto_now", False) and f.name not in changed
    ]
    instance.save(update_fields=[model_fields[name].name for name in changed] + auto_now)
    return changed

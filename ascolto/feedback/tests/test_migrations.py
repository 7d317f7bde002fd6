"""Migrations 0008 and 0009: the survey tables keep only the indexes their queries use."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.db import connection


def _indexes(table: str) -> dict[str, tuple[list[str], bool]]:
    with connection.cursor() as cursor:
        found = connection.introspection.get_constraints(cursor, table)
    return {
        name: (info["columns"], bool(info["unique"]))
        for name, info in found.items()
        if info["index"] or info["unique"]
    }


def _columns(table: str) -> list[list[str]]:
    return [columns for columns, _unique in _indexes(table).values()]


def _assert_lean() -> None:
    response = _columns("feedback_response")
    assert ["workspace_id"] not in response and ["customer_id"] not in response
    assert ["workspace_id", "submitted_at"] in response  # leads with workspace_id
    assert ["customer_id", "submitted_at"] in response  # leads with customer_id
    assert ["survey_id"] in response and ["invitation_id"] in response
    assert _indexes("feedback_response")["response_open_link"][0] == ["open_link_id"]
    assert response.count(["open_link_id"]) == 1  # the partial one only
    answer = _indexes("feedback_answer")
    assert ["response_id"] not in [columns for columns, _u in answer.values()]
    assert (["response_id", "question_id"], True) in answer.values()
    invitation = _columns("feedback_invitation")
    assert ["workspace_id"] not in invitation and ["customer_id"] not in invitation
    assert ["workspace_id", "created_at"] in invitation
    assert ["customer_id", "created_at"] in invitation
    assert invitation.count(["token_hash"]) == 1  # the unique index; no LIKE copy on PostgreSQL


@pytest.mark.django_db
def test_responses_and_answers_have_no_index_a_composite_one_covers():
    _assert_lean()


@pytest.mark.django_db(transaction=True)
def test_the_migration_is_reversible():
    call_command("migrate", "feedback", "0007", verbosity=0)
    try:
        response = _columns("feedback_response")
        assert ["workspace_id"] in response and ["customer_id"] in response
        assert ["open_link_id"] in response and "response_open_link" not in _indexes(
            "feedback_response"
        )
        assert ["response_id"] in _columns("feedback_answer")
        invitation = _columns("feedback_invitation")
        assert ["workspace_id"] in invitation and ["customer_id"] in invitation
        if connection.vendor == "postgresql":
            assert invitation.count(["token_hash"]) == 2
    finally:
        # Every app: migrations of other apps that depend on these were unapplied with them.
        call_command("migrate", verbosity=0)
    _assert_lean()

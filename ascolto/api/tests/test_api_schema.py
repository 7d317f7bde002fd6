"""Schemathesis against the API's own OpenAPI schema: requests generated from the schema (valid
and invalid ones) to every operation, with a token, on the real database. No answer may be a
500, and every answer must match the schema the documentation shows."""

from __future__ import annotations

import pytest
import schemathesis
from django.core import signals
from django.core.handlers.wsgi import WSGIHandler
from django.db import close_old_connections
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
)

from ascolto.api.tests.conftest import make_api
from ascolto.customers.tests.factories import ContractFactory, CustomerFactory
from ascolto.feedback.tests.factories import SurveyFactory

pytestmark = pytest.mark.django_db

EXAMPLES_PER_OPERATION = 20
CHECKS = [not_a_server_error, response_schema_conformance, content_type_conformance]


def test_no_generated_request_gets_a_500_and_answers_match_the_schema(alice, settings_for_api):
    customer = CustomerFactory(workspace=alice.workspace, email="a@example.it")
    ContractFactory(customer=customer)
    SurveyFactory(workspace=alice.workspace)
    client, _token = make_api(alice, "owner")
    app = WSGIHandler()
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    headers = {"Authorization": f"Bearer {client.raw}"}
    tried = 0
    for result in schema.get_all_operations():
        operation = result.ok()

        @given(case=operation.as_strategy())
        @settings(
            max_examples=EXAMPLES_PER_OPERATION,
            deadline=None,
            database=None,
            derandomize=True,
            suppress_health_check=list(HealthCheck),
        )
        def check(case):
            response = case.call(headers=headers)
            case.validate_response(response, checks=CHECKS)

        check()
        tried += 1
    assert tried >= 25


@pytest.fixture
def settings_for_api(settings):
    """No rate limit, and the test's database connection kept open between requests (the WSGI
    handler closes it after each, as it should in production; Django's test client does not)."""
    settings.API_RATE_PER_MINUTE = 1_000_000
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        yield settings
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)

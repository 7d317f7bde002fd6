"""Exports over the API: the pages' tables and the lists of customers and responses, as JSON
pages, streamed CSV (escaped) or XLSX; managers only, audited, one workspace."""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook

from ascolto.api.tests.conftest import make_api
from ascolto.audit.models import AuditEntry
from ascolto.customers.tests.factories import CustomerFactory, SegmentFactory
from ascolto.lib.exports import cell_unescape

pytestmark = pytest.mark.django_db


def _csv(response) -> list[list[str]]:
    import csv

    assert response.streaming
    text = b"".join(response.streaming_content).decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:]), delimiter=";"))


def test_customers_as_json_pages_and_as_streamed_csv(api_a, alice, mallory):
    for i in range(7):
        CustomerFactory(workspace=alice.workspace, name=f"Cliente {i}")
    CustomerFactory(workspace=alice.workspace, name='=HYPERLINK("http://x")')
    CustomerFactory(workspace=mallory.workspace, name="Di un altro")
    first = api_a.get("/api/v1/exports/customers", {"limit": 5})
    assert first.status_code == 200, first.content
    page = first.json()
    assert page["headers"][:2] == ["Id", "Nome"] or page["headers"][:2] == ["Id", "Name"]
    assert len(page["rows"]) == 5 and page["next_offset"] == 5
    rest = api_a.get("/api/v1/exports/customers", {"limit": 5, "offset": 5}).json()
    assert len(rest["rows"]) == 3 and rest["next_offset"] is None
    names = [r[1] for r in page["rows"] + rest["rows"]]
    assert "Di un altro" not in names and len(names) == 8

    csv_answer = api_a.get("/api/v1/exports/customers", {"format": "csv"})
    assert csv_answer.status_code == 200
    assert csv_answer["Content-Type"].startswith("text/csv")
    assert 'filename="customers.csv"' in csv_answer["Content-Disposition"]
    rows = _csv(csv_answer)
    assert len(rows) == 1 + 8
    risky = [r for r in rows if "HYPERLINK" in r[1]][0][1]
    assert risky.startswith("'=") and cell_unescape(risky) == '=HYPERLINK("http://x")'
    assert (
        AuditEntry.objects.filter(action="export", object_id="customers").count() == 3
    )  # each request


def test_the_dashboard_tables_come_with_the_page_s_filters(api_a, alice, mallory):
    segment = SegmentFactory(workspace=alice.workspace, name="Edilizia")
    summary = api_a.get(
        "/api/v1/exports/summary",
        {"start": "2026-01-01", "end": "2026-03-31", "segment_id": segment.pk},
    )
    assert summary.status_code == 200
    assert summary.json()["headers"][0] in ("Figure", "Indicatore")
    assert [row[0] for row in summary.json()["rows"]][0] == "NPS"
    xlsx = api_a.get("/api/v1/exports/trend-month", {"format": "xlsx"})
    assert xlsx.status_code == 200
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    assert sheet.max_row >= 1
    theirs = SegmentFactory(workspace=mallory.workspace, name="Loro")
    refused = api_a.get("/api/v1/exports/summary", {"segment_id": theirs.pk})
    assert refused.status_code == 422
    assert refused.json()["errors"][0]["field"] == "segment_id"
    backwards = api_a.get("/api/v1/exports/summary", {"start": "2026-03-01", "end": "2026-01-01"})
    assert backwards.status_code == 422
    assert api_a.get("/api/v1/exports/passwords").status_code == 422


def test_an_agent_token_cannot_export(alice):
    agent, _token = make_api(alice, "agent")
    for table in ("customers", "responses", "silent", "summary"):
        answer = agent.get(f"/api/v1/exports/{table}", {"format": "csv"})
        assert answer.status_code == 403, table
    assert not AuditEntry.objects.filter(action="export").exists()


def test_responses_are_exported_in_the_workspace_dialect(api_a, alice):
    from ascolto.feedback import services as feedback_services
    from ascolto.feedback.tests.factories import SurveyFactory
    from ascolto.feedback.tests.test_services import _answers

    survey = SurveyFactory(workspace=alice.workspace)
    customer = CustomerFactory(workspace=alice.workspace, email="r@example.it", name="Rita")
    invitation = feedback_services.survey_invitation_create(
        survey=survey, customer=customer, by=alice
    )
    feedback_services.response_submit(
        survey=survey, data=_answers(survey, 9), language="it", invitation=invitation
    )
    rows = _csv(api_a.get("/api/v1/exports/responses", {"format": "csv", "csv": "it"}))
    assert len(rows) == 2 and rows[1][4] == "9" and rows[1][7] == "Rita"
    english = api_a.get("/api/v1/exports/responses", {"format": "csv", "csv": "en"})
    assert b"".join(english.streaming_content).decode().count(",") > 5

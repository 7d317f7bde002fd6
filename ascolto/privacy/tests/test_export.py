"""Access (test plan P01): one person's data from every app in one JSON + CSV bundle; a
namesake in another workspace left out; owners only; logged."""

from __future__ import annotations

import csv
import io
import json
import zipfile

import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import call_command
from django.core.management.base import CommandError

from ascolto.audit.models import Action, AuditEntry
from ascolto.customers.tests.factories import CustomerFactory
from ascolto.privacy import services
from ascolto.privacy.models import DataRequest
from ascolto.privacy.tests.seed import EMAIL, NAME, PHONE, seed_person

SECTIONS = {
    "customers.customer",
    "customers.contract",
    "customers.lostrecord",
    "interactions.interaction",
    "interactions.staffsignal",
    "notifications.notification",
    "feedback.invitation",
    "feedback.response",
    "feedback.answer",
    "textanalysis.textanalysis",
    "promises.promisecheck",
    "promises.crisis",
    "promises.expectation",
    "promises.fitoverride",
    "dashboards.lastheard",
    "cases.case",
    "cases.caseevent",
    "health.healthscore",
}


@pytest.mark.django_db
def test_export_holds_everything_about_the_person_and_nothing_of_the_namesake(
    workspace_a, workspace_b, alice, bob, outbox, django_capture_on_commit_callbacks
):
    seeded = seed_person(
        workspace=workspace_a, owner=alice, agent=bob, capture=django_capture_on_commit_callbacks
    )
    namesake = CustomerFactory(workspace=workspace_b, name=NAME, email=EMAIL, notes="B's notes")
    found = services.person_find(workspace=workspace_a, by=alice, phone="0039 347-555-0192")
    assert found == [seeded.customer]
    assert services.person_find(workspace=workspace_a, by=alice, email=EMAIL.upper()) == found

    bundle = services.person_export(workspace=workspace_a, by=alice, customer=seeded.customer)

    archive = zipfile.ZipFile(io.BytesIO(bundle))
    data = json.loads(archive.read("data.json"))
    assert SECTIONS <= set(data["tables"])
    person = data["tables"]["customers.customer"]
    assert [(p["id"], p["email"], p["phone"]) for p in person] == [
        (seeded.customer.pk, EMAIL, PHONE)
    ]
    answers = [a["text"] for a in data["tables"]["feedback.answer"]]
    assert any(EMAIL in text for text in answers)
    invitation = data["tables"]["feedback.invitation"][0]
    assert "token_hash" not in invitation and "token_salt" not in invitation
    assert "B's notes" not in archive.read("data.json").decode()
    assert str(namesake.pk) not in {str(p["id"]) for p in person}
    for section in data["tables"]:
        rows = list(csv.reader(io.StringIO(archive.read(f"{section}.csv").decode("utf-8-sig"))))
        assert len(rows) == len(data["tables"][section]) + 1
    assert AuditEntry.objects.filter(action=Action.PERSON_EXPORT, user=alice.user).count() == 1
    assert AuditEntry.objects.filter(action=Action.PERSON_SEARCH).count() == 2
    assert not AuditEntry.objects.filter(detail__icontains="ferraresi").exists()
    request = DataRequest.objects.get(kind="access")
    assert request.done_at is not None and request.customer == seeded.customer


@pytest.mark.django_db
def test_export_command_writes_the_zip(workspace_a, alice, tmp_path):
    customer = CustomerFactory(workspace=workspace_a, name=NAME, email=EMAIL)
    output = tmp_path / "person.zip"
    call_command("gdpr", "export", "--email", EMAIL, "--output", str(output))
    data = json.loads(zipfile.ZipFile(output).read("data.json"))
    assert data["tables"]["customers.customer"][0]["id"] == customer.pk


@pytest.mark.django_db
def test_export_command_asks_which_workspace_when_several(workspace_a, workspace_b, tmp_path):
    CustomerFactory(workspace=workspace_a, email=EMAIL)
    CustomerFactory(workspace=workspace_b, email=EMAIL)
    with pytest.raises(CommandError, match="--workspace"):
        call_command("gdpr", "export", "--email", EMAIL, "--output", str(tmp_path / "x.zip"))
    call_command(
        "gdpr",
        "export",
        "--email",
        EMAIL,
        "--workspace",
        str(workspace_b.pk),
        "--output",
        str(tmp_path / "x.zip"),
    )
    with pytest.raises(CommandError):
        call_command(
            "gdpr", "export", "--email", "nobody@example.it", "--output", str(tmp_path / "y.zip")
        )


@pytest.mark.django_db
def test_only_owners_find_and_export(workspace_a, alice, bob, carol, mallory):
    customer = CustomerFactory(workspace=workspace_a, email=EMAIL)
    for member in (bob, carol, mallory):
        with pytest.raises(PermissionDenied):
            services.person_find(workspace=workspace_a, by=member, email=EMAIL)
        with pytest.raises(PermissionDenied):
            services.person_export(workspace=workspace_a, by=member, customer=customer)
    assert not DataRequest.objects.exists()

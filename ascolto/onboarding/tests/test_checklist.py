"""The checklist of the first steps on the home page: ticked by the data, put away by hand."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.utils import timezone

from ascolto.customers.tests.factories import CustomerFactory
from ascolto.feedback.models import Invitation, Survey
from ascolto.feedback.services import survey_invitation_create
from ascolto.onboarding import selectors, services
from ascolto.onboarding.sectors import Sector
from ascolto.promises.models import Promise
from ascolto.workspaces.models import Membership, Role
from ascolto.workspaces.services import member_invite
from ascolto.workspaces.tests.factories import MembershipFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def started():
    user = get_user_model().objects.create_user("owner@bottega.it", "owner@bottega.it", "pw")
    workspace = services.workspace_setup(name="Bottega", owner=user, sector=Sector.RETAIL)
    return Membership.objects.get(workspace=workspace, user=user)


def _done(workspace) -> dict[str, bool]:
    return {s.key: s.done for s in selectors.onboarding_checklist(workspace=workspace).steps}


def test_a_new_business_has_everything_to_do(started):
    assert _done(started.workspace) == {
        "customers": False,
        "promises": False,
        "survey": False,
        "team": False,
    }


def test_steps_tick_themselves_as_things_happen(started):
    """GIVEN a business just started
    WHEN a customer is added, a promise added, an invitation handed over, a colleague invited
    THEN each step is ticked, with no button pressed."""
    workspace = started.workspace
    customer = CustomerFactory(workspace=workspace, email="c@esempio.it")
    assert _done(workspace)["customers"]

    assert not _done(workspace)["promises"]  # the starter promises are not a review
    services.onboarding_promises_reviewed(workspace=workspace, by=started)
    assert _done(workspace)["promises"]

    survey = Survey.objects.get(workspace=workspace)
    invitation = survey_invitation_create(survey=survey, customer=customer, by=started)
    assert not _done(workspace)["survey"]  # queued, not yet sent
    Invitation.objects.filter(pk=invitation.pk).update(sent_at=timezone.now())
    assert _done(workspace)["survey"]

    member_invite(workspace=workspace, by=started, email="bob@bottega.it", role=Role.AGENT)
    checklist = selectors.onboarding_checklist(workspace=workspace)
    assert checklist.complete and checklist.done_count == 4


def test_a_promise_added_after_the_start_counts_as_a_review(started):
    promise = Promise.objects.filter(workspace=started.workspace).first()
    Promise.objects.filter(pk=promise.pk).update(created_at=timezone.now())
    assert _done(started.workspace)["promises"]


def test_a_link_invitation_counts_as_sent(started):
    customer = CustomerFactory(workspace=started.workspace, email="")
    survey = Survey.objects.get(workspace=started.workspace)
    survey_invitation_create(
        survey=survey, customer=customer, by=started, channel=Invitation.Channel.LINK
    )
    assert _done(started.workspace)["survey"]


def test_a_colleague_who_joined_counts(started):
    MembershipFactory(workspace=started.workspace, role=Role.AGENT)
    assert _done(started.workspace)["team"]


def test_other_workspaces_do_not_tick_mine(started, workspace_b, mallory):
    CustomerFactory(workspace=workspace_b)
    MembershipFactory(workspace=workspace_b, role=Role.AGENT)
    assert not any(_done(started.workspace).values())


def test_the_checklist_is_one_query(started, django_assert_num_queries):
    workspace = started.workspace
    with django_assert_num_queries(1):
        selectors.onboarding_checklist(workspace=workspace)


def _client(membership) -> Client:
    client = Client()
    client.force_login(membership.user)
    return client


def test_home_shows_the_checklist_and_the_owner_puts_it_away(started):
    client = _client(started)
    home = client.get("/", HTTP_ACCEPT_LANGUAGE="it")
    assert home.status_code == 200
    text = home.content.decode()
    assert "Primi passi" in text and "0 di 4 fatti" in text
    assert client.post("/start/promises-reviewed/").status_code == 302
    assert "1 di 4 fatto" in client.get("/", HTTP_ACCEPT_LANGUAGE="it").content.decode()
    assert client.post("/start/checklist/dismiss/").status_code == 302
    assert client.get("/").url == "/customers/"


def test_an_agent_goes_to_the_customers_and_cannot_put_it_away(started):
    agent = MembershipFactory(workspace=started.workspace, role=Role.AGENT)
    client = _client(agent)
    assert client.get("/").url == "/customers/"
    assert client.post("/start/checklist/dismiss/").status_code == 403
    assert client.post("/start/promises-reviewed/").status_code == 403
    assert not selectors.onboarding_checklist(workspace=started.workspace).dismissed


def test_a_business_not_started_with_setup_shows_no_checklist(alice_client):
    assert alice_client.get("/").url == "/customers/"


def test_the_service_refuses_an_agent(started):
    agent = MembershipFactory(workspace=started.workspace, role=Role.AGENT)
    with pytest.raises(PermissionDenied):
        services.onboarding_dismiss(workspace=started.workspace, by=agent)


def test_the_customers_step_opens_the_import_on_customers(started):
    """The first step links to the spreadsheet import (a page of the `api` app, above this one:
    reached by its URL name), opened on "customers", and to adding them one by one."""
    client = _client(started)
    home = client.get("/", HTTP_ACCEPT_LANGUAGE="it").content.decode()
    link = home[home.index('data-step="customers"') :]
    assert 'href="/connections/import/?kind=customers"' in link[: link.index("</li>")]
    assert 'href="/customers/new/"' in home
    page = client.get("/connections/import/?kind=customers").content.decode()
    assert '<option value="customers" selected>' in page
    assert client.get("/connections/import/?kind=nonsense").status_code == 200

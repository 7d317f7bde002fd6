"""Reads of getting started: the checklist of the first steps, ticked from the data."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Exists, OuterRef, Q
from django.utils.functional import Promise as LazyText
from django.utils.translation import gettext_lazy as _

from ascolto.customers.models import Customer
from ascolto.feedback.models import Invitation
from ascolto.onboarding.models import Onboarding
from ascolto.promises.models import Promise
from ascolto.workspaces.models import MemberInvitation, Membership, Workspace


@dataclass(frozen=True)
class Step:
    key: str
    title: str | LazyText
    why: str | LazyText
    url_name: str
    done: bool
    # Another way to do it: (words, URL name), e.g. one customer at a time beside the import.
    other: tuple[str | LazyText, str] | None = None


# The customer import page (`api` app): its URL name, so the checklist links to it without
# importing an app above onboarding; the page opens on "customers".
IMPORT_URL_NAME = "api:import-start"


@dataclass(frozen=True)
class Checklist:
    steps: list[Step]
    dismissed: bool

    @property
    def done_count(self) -> int:
        return sum(step.done for step in self.steps)

    @property
    def complete(self) -> bool:
        return all(step.done for step in self.steps)


def onboarding_checklist(*, workspace: Workspace) -> Checklist:
    """The four first steps of a business, each ticked by what has happened: customers
    recorded, the promise catalogue looked at (marked on the checklist, or a promise added
    after the start), a survey invitation sent (by email or handed over), a colleague invited
    or joined. One query."""
    onboarding = Onboarding.objects.filter(workspace=workspace)
    row = (
        Workspace.objects.filter(pk=workspace.pk)
        .annotate(
            has_customers=Exists(Customer.objects.filter(workspace=OuterRef("pk"))),
            promise_added=Exists(
                Promise.objects.filter(
                    workspace=OuterRef("pk"),
                    created_at__gt=OuterRef("onboarding__created_at"),
                )
            ),
            promises_reviewed=Exists(
                onboarding.filter(workspace=OuterRef("pk"), promises_reviewed_at__isnull=False)
            ),
            survey_sent=Exists(
                Invitation.objects.filter(workspace=OuterRef("pk")).filter(
                    Q(sent_at__isnull=False) | ~Q(channel=Invitation.Channel.EMAIL)
                )
            ),
            team_invited=Exists(MemberInvitation.objects.filter(workspace=OuterRef("pk"))),
            # the owner joined in the same transaction, just before the onboarding row
            team_joined=Exists(
                Membership.objects.filter(
                    workspace=OuterRef("pk"), created_at__gt=OuterRef("onboarding__created_at")
                )
            ),
            dismissed=Exists(
                onboarding.filter(workspace=OuterRef("pk"), dismissed_at__isnull=False)
            ),
        )
        .values(
            "has_customers",
            "promise_added",
            "promises_reviewed",
            "survey_sent",
            "team_invited",
            "team_joined",
            "dismissed",
        )
        .get()
    )
    steps = [
        Step(
            "customers",
            _("Add your customers"),
            _(
                "Everyone you want to hear from, all at once from a spreadsheet (CSV or Excel) "
                "or one by one: name, email or mobile number, segment."
            ),
            # The import page belongs to the `api` app, above this one: named, not imported.
            IMPORT_URL_NAME,
            row["has_customers"],
            other=(_("or add them one by one"), "customers:customer-create"),
        ),
        Step(
            "promises",
            _("Review your promises"),
            _("Ascolto checks every interaction against them: keep the ones you really make."),
            "promises:promise-list",
            row["promises_reviewed"] or row["promise_added"],
        ),
        Step(
            "survey",
            _("Send the first survey"),
            _("Ask a group of customers at once, by email or WhatsApp."),
            "feedback:survey-list",
            row["survey_sent"],
        ),
        Step(
            "team",
            _("Invite your team"),
            _("Whoever talks to customers can note what they hear."),
            "workspaces:member-list",
            row["team_invited"] or row["team_joined"],
        ),
    ]
    return Checklist(steps=steps, dismissed=row["dismissed"])

"""Writes of getting started: a new business with its sector's defaults, and the checklist.

`workspace_setup` is what `ascolto setup`, the first-run page and "new workspace" call: the
workspace with its owner (`workspaces.services.workspace_create`, whose hook installs every
app's general catalogues), then the sector's touchpoints, a starter promise catalogue, an NPS
survey and the cadence rule that asks every customer, each through its own app's services, as
the owner. Everything in one transaction: a failure leaves nothing half made.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from ascolto.customers.models import Customer
from ascolto.feedback.models import Survey
from ascolto.feedback.services import survey_create
from ascolto.feedback.services.cadence import cadence_rule_create
from ascolto.interactions.models import Touchpoint
from ascolto.interactions.services import touchpoints_add
from ascolto.onboarding.models import Onboarding
from ascolto.onboarding.sectors import SECTORS, Sector
from ascolto.promises.services import promise_create
from ascolto.workspaces.guards import require_member
from ascolto.workspaces.models import Membership, Role, Workspace
from ascolto.workspaces.services import normalise_email, workspace_create


def owner_account(*, email: str, first_name: str = "", password: str | None = None) -> User:
    """The account of the person starting a business: the existing one with this address
    (whose password is left as it is), or a new one, with `password` or, without it, no usable
    password until the owner sets one through a one-time link."""
    email = normalise_email(email)
    user_model = get_user_model()
    existing = user_model.objects.filter(email__iexact=email).order_by("pk").first()
    if existing is not None:
        return existing
    user = user_model(username=email, email=email, first_name=first_name.strip())
    if password:
        user.set_password(password)
    else:
        user.set_unusable_password()
    user.full_clean()
    user.save()
    return user


@transaction.atomic
def workspace_setup(
    *,
    name: str,
    owner: User,
    sector: str,
    language: str = "it",
    time_zone: str = "Europe/Rome",
    currency: str = "EUR",
) -> Workspace:
    """A new business owned by `owner`, with the defaults of `sector` (see `sectors.py`)."""
    if sector not in Sector.values:
        raise ValidationError({"sector": _("Choose the kind of business.")})
    workspace = workspace_create(
        name=(name or "").strip(),
        owner=owner,
        language=language,
        time_zone=time_zone,
        currency=currency,
    )
    by = Membership.objects.get(workspace=workspace, user=owner)
    with translation.override(workspace.language):
        _install_sector_defaults(workspace, by, sector)
    # after the defaults: what is created later is the owner's own doing (the checklist)
    Onboarding.objects.create(workspace=workspace, sector=sector)
    return workspace


def _install_sector_defaults(workspace: Workspace, by: Membership, sector: str) -> None:
    defaults = SECTORS[sector]
    touchpoints_add(workspace=workspace, by=by, touchpoints=defaults.touchpoints)
    by_code = {t.code: t for t in Touchpoint.objects.filter(workspace=workspace)}
    for fields in defaults.promises:
        promise_create(
            workspace=workspace, by=by, **{**fields, "touchpoint": by_code[fields["touchpoint"]]}
        )
    survey = survey_create(
        workspace=workspace,
        by=by,
        name=_("How are we doing? (NPS)"),
        kind=Survey.Kind.NPS,
    )
    cadence_rule_create(
        workspace=workspace,
        by=by,
        name=_("Every customer, every %(days)s days") % {"days": defaults.every_days},
        survey=survey,
        customer_kind=Customer.Kind.EXTERNAL,
        every_days=defaults.every_days,
        fatigue_days=defaults.fatigue_days,
    )


def _onboarding(workspace: Workspace) -> Onboarding:
    onboarding, _created = Onboarding.objects.get_or_create(workspace=workspace)
    return onboarding


@transaction.atomic
def onboarding_promises_reviewed(*, workspace: Workspace, by: Membership) -> Onboarding:
    """The owner or a manager has looked at the promise catalogue and keeps it as it is."""
    require_member(by, workspace, Role.MANAGER)
    onboarding = _onboarding(workspace)
    if onboarding.promises_reviewed_at is None:
        onboarding.promises_reviewed_at = timezone.now()
        onboarding.save(update_fields=["promises_reviewed_at"])
    return onboarding


@transaction.atomic
def onboarding_dismiss(*, workspace: Workspace, by: Membership) -> Onboarding:
    """Put the checklist away (owners and managers); the home page then opens the customers."""
    require_member(by, workspace, Role.MANAGER)
    onboarding = _onboarding(workspace)
    onboarding.dismissed_at = timezone.now()
    onboarding.save(update_fields=["dismissed_at"])
    return onboarding

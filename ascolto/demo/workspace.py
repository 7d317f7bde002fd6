"""Demo step 1: the business, its four members and its catalogues, through the services."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db import transaction

from ascolto.customers.models import LostReason
from ascolto.customers.services import segment_get_or_create
from ascolto.demo import DEMO_TIME_ZONE, DemoContext
from ascolto.demo.names import SEGMENTS
from ascolto.interactions.models import Touchpoint
from ascolto.workspaces.models import Membership, Role
from ascolto.workspaces.services import workspace_create

DEMO_EMAIL_DOMAIN = "demo.ascolto.local"

# (login name, role, first name, last name), owner first.
DEMO_MEMBERS = [
    ("titolare", Role.OWNER, "Giorgio", "Brambilla"),
    ("responsabile", Role.MANAGER, "Laura", "Colombo"),
    ("agente1", Role.AGENT, "Marco", "Fumagalli"),
    ("agente2", Role.AGENT, "Sara", "Redaelli"),
]


def demo_username(login: str) -> str:
    return f"{login}@{DEMO_EMAIL_DOMAIN}"


def _demo_user(login: str, first_name: str, last_name: str, password: str):
    """The demo user with this login, created or (when it already exists, e.g. for a second
    demo workspace) given the demo password again, so the printed logins always work."""
    user_model = get_user_model()
    username = demo_username(login)
    user = user_model.objects.filter(username=username).first()
    if user is None:
        user = user_model(
            username=username, email=username, first_name=first_name, last_name=last_name
        )
        user.set_password(password)
        user.full_clean()
    else:
        user.set_password(password)
    user.save()
    return user


@transaction.atomic
def workspace_step(ctx: DemoContext) -> None:
    users = [
        (role, _demo_user(login, first, last, ctx.options.password))
        for login, role, first, last in DEMO_MEMBERS
    ]
    owner_user = users[0][1]
    workspace = workspace_create(
        name=ctx.options.workspace_name,
        owner=owner_user,
        language="it",
        time_zone=DEMO_TIME_ZONE,
        currency="EUR",
    )
    members = [workspace.memberships.get(user=owner_user)]
    for role, user in users[1:]:
        membership = Membership(workspace=workspace, user=user, role=role)
        membership.full_clean()
        membership.save()
        members.append(membership)
    ctx.workspace = workspace
    ctx.members = members
    ctx.logins = [(str(role), user.username) for role, user in users]
    ctx.segments = {
        name: segment_get_or_create(workspace=workspace, by=members[0], name=name).pk
        for name in SEGMENTS
    }
    ctx.touchpoints = dict(Touchpoint.objects.filter(workspace=workspace).values_list("code", "pk"))
    ctx.lost_reasons = dict(
        LostReason.objects.filter(workspace=workspace, active=True).values_list("code", "pk")
    )

"""The one place that decides which workspace a request works in and what its member may do.

Every view that shows or changes workspace data is wrapped in `member_required(role)`, and every
object it takes by id comes through `get_for_workspace()`: an id from another workspace is a 404,
exactly like an id that does not exist, so nothing reveals that it exists elsewhere.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from typing import Any, Self, TypeVar

from django.contrib.auth.models import User
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, ValidationError
from django.db import models
from django.db.models import Exists, OuterRef
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.functional import SimpleLazyObject
from django_otp.plugins.otp_totp.models import TOTPDevice

from ascolto.lib.periods import workspace_zone
from ascolto.workspaces import hooks
from ascolto.workspaces.models import Membership, Role, Workspace

logger = logging.getLogger("ascolto.security")

SESSION_KEY = "ascolto_workspace_id"

M = TypeVar("M", bound=models.Model)


class MemberRequest(HttpRequest):
    """For type checking: the request a `member_required` view receives."""

    workspace: Workspace
    member: Membership
    user: User


class WorkspaceQuerySet(models.QuerySet[M]):
    """Base queryset for every model that belongs to a workspace."""

    def for_workspace(self, workspace: Workspace) -> Self:
        return self.filter(workspace=workspace)


class SameWorkspaceMixin:
    """For a model with a `workspace`: the rows its foreign keys point to must be of the same
    workspace. Declare the keys in `same_workspace_fields`; `clean()` (and so `full_clean()`,
    which every service calls) refuses a row of another workspace with a message per field:

        class Interaction(SameWorkspaceMixin, models.Model):
            same_workspace_fields = ("customer", "touchpoint", "member")

    The message is the related model's `other_workspace_message` ("This customer belongs to
    another workspace."), unless the field gives its own in a dict:
    `same_workspace_fields = {"segment": _("Choose a segment of this workspace.")}` (None keeps
    the related model's). A model with checks of its own starts from
    `errors = self.same_workspace_errors()` and raises once with everything it found.
    """

    same_workspace_fields: tuple[str, ...] | dict[str, Any] = ()

    def same_workspace_errors(self) -> dict[str, Any]:
        fields = self.same_workspace_fields
        items = fields.items() if isinstance(fields, dict) else ((name, None) for name in fields)
        errors: dict[str, Any] = {}
        workspace_id = self.workspace_id  # type: ignore[attr-defined]
        for name, message in items:
            field = self._meta.get_field(name)  # type: ignore[attr-defined]
            if getattr(self, field.attname) is None:
                continue
            related = getattr(self, name)
            if related.workspace_id != workspace_id:
                errors[name] = message or related.other_workspace_message
        return errors

    def clean(self) -> None:
        super().clean()  # type: ignore[misc]
        errors = self.same_workspace_errors()
        if errors:
            raise ValidationError(errors)


def current_membership(request: HttpRequest) -> Membership | None:
    """The membership the request acts as: the one chosen in the session, else the first."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return None
    memberships = (
        Membership.objects.select_related("workspace", "user")
        .filter(user=user)
        # Whether the user has an authenticator, in the same query (no extra one per page).
        .annotate(
            has_two_factor=Exists(
                TOTPDevice.objects.filter(user_id=OuterRef("user_id"), confirmed=True)
            )
        )
    )
    chosen = request.session.get(SESSION_KEY)
    if chosen is not None:
        membership = memberships.filter(workspace_id=chosen).first()
        if membership is not None:
            return membership
    membership = memberships.order_by("created_at", "pk").first()
    if membership is not None:
        request.session[SESSION_KEY] = membership.workspace_id
    return membership


class CurrentWorkspaceMiddleware:
    """Attach `request.membership` and `request.workspace` (both lazy, None when logged out)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request.membership = SimpleLazyObject(lambda: _Boxed(current_membership(request)))  # type: ignore[attr-defined]
        return self.get_response(request)


class _Boxed:
    """Lets a lazy object carry None."""

    def __init__(self, value: Membership | None):
        self.value = value


def membership_of(request: HttpRequest) -> Membership | None:
    boxed = getattr(request, "membership", None)
    if boxed is None:
        return None
    if isinstance(boxed, Membership):
        return boxed
    return boxed.value


def two_factor_redirect(request: HttpRequest, membership: Membership) -> HttpResponse | None:
    """Where a member must go before anything else: to type the app's code when they have an
    authenticator and this session has not passed it, or to set one up when the workspace
    requires it of their role. None when they may go on."""
    if getattr(membership, "has_two_factor", False):
        if not request.user.is_verified():  # type: ignore[union-attr]
            return redirect_to_login(request.get_full_path(), "workspaces:two-factor-verify")
        return None
    if membership.workspace.require_two_factor and membership.has_role(Role.MANAGER):
        return redirect_to_login(request.get_full_path(), "workspaces:two-factor-setup")
    return None


def member_required(role: str = Role.AGENT, *, before_two_factor: bool = False) -> Callable:
    """Decorator: the user must be logged in and a member of the current workspace with `role`
    or higher, past the two-step sign-in when it applies (`before_two_factor` for the pages of
    that step itself). Sets `request.workspace` and `request.member` for the view."""

    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @functools.wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            membership = membership_of(request)
            if membership is None:
                return render(request, "workspaces/no_workspace.html", status=403)
            if not before_two_factor:
                step = two_factor_redirect(request, membership)
                if step is not None:
                    return step
            if not membership.has_role(role):
                logger.warning(
                    "role denied: user=%s workspace=%s role=%s needed=%s path=%s",
                    request.user.pk,
                    membership.workspace_id,
                    membership.role,
                    role,
                    request.path.replace("\n", " ").replace("\r", " "),
                )
                raise PermissionDenied
            request.workspace = membership.workspace  # type: ignore[attr-defined]
            request.member = membership  # type: ignore[attr-defined]
            # Dates and times are shown and typed in the workspace's time zone.
            with timezone.override(workspace_zone(membership.workspace)):
                response = view(request, *args, **kwargs)
                if hasattr(response, "render") and not getattr(response, "is_rendered", True):
                    response.render()
            return response

        wrapped.required_role = role  # type: ignore[attr-defined]
        return wrapped

    return decorator


def require_role(request: HttpRequest, role: str) -> None:
    """Raise PermissionDenied unless the request's member has `role` or higher (for checks
    inside a view that several roles may open, e.g. a delete button on a page agents see)."""
    member = getattr(request, "member", None)
    if member is None or not member.has_role(role):
        raise PermissionDenied


def get_for_workspace(
    request: HttpRequest, model: type[M] | models.QuerySet, pk: Any, **lookups: Any
) -> M:
    """Return the object with `pk` in the request's workspace, or raise 404."""
    queryset = model._default_manager.all() if isinstance(model, type) else model
    try:
        return queryset.filter(workspace=request.workspace).get(pk=pk, **lookups)  # type: ignore[attr-defined]
    except (ObjectDoesNotExist, ValueError, TypeError):
        _report_other_workspace(request, queryset.model, pk)
        raise Http404 from None


def _report_other_workspace(request: HttpRequest, model: type[models.Model], pk: Any) -> None:
    """Tell `hooks.access_refused` when the id exists in another workspace (the visitor sees
    the same 404 either way)."""
    if not len(hooks.access_refused):
        return
    try:
        elsewhere = (
            model._default_manager.filter(pk=pk)
            .exclude(workspace=request.workspace)  # type: ignore[attr-defined]
            .exists()
        )
    except (ValueError, TypeError):
        return
    if elsewhere:
        hooks.access_refused.call(request=request, model=model, pk=pk)


def workspace_context(request: HttpRequest) -> dict[str, Any]:
    """Template context: the current member and the workspaces the user can switch to."""
    membership = membership_of(request)
    if membership is None:
        return {}
    return {
        "current_member": membership,
        "current_workspace": membership.workspace,
        "user_memberships": SimpleLazyObject(
            lambda: list(
                Membership.objects.select_related("workspace").filter(user_id=membership.user_id)
            )
        ),
    }

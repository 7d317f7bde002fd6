from __future__ import annotations

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from ascolto.notifications import selectors, services
from ascolto.notifications.models import Notification
from ascolto.workspaces.models import Role
from ascolto.workspaces.tenancy import get_for_workspace, member_required


@member_required(Role.AGENT)
def notification_list(request: HttpRequest) -> HttpResponse:
    notifications = selectors.notification_list_for_member(
        workspace=request.workspace, member=request.member
    )
    page = Paginator(notifications, 25).get_page(request.GET.get("page"))
    return render(request, "notifications/notification_list.html", {"page": page})


@require_POST
@member_required(Role.AGENT)
def notification_read(request: HttpRequest, pk: int) -> HttpResponse:
    """Mark one of the member's own notifications read, then follow its link if asked."""
    notification = get_for_workspace(request, Notification, pk, recipient=request.member)
    services.notification_mark_read(notification=notification, by=request.member)
    if request.POST.get("open") and url_has_allowed_host_and_scheme(
        notification.url, allowed_hosts={request.get_host()}
    ):
        return redirect(notification.url or "notifications:notification-list")
    return redirect("notifications:notification-list")


@require_POST
@member_required(Role.AGENT)
def notification_read_all(request: HttpRequest) -> HttpResponse:
    services.notifications_mark_all_read(by=request.member)
    return redirect("notifications:notification-list")

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from ascolto.voice.models import Review
from ascolto.workspaces.models import Role
from ascolto.workspaces.tenancy import get_for_workspace, member_required


@member_required(Role.AGENT)
def review_detail(request: HttpRequest, pk: int) -> HttpResponse:
    review = get_for_workspace(request, Review, pk)
    return render(request, "voice/review_detail.html", {"review": review})

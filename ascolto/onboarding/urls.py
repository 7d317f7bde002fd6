from django.urls import path

from ascolto.onboarding import views

app_name = "onboarding"

urlpatterns = [
    path("", views.first_run, name="first-run"),
    path("new/", views.workspace_new, name="workspace-new"),
    path("promises-reviewed/", views.promises_reviewed, name="promises-reviewed"),
    path("checklist/dismiss/", views.checklist_dismiss, name="checklist-dismiss"),
]

from django.urls import path

from ascolto.audit import views

app_name = "audit"

urlpatterns = [
    path("", views.audit_list, name="audit-list"),
]

from django.urls import path

from ascolto.feedback import views, views_bulk

app_name = "feedback"

urlpatterns = [
    path("", views.survey_list, name="survey-list"),
    path("new/", views.survey_create, name="survey-create"),
    path("<int:pk>/", views.survey_detail, name="survey-detail"),
    path("<int:pk>/edit/", views.survey_update, name="survey-update"),
    path("<int:pk>/preview/", views.survey_preview, name="survey-preview"),
    path("<int:pk>/questions/new/", views.question_create, name="question-create"),
    path("<int:pk>/links/new/", views.open_link_create, name="openlink-create"),
    path("questions/<int:pk>/edit/", views.question_update, name="question-update"),
    path("questions/<int:pk>/delete/", views.question_delete, name="question-delete"),
    path("links/<int:pk>/toggle/", views.open_link_toggle, name="openlink-toggle"),
    path("links/<int:pk>/qr.svg", views.open_link_qr, name="openlink-qr"),
    path("customer/<int:customer_pk>/invite/", views.invitation_create, name="invitation-create"),
    path("invitations/<int:pk>/", views.invitation_detail, name="invitation-detail"),
    path("invitations/<int:pk>/qr.svg", views.invitation_qr, name="invitation-qr"),
    path("invitations/<int:pk>/resend/", views.invitation_resend, name="invitation-resend"),
    path("responses/", views.response_list, name="response-list"),
    path("send/", views_bulk.bulk_send, name="bulk-send"),
    path("send/<int:pk>/", views_bulk.bulk_detail, name="bulk-detail"),
    path("cadence/", views.cadence_rule_list, name="cadence-list"),
    path("cadence/new/", views.cadence_rule_create, name="cadence-create"),
    path("cadence/<int:pk>/edit/", views.cadence_rule_update, name="cadence-update"),
]

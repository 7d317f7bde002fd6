from django.urls import path

from ascolto.cases import views

app_name = "cases"

urlpatterns = [
    path("", views.work_queue, name="work-queue"),
    path("<int:pk>/", views.case_detail, name="case-detail"),
    path("<int:pk>/status/", views.case_status, name="case-status"),
    path("<int:pk>/take/", views.case_take, name="case-take"),
    path("<int:pk>/note/", views.case_note, name="case-note"),
    path("<int:pk>/acknowledge/", views.case_acknowledge, name="case-acknowledge"),
    path("<int:pk>/remedy/", views.case_remedy, name="case-remedy"),
    path("remedies/<int:pk>/decide/", views.remedy_decide, name="remedy-decide"),
    path("new/<int:customer_pk>/", views.case_open, name="case-open"),
    path("lost/", views.lost_report, name="lost-report"),
    path("settings/", views.case_settings, name="settings"),
    path("settings/<slug:section>/", views.case_settings_save, name="settings-save"),
    path("replies/", views.reply_templates, name="reply-templates"),
    path("replies/save/", views.reply_template_save, name="reply-template-save"),
    path("replies/<int:pk>/remove/", views.reply_template_remove, name="reply-template-remove"),
    path("ledger/", views.remedy_ledger, name="ledger"),
]

from django.urls import path

from ascolto.dashboards import views

app_name = "dashboards"

urlpatterns = [
    path("", views.overview, name="overview"),
    path("trends/", views.trends, name="trends"),
    path("breakdowns/", views.breakdowns, name="breakdowns"),
    path("surveys/<int:pk>/", views.survey_detail, name="survey-detail"),
    path("export/<slug:table>.<slug:fmt>", views.export, name="export"),
    path("report/<str:month>.pdf", views.report_pdf, name="report-pdf"),
]

from django.urls import path

from ascolto.cases import views

app_name = "cases"

urlpatterns = [
    path("", views.work_queue, name="work-queue"),
    path("<int:pk>/", views.case_detail, name="case-detail"),
]

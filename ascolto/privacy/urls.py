from django.urls import path

from ascolto.privacy import views

app_name = "privacy"

urlpatterns = [
    path("", views.privacy_home, name="privacy-home"),
    path("requests/new/", views.data_request_create, name="data-request-create"),
    path("requests/<int:pk>/done/", views.data_request_done, name="data-request-done"),
    path("record/", views.processing_record, name="processing-record"),
    path("customer/<int:pk>/", views.person_detail, name="person-detail"),
    path("customer/<int:pk>/export/", views.person_export, name="person-export"),
    path("customer/<int:pk>/erase/", views.person_erase, name="person-erase"),
]

from django.urls import path

from ascolto.ops import views

app_name = "ops"

urlpatterns = [
    path("ready/", views.ready, name="ready"),
    path("metrics", views.metrics, name="metrics"),
]

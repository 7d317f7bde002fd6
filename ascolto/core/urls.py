from django.urls import path

from ascolto.core import views

app_name = "core"

urlpatterns = [
    path("", views.home, name="home"),
    path("health/", views.health, name="health"),
    path("help/", views.help_index, name="help-index"),
    path("help/<slug:topic>/", views.help_page, name="help"),
]

"""The API's routes, included by the project's URLs by name (so the wiring imports no layer)."""

from django.urls import path

from ascolto.api.api import api

urlpatterns = [path("", api.urls)]

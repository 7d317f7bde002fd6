from django.urls import path

from ascolto.health import views

app_name = "health"

urlpatterns = [
    path("", views.at_risk, name="at-risk"),
    path("settings/", views.health_settings, name="settings"),
    path("backtest/", views.health_backtest_page, name="backtest"),
]

from django.urls import path

from ascolto.health import views

app_name = "health"

urlpatterns = [
    path("", views.notification_list, name="notification-list"),
    path("read-all/", views.notification_read_all, name="notification-read-all"),
    path("<int:pk>/read/", views.notification_read, name="notification-read"),
]

"""Timeline pages. A URL's `pk` is the entity its name starts with (`interaction-update`: an
interaction); `customer_pk` names the customer whose timeline it is."""

from django.urls import path

from ascolto.interactions import views

app_name = "interactions"

urlpatterns = [
    path("customer/<int:customer_pk>/", views.timeline, name="timeline"),
    path("customer/<int:customer_pk>/new/", views.interaction_create, name="interaction-create"),
    path("customer/<int:customer_pk>/signal/", views.signal_create, name="signal-create"),
    path("<int:pk>/edit/", views.interaction_update, name="interaction-update"),
    path("<int:pk>/delete/", views.interaction_delete, name="interaction-delete"),
]

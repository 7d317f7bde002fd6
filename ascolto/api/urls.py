from django.urls import path

from ascolto.api import views

app_name = "api"

urlpatterns = [
    path("tokens/", views.token_list, name="token-list"),
    path("tokens/<int:pk>/revoke/", views.token_revoke, name="token-revoke"),
    path("webhooks/", views.webhook_list, name="webhook-list"),
    path("webhooks/<int:pk>/", views.webhook_detail, name="webhook-detail"),
    path("webhooks/<int:pk>/delete/", views.webhook_delete, name="webhook-delete"),
    path(
        "deliveries/<int:pk>/resend/",
        views.webhook_delivery_resend_view,
        name="webhook-delivery-resend",
    ),
    path("import/", views.import_start, name="import-start"),
    path("import/columns/", views.import_map, name="import-map"),
    path("import/<int:pk>/", views.import_run, name="import-run"),
]

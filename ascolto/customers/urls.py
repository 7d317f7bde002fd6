"""Customer pages. A URL's `pk` is the entity its name starts with (`contract-update`: a
contract); `<entity>_pk` names the parent of something being created (`customer_pk`)."""

from django.urls import path

from ascolto.customers import views

app_name = "customers"

urlpatterns = [
    path("", views.customer_list, name="customer-list"),
    path("new/", views.customer_create, name="customer-create"),
    path("<int:pk>/", views.customer_detail, name="customer-detail"),
    path("<int:pk>/edit/", views.customer_update, name="customer-update"),
    path("<int:pk>/delete/", views.customer_delete, name="customer-delete"),
    path("<int:customer_pk>/contracts/new/", views.contract_create, name="contract-create"),
    path("contracts/<int:pk>/edit/", views.contract_update, name="contract-update"),
    path("<int:customer_pk>/lost/", views.lost_record_create, name="lost-record-create"),
    path("<int:pk>/consent/", views.customer_consent, name="customer-consent"),
]

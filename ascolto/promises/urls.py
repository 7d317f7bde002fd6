from django.urls import path  # noqa: F401 (each area adds its pages below)

app_name = "promises"

urlpatterns: list = []

# The fit check: customers' needs, taking a prospect on, customers taken despite a misfit.
from ascolto.promises.views import fit as fit_views  # noqa: E402

urlpatterns += [
    path(
        "customers/<int:customer_pk>/needs/new/",
        fit_views.expectation_create,
        name="expectation-create",
    ),
    path("needs/<int:pk>/delete/", fit_views.expectation_delete, name="expectation-delete"),
    path(
        "customers/<int:customer_pk>/convert/", fit_views.customer_convert, name="customer-convert"
    ),
    path("fit/taken-despite-misfit/", fit_views.fit_report, name="fit-report"),
]

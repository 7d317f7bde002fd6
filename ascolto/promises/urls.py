from django.urls import path  # noqa: F401 (each area adds its pages below)

app_name = "promises"

urlpatterns: list = []

# The catalogue, each promise's checks, and the crisis panel of the customer page.
from ascolto.promises.views import catalogue as catalogue_views  # noqa: E402
from ascolto.promises.views import crisis as crisis_views  # noqa: E402

urlpatterns += [
    path("", catalogue_views.promise_list, name="promise-list"),
    path("new/", catalogue_views.promise_create, name="promise-create"),
    path("<int:pk>/edit/", catalogue_views.promise_update, name="promise-update"),
    path("<int:pk>/active/", catalogue_views.promise_activate, name="promise-activate"),
    path("<int:pk>/checks/", catalogue_views.promise_checks, name="promise-checks"),
    path("checks/<int:pk>/set/", catalogue_views.check_set, name="check-set"),
    path("crises/<int:pk>/step/", crisis_views.crisis_step, name="crisis-step"),
    path("crises/<int:pk>/close/", crisis_views.crisis_close, name="crisis-close"),
]

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

# The gap analysis: promised, delivered, perceived and expected, per promise.
from ascolto.promises.views import gaps as gap_views  # noqa: E402

urlpatterns += [
    path("gaps/", gap_views.gap_overview, name="gap-overview"),
    path("gaps/customer/<int:pk>/", gap_views.gap_customer, name="gap-customer"),
]

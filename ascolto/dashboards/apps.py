from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DashboardsConfig(AppConfig):
    name = "ascolto.dashboards"
    label = "dashboards"
    verbose_name = _("Dashboards")

    def ready(self) -> None:
        """Connect to the lower apps' registries (docs/architecture.md)."""
        from ascolto.customers.columns import customer_columns
        from ascolto.dashboards.columns import COLUMN

        customer_columns.register(COLUMN)

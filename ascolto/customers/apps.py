from django.apps import AppConfig


class CustomersConfig(AppConfig):
    name = "ascolto.customers"
    label = "customers"

    def ready(self) -> None:
        from ascolto.customers.panels import PANELS, customer_panels
        from ascolto.customers.services import lost_reasons_install_defaults
        from ascolto.workspaces import hooks as workspaces_hooks

        workspaces_hooks.workspace_created.register(lost_reasons_install_defaults)
        for panel in PANELS:
            customer_panels.register(panel)

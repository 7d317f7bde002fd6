from django.apps import AppConfig


class WorkspacesConfig(AppConfig):
    name = "ascolto.workspaces"
    label = "workspaces"

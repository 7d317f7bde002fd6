"""The Django admin, with Ascolto's admin site (`admin_site.AscoltoAdminSite`: the two-step
sign-in applies to the admin too). Named in INSTALLED_APPS instead of "django.contrib.admin"."""

from django.contrib.admin.apps import AdminConfig


class AscoltoAdminConfig(AdminConfig):
    default_site = "ascolto.workspaces.admin_site.AscoltoAdminSite"

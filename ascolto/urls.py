from django.contrib import admin
from django.urls import include, path

from ascolto.workspaces.views import language_set

urlpatterns = [
    path("", include("ascolto.core.urls")),
    path("i18n/setlang/", language_set, name="set_language"),
    path("account/", include("ascolto.workspaces.urls")),
    path("start/", include("ascolto.onboarding.urls")),
    path("customers/", include("ascolto.customers.urls")),
    path("timeline/", include("ascolto.interactions.urls")),
    path("feedback/", include("ascolto.feedback.urls")),
    path("s/", include("ascolto.feedback.public_urls")),
    path("promises/", include("ascolto.promises.urls")),
    path("cases/", include("ascolto.cases.urls")),
    path("textanalysis/", include("ascolto.textanalysis.urls")),
    path("voice/", include("ascolto.voice.urls")),
    path("notifications/", include("ascolto.notifications.urls")),
    path("at-risk/", include("ascolto.health.urls")),
    path("dashboard/", include("ascolto.dashboards.urls")),
    path("audit/", include("ascolto.audit.urls")),
    path("privacy/", include("ascolto.privacy.urls")),
    path("connections/", include("ascolto.api.urls")),
    path("api/v1/", include("ascolto.api.v1_urls")),
    path("admin/", admin.site.urls),
    path("", include("ascolto.ops.urls")),
]

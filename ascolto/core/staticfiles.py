"""The static files app, told to leave out what Ascolto never serves.

django-ninja ships two API documentation viewers; Ascolto serves Swagger UI only
(`/api/v1/docs`), so ReDoc's 4 MB bundle and map are not copied or compressed by
`collectstatic` (which `ascolto serve` runs at every start)."""

from django.contrib.staticfiles.apps import StaticFilesConfig as DjangoStaticFilesConfig


class StaticFilesConfig(DjangoStaticFilesConfig):
    ignore_patterns = [*DjangoStaticFilesConfig.ignore_patterns, "ninja/redoc.*"]

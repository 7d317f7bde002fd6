"""The product's URLs plus the survey bench's ceiling view; used only by the server that
`ascolto bench survey` starts (settings `ascolto.bench.settings`), never by a real install."""

from django.urls import path

from ascolto.bench.ceiling import ceiling
from ascolto.urls import urlpatterns as product_urlpatterns

urlpatterns = [*product_urlpatterns, path("bench/ceiling/", ceiling, name="bench-ceiling")]

"""Settings of the server `ascolto bench survey` starts: the product's, with the ceiling view
mounted (see `ascolto.bench.urls`)."""

from ascolto.settings import *  # noqa: F403

ROOT_URLCONF = "ascolto.bench.urls"

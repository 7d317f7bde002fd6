"""Settings for processes started by the subprocess tests: the real settings plus the probe
app and the test schedule."""

from ascolto.settings import *  # noqa: F403
from ascolto.settings import INSTALLED_APPS

INSTALLED_APPS = [*INSTALLED_APPS, "ascolto.core.tests.probeapp"]
SCHEDULE_MODULE = "ascolto.core.tests.probeapp.schedule"

# Real processes on a database of their own: the fixture the core tests use for theirs.
from ascolto.core.tests.conftest import external_db  # noqa: F401

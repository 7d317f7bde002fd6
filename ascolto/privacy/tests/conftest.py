import pytest

# Real processes on a database of their own (test_reapply, like the ops tests).
from ascolto.core.tests.conftest import external_db  # noqa: F401


@pytest.fixture
def outbox(settings, tmp_path):
    """Emails saved as files (the file backend `make run` uses) in a fresh folder."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    settings.EMAIL_FILE_PATH = tmp_path / "outbox"
    return tmp_path / "outbox"


@pytest.fixture
def survey_a(workspace_a, alice):
    from ascolto.feedback.tests.factories import SurveyFactory

    return SurveyFactory(workspace=workspace_a, by=alice, name="NPS")

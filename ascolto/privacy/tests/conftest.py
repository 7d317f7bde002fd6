import pytest


@pytest.fixture
def outbox(settings, tmp_path):
    """Emails saved as files (the file backend `make run` uses) in a fresh folder."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    settings.EMAIL_FILE_PATH = tmp_path / "outbox"
    return tmp_path / "outbox"

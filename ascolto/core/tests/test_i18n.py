"""The Italian catalogue is complete: no untranslated or fuzzy entry reaches a user."""

from pathlib import Path

import polib
import pytest
from django.conf import settings

CATALOGUES = sorted(Path(settings.BASE_DIR, "locale", "it", "LC_MESSAGES").glob("*.po"))


def test_italian_catalogue_exists():
    assert any(path.name == "django.po" for path in CATALOGUES)


@pytest.mark.parametrize("path", CATALOGUES, ids=lambda p: p.name)
def test_italian_catalogue_has_no_untranslated_or_fuzzy_entries(path):
    catalogue = polib.pofile(str(path))
    missing = [entry.msgid for entry in catalogue.untranslated_entries()]
    fuzzy = [entry.msgid for entry in catalogue.fuzzy_entries()]
    assert not missing, f"untranslated in {path.name}: {missing[:20]}"
    assert not fuzzy, f"fuzzy in {path.name}: {fuzzy[:20]}"


@pytest.mark.parametrize("path", CATALOGUES, ids=lambda p: p.name)
def test_placeholders_survive_translation(path):
    """A translation that drops or renames a %(name)s placeholder would crash at run time."""
    import re

    pattern = re.compile(r"%\((\w+)\)[sd]")
    catalogue = polib.pofile(str(path))
    for entry in catalogue.translated_entries():
        if entry.msgid_plural:
            continue
        assert set(pattern.findall(entry.msgid)) == set(pattern.findall(entry.msgstr)), entry.msgid
